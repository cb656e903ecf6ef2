"""A body larger than ``HUKOU_MAX_BODY_BYTES`` is a 413 in Chinese, before anything parses it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.types import Receive, Scope, Send

from bot.web.app import create_app
from bot.web.bodylimit import BodyLimitMiddleware
from bot.web.settings import Settings

LIMIT = 2048


def _settings(tmp_path: Path, **extra: object) -> Settings:
    return Settings(
        database_url=f"sqlite:///{tmp_path}/faq.sqlite3",
        rasa_url="http://127.0.0.1:9",
        action_url="http://127.0.0.1:9",
        **extra,
    )


@pytest.fixture()
def small(tmp_path: Path) -> Iterator[TestClient]:
    """The gateway with a 2 KB body limit (Rasa unreachable)."""
    app = create_app(_settings(tmp_path, max_body_bytes=LIMIT))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def _padded(size: int) -> bytes:
    """A chat body of exactly ``size`` bytes."""
    head = b'{"sender": "a", "message": "'
    return head + b"x" * (size - len(head) - 2) + b'"}'


def _assert_too_large(response_status: int, detail: str) -> None:
    assert response_status == 413
    assert detail.startswith("请求内容太大")


def test_the_default_limit_refuses_16_mb_on_chat_and_sign_in(tmp_path: Path) -> None:
    body = json.dumps({"sender": "a", "message": "字" * (16 * 1024 * 1024 // 3)}).encode()
    with TestClient(create_app(_settings(tmp_path))) as client:
        for path in ("/api/chat", "/api/faq/login"):
            response = client.post(path, content=body, headers={"Content-Type": "application/json"})
            _assert_too_large(response.status_code, response.json()["detail"])
            assert "128 KB" in response.json()["detail"]


def test_a_declared_length_over_the_limit_is_refused_unread(small: TestClient) -> None:
    response = small.post(
        "/api/chat", content=_padded(LIMIT + 1), headers={"Content-Type": "application/json"}
    )
    _assert_too_large(response.status_code, response.json()["detail"])
    assert "2 KB" in response.json()["detail"]


def test_a_chunked_body_is_counted_as_it_arrives(small: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        # A generator has no length: httpx sends it chunked, without Content-Length.
        yield _padded(LIMIT + 100)

    response = small.post(
        "/api/chat", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert "content-length" not in {k.lower() for k in response.request.headers}
    _assert_too_large(response.status_code, response.json()["detail"])


def test_a_body_at_the_limit_is_parsed(small: TestClient) -> None:
    # It reaches the route, which measures the message itself (2,000 characters > 1,000).
    response = small.post(
        "/api/chat", content=_padded(LIMIT), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422 and "太长" in response.json()["detail"]


def test_an_app_that_reads_the_body_itself_gets_the_413_from_the_middleware() -> None:
    async def echo(scope: Scope, receive: Receive, send: Send) -> None:
        body = await Request(scope, receive).body()
        await PlainTextResponse(str(len(body)))(scope, receive, send)

    def chunks() -> Iterator[bytes]:
        yield b"x" * 200

    client = TestClient(BodyLimitMiddleware(echo, limit=100))  # no lifespan: `echo` has none
    refused = client.post("/", content=chunks())
    assert refused.status_code == 413 and refused.json()["detail"].startswith("请求内容太大")
    assert client.post("/", content=b"x" * 100).text == "100"
    unlimited = TestClient(BodyLimitMiddleware(echo, limit=0))
    assert unlimited.post("/", content=b"x" * 1000).text == "1000"
