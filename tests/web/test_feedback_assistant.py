"""On the running assistant: the turn ``POST /api/chat`` names is the turn the log keeps.

Rasa keeps the gateway's reference on the ``user`` event, the embedded broker builds the turn
from it, and the citizen's 没用 lands on that turn with its channel, clauses and outcome.
"""

from __future__ import annotations

import time

import httpx

from bot.faq.db import make_engine
from bot.faq.errors import NotFound
from bot.stack.processes import Stack
from bot.turns.store import TurnLog, TurnView


def _kept(turn_log: TurnLog, turn: str, seconds: float = 20.0) -> TurnView:
    deadline = time.monotonic() + seconds
    while True:
        try:
            return turn_log.get(turn)
        except NotFound:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_feedback_reaches_the_turn_the_chat_named(assistant: Stack, gateway_url: str) -> None:
    sender = f"web-feedback-{time.time_ns()}"
    with httpx.Client(base_url=gateway_url, timeout=60) as client:
        answer = client.post(
            "/api/chat", json={"sender": sender, "message": "我在醴陵城里租了房子想把户口迁过来"}
        )
        assert answer.status_code == 200
        turn = answer.json()["turn"]
        saved = client.post(
            "/api/feedback",
            json={"turn": turn, "useful": False, "reason": "答非所问", "comment": "我叫李四"},
        )
        assert saved.status_code == 200, saved.text
    engine = make_engine(assistant.database_url)
    try:
        kept = _kept(TurnLog(engine), turn)
    finally:
        engine.dispose()
    assert kept.text == "我在醴陵城里租了房子想把户口迁过来"
    assert kept.channel == "rest" and kept.clause_ids and kept.useful is False
    assert kept.reason == "答非所问" and "李四" not in kept.comment
