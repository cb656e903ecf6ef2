"""``POST /api/feedback``: 有用 / 没用 on an answer, kept masked with the turn the chat named.

The chat answers with the turn's id (:func:`bot.turns.record.turn_id` of the reference it sent
Rasa in the message's metadata); the feedback names it, may come before the turn is written,
and reaches the turn log with nothing a citizen typed unmasked. A database that cannot be
reached is a 503 with a Chinese message; the route is limited like the chat.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from bot.faq.db import make_engine
from bot.turns.models import turn_feedback, turns
from bot.turns.record import TURN_REF, build_turn, turn_id
from bot.turns.store import TurnLog
from bot.web.app import create_app
from bot.web.settings import Settings
from tests.support.turns import answered, turn_events

SENDER = "web-feedback-test"


class _Rasa(BaseHTTPRequestHandler):
    """Rasa's REST channel, answering one bubble and keeping each request body it got."""

    received: ClassVar[list[dict[str, Any]]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
        _Rasa.received.append(body)
        data = json.dumps([{"recipient_id": body["sender"], "text": "请问您想办理什么？"}])
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(data.encode())

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


@pytest.fixture
def rasa() -> Iterator[str]:
    _Rasa.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Rasa)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _client(tmp_path: Path, rasa_url: str = "http://127.0.0.1:9", **extra: Any) -> TestClient:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path}/faq.sqlite3",
        rasa_url=rasa_url,
        action_url="",
        **extra,
    )
    return TestClient(create_app(settings))


def _log(tmp_path: Path) -> TurnLog:
    return TurnLog(make_engine(f"sqlite:///{tmp_path}/faq.sqlite3"))


def test_the_chat_names_its_turn_and_the_feedback_reaches_it(tmp_path: Path, rasa: str) -> None:
    with _client(tmp_path, rasa) as client:  # the lifespan opens the session to Rasa
        answer = client.post("/api/chat", json={"sender": SENDER, "message": "想投靠老公落户"})
    assert answer.status_code == 200
    turn = answer.json()["turn"]
    sent = _Rasa.received[-1]
    ref = sent["metadata"][TURN_REF]
    assert turn == turn_id(SENDER, ref) and len(ref) == 32
    # The feedback comes first: the consumer has not written the turn yet.
    saved = client.post(
        "/api/feedback",
        json={"turn": turn, "useful": False, "reason": "答非所问", "comment": "没说要带什么"},
    )
    assert saved.status_code == 200, saved.text
    assert saved.json() == {"saved": True, "turn": turn}
    # Then the turn arrives, as Rasa's events carry it (the reference on the user event).
    events = turn_events(SENDER, "rasa-random-id", "想投靠老公落户", payload=answered(("3.1.1",)))
    events[0]["metadata"] = {TURN_REF: ref}
    record = build_turn(events)
    assert record is not None and record.id == turn
    log = _log(tmp_path)
    log.save([record])
    kept = log.get(turn)
    assert kept.useful is False and kept.reason == "答非所问" and kept.comment == "没说要带什么"
    assert kept.channel == "rest" and kept.clause_ids == ("3.1.1",) and kept.outcome == "answered"
    # A second thought replaces the first; a 有用 carries no reason.
    client.post("/api/feedback", json={"turn": turn, "useful": True, "reason": "看不懂"})
    kept = log.get(turn)
    assert kept.useful is True and kept.reason == ""


def test_no_personal_data_is_stored(tmp_path: Path) -> None:
    client = _client(tmp_path)
    turn = "b" * 32
    comment = (
        "我叫王小明，电话 138 0013 8000，身份证430281199001011234，"
        "邮箱 wxm@example.com，答复里没说要带什么"
    )
    saved = client.post(
        "/api/feedback", json={"turn": turn, "useful": False, "reason": "其他", "comment": comment}
    )
    assert saved.status_code == 200
    engine = make_engine(f"sqlite:///{tmp_path}/faq.sqlite3")
    with engine.connect() as connection:
        rows = connection.execute(sa.select(turn_feedback)).mappings().all()
        stored = " ".join(str(value) for row in rows for value in row.values())
        assert connection.execute(sa.select(sa.func.count()).select_from(turns)).scalar() == 0
    for secret in ("王小明", "13800138000", "138 0013 8000", "430281199001011234", "wxm@"):
        assert secret not in stored
    assert "答复里没说要带什么" in stored


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"turn": "x" * 32, "useful": False}, 422),
        ({"turn": "a" * 32, "useful": "false"}, 422),
        ({"turn": "a" * 32, "useful": False, "reason": "太慢"}, 422),
        ({"turn": "a" * 32, "useful": False, "comment": "长" * 501}, 422),
    ],
)
def test_bad_feedback_is_refused_in_chinese(tmp_path: Path, body: Any, status: int) -> None:
    answer = _client(tmp_path).post("/api/feedback", json=body)
    assert answer.status_code == status
    assert any("\u4e00" <= char <= "\u9fff" for char in answer.json()["detail"])


def test_the_database_down_is_a_503_in_chinese(tmp_path: Path) -> None:
    settings = Settings(
        database_url="postgresql+psycopg2://nobody:nothing@127.0.0.1:9/none",
        rasa_url="http://127.0.0.1:9",
        action_url="",
    )
    client = TestClient(create_app(settings))
    answer = client.post("/api/feedback", json={"turn": "c" * 32, "useful": True})
    assert answer.status_code == 503
    assert answer.json()["detail"].startswith("反馈没有保存成功")


def test_feedback_is_limited_like_the_chat(tmp_path: Path) -> None:
    client = _client(tmp_path, rate_limit_per_minute=2, max_body_bytes=2048)
    body = {"turn": "d" * 32, "useful": True}
    assert client.post("/api/feedback", json=body).status_code == 200
    too_big = {**body, "useful": False, "comment": "很" * 1000}
    assert client.post("/api/feedback", json=too_big).status_code == 413
    limited = client.post("/api/feedback", json=body)
    assert limited.status_code == 429 and limited.headers["Retry-After"]
