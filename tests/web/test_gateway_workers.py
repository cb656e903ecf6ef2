"""The gateway in front of several Rasa workers (fakes here): masking, failover, order."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import pytest
from aiohttp import web
from fastapi.testclient import TestClient

from bot.web.app import create_app
from bot.web.settings import Settings
from tests.support.loopback import LoopbackServer


class FakeRasa(LoopbackServer):
    """A REST-channel stand-in that records what it receives; ``slow`` messages take 0.3 s."""

    def __init__(self, token: str = "") -> None:
        self.token = token
        """With a token, ``/status`` answers 401 without it, as Rasa's ``--auth-token``."""
        self.received: list[tuple[str, str]] = []
        self.finished: list[tuple[str, str]] = []
        super().__init__()

    def routes(self, app: web.Application) -> None:
        async def webhook(request: web.Request) -> web.Response:
            body = await request.json()
            self.received.append((body["sender"], body["message"]))
            if "slow" in body["message"]:
                await asyncio.sleep(0.3)
            self.finished.append((body["sender"], body["message"]))
            return web.json_response(
                [{"recipient_id": body["sender"], "text": f"echo {body['message']}", "custom": {}}]
            )

        async def status(request: web.Request) -> web.Response:
            if self.token and request.query.get("token") != self.token:
                return web.json_response({"reason": "NotAuthenticated"}, status=401)
            return web.json_response({})

        app.router.add_post("/webhooks/rest/webhook", webhook)
        app.router.add_get("/status", status)


@pytest.fixture(scope="module")
def fakes() -> list[FakeRasa]:
    return [FakeRasa(), FakeRasa()]


def gateway(rasa_urls: list[str]) -> TestClient:
    settings = Settings(rasa_urls=",".join(rasa_urls), action_url="http://127.0.0.1:9")
    return TestClient(create_app(settings), raise_server_exceptions=False)


def chat(client: TestClient, sender: str, message: str) -> Any:
    response = client.post("/api/chat", json={"sender": sender, "message": message})
    assert response.status_code == 200, response.text
    return response.json()["messages"]


def test_personal_data_is_masked_before_it_reaches_rasa(fakes: list[FakeRasa]) -> None:
    with gateway([fakes[0].url]) as client:
        chat(client, "mask", "我叫王小明，身份证430281199001011234，电话138 1234 5678，想落户")
    sender, text = fakes[0].received[-1]
    assert sender == "mask"
    for secret in ("430281199001011234", "138 1234 5678", "王小明"):
        assert secret not in text
    assert text.endswith("想落户")


def test_each_conversation_stays_on_one_worker(fakes: list[FakeRasa]) -> None:
    with gateway([f.url for f in fakes]) as client:
        for round_ in range(3):
            for n in range(20):
                chat(client, f"sticky-{n}", f"第{round_}条")
    workers = {
        n: {i for i, f in enumerate(fakes) for s, _ in f.received if s == f"sticky-{n}"}
        for n in range(20)
    }
    assert all(len(used) == 1 for used in workers.values())
    assert {next(iter(used)) for used in workers.values()} == {0, 1}  # both get conversations


def test_a_dead_worker_is_routed_around(fakes: list[FakeRasa]) -> None:
    dead = "http://127.0.0.1:9"
    with gateway([dead, fakes[1].url]) as client:
        for n in range(20):
            assert chat(client, f"failover-{n}", "你好")[0]["text"] == "echo 你好"
        health = client.get("/healthz").json()
    assert health["rasa-0"].startswith("down") and health["rasa-1"] == "ok"
    assert len([s for s, _ in fakes[1].received if s.startswith("failover-")]) == 20


def test_no_worker_answers_is_a_clear_503() -> None:
    with gateway(["http://127.0.0.1:9"]) as client:
        response = client.post("/api/chat", json={"sender": "x", "message": "你好"})
    assert response.status_code == 503 and "暂时无法回复" in response.json()["detail"]


def test_two_messages_sent_at_once_are_processed_in_order(fakes: list[FakeRasa]) -> None:
    replies: dict[str, Any] = {}
    with gateway([fakes[0].url]) as client:

        def send(text: str) -> None:
            replies[text] = chat(client, "order", text)

        first = threading.Thread(target=send, args=("slow 第一条",))
        first.start()
        time.sleep(0.05)
        second = threading.Thread(target=send, args=("第二条",))
        second.start()
        first.join()
        second.join()
    received = [m for s, m in fakes[0].received if s == "order"]
    finished = [m for s, m in fakes[0].finished if s == "order"]
    assert received == finished == ["slow 第一条", "第二条"]
    assert replies["第二条"][0]["text"] == "echo 第二条"


def test_a_worker_gets_at_most_its_share_and_the_rest_wait_in_line(fakes: list[FakeRasa]) -> None:
    """With one place per worker, a second citizen waits; past the wait limit, a clear 503."""
    settings = Settings(
        rasa_urls=fakes[1].url,
        action_url="http://127.0.0.1:9",
        worker_concurrency=1,
        worker_queue_seconds=0.1,  # the longest wait in line: shorter than "slow" (0.3 s)
    )
    statuses: dict[str, Any] = {}
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:

        def send(sender: str, text: str) -> None:
            response = client.post("/api/chat", json={"sender": sender, "message": text})
            statuses[sender] = (response.status_code, response.json())

        first = threading.Thread(target=send, args=("line-1", "slow 先到"))
        first.start()
        time.sleep(0.05)
        send("line-2", "后到")
        first.join()
    code, body = statuses["line-2"]
    assert code == 503 and "还没有发出" in body["detail"]
    assert ("line-2", "后到") not in fakes[1].received  # it was never sent


def test_in_process_actions_need_no_action_server_for_health(fakes: list[FakeRasa]) -> None:
    settings = Settings(rasa_urls=fakes[0].url, action_url="")
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        health = client.get("/healthz")
    assert health.status_code == 200
    assert health.json()["actions"] == "ok (in the Rasa workers)"


def test_health_asks_rasa_with_its_token_and_never_shows_it() -> None:
    """Issue 19, item 5: the workers' API needs ``--auth-token``; /healthz sends it."""
    locked = FakeRasa(token="s3cret-token-value")
    for token, code, state in (("s3cret-token-value", 200, "ok"), ("", 503, "HTTP 401")):
        settings = Settings(rasa_urls=locked.url, action_url="", rasa_token=token)
        with TestClient(create_app(settings), raise_server_exceptions=False) as client:
            health = client.get("/healthz")
        assert health.status_code == code and health.json()["rasa"] == state, token
        assert "s3cret" not in health.text
    assert "s3cret" not in repr(Settings(rasa_token="s3cret-token-value"))
