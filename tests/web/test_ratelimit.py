"""The rate limit is an ordinary ASGI middleware: the app can still be extended after it."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import Request
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient
from pydantic import ValidationError
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send

from bot.web.app import create_app
from bot.web.ratelimit import client_address
from bot.web.settings import Settings


def _settings(tmp_path: Path, **extra: object) -> Settings:
    return Settings(
        database_url=f"sqlite:///{tmp_path}/faq.sqlite3",
        rasa_url="http://127.0.0.1:9",
        action_url="http://127.0.0.1:9",
        **extra,
    )


class Counting:
    """A pure ASGI middleware that counts the HTTP requests it sees."""

    seen = 0

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            Counting.seen += 1
        await self.app(scope, receive, send)


class Teapot(Exception):
    pass


def test_middleware_and_handlers_can_be_added_after_create_app(tmp_path: Path) -> None:
    app = create_app(_settings(tmp_path, rate_limit_per_minute=1))
    app.add_middleware(Counting)  # raised RuntimeError while the stack was swapped in

    async def teapot(_request: Request, _exc: Exception) -> JSONResponse:
        return JSONResponse(status_code=418, content={"detail": "茶壶"})

    app.add_exception_handler(Teapot, teapot)  # was silently left out of the stack

    @app.get("/api/teapot")
    async def brew() -> None:
        raise Teapot

    Counting.seen = 0
    with TestClient(app, raise_server_exceptions=False) as client:
        assert client.get("/api/teapot").json() == {"detail": "茶壶"}
        assert client.get("/api/clauses").status_code == 200
        assert Counting.seen == 2


def test_too_many_requests_get_429_with_retry_after(tmp_path: Path) -> None:
    app = create_app(_settings(tmp_path, rate_limit_per_minute=1))
    app.add_middleware(Counting)
    with TestClient(app, raise_server_exceptions=False) as client:
        chat = [client.post("/api/chat", json={"sender": "s", "message": "你好"}) for _ in range(2)]
        assert [response.status_code for response in chat] == [503, 429]
        seconds = int(chat[1].headers["Retry-After"])
        assert 1 <= seconds <= 60
        assert chat[1].json() == {"detail": f"您发送得太快了，请 {seconds} 秒后再试。"}
        codes = [client.get("/api/clauses/5.1").status_code for _ in range(11)]
        assert codes == [200] * 10 + [429]  # the other API routes: ten times the allowance
        assert client.get("/").status_code == 200  # pages are not limited
        assert client.get("/static/chat.js").status_code == 200


@pytest.mark.parametrize(
    ("proxies", "forwarded", "second"),
    [
        (0, "10.9.9.9, 10.0.0.{n}", 429),  # no proxy trusted: one client
        (1, "10.9.9.9, 10.0.0.{n}", 200),  # the Ingress appended a different client each time
        # Issue 19, item 7: a made-up first address, rotated, no longer dodges the limit.
        (1, "198.51.100.{n}, 203.0.113.7", 429),
    ],
)
def test_forwarded_clients_are_told_apart_only_by_what_trusted_proxies_wrote(
    tmp_path: Path, proxies: int, forwarded: str, second: int
) -> None:
    app = create_app(_settings(tmp_path, rate_limit_per_minute=1, trusted_proxies=proxies))
    with TestClient(app, raise_server_exceptions=False) as client:
        codes = [
            client.get(
                "/api/clauses/5.1", headers={"X-Forwarded-For": forwarded.format(n=n)}
            ).status_code
            for n in range(11)
        ]
    assert codes == [200] * 10 + [second]


def _connection(peer: str, *forwarded: str) -> HTTPConnection:
    headers = [(b"x-forwarded-for", value.encode()) for value in forwarded]
    return HTTPConnection({"type": "http", "headers": headers, "client": (peer, 40000)})


@pytest.mark.parametrize(
    ("proxies", "forwarded", "client"),
    [
        (0, ["198.51.100.1, 203.0.113.7"], "10.1.0.5"),  # no proxy trusted: the peer
        (1, ["198.51.100.1, 203.0.113.7"], "203.0.113.7"),  # one Ingress: the last address
        (1, ["203.0.113.7"], "203.0.113.7"),
        (2, ["198.51.100.1, 203.0.113.7, 10.2.0.9"], "203.0.113.7"),  # a load balancer + Ingress
        (2, ["198.51.100.1", "203.0.113.7, 10.2.0.9"], "203.0.113.7"),  # two headers: one list
        (1, [" 198.51.100.1 ,, 203.0.113.7 "], "203.0.113.7"),
        (2, ["203.0.113.7"], "10.1.0.5"),  # fewer hops than proxies: not through them
        (1, [], "10.1.0.5"),
    ],
)
def test_client_address_counts_trusted_proxies_from_the_right(
    proxies: int, forwarded: list[str], client: str
) -> None:
    assert client_address(_connection("10.1.0.5", *forwarded), proxies) == client


def test_the_old_left_trusting_setting_is_refused() -> None:
    with pytest.raises(ValidationError, match="HUKOU_TRUSTED_PROXIES"):
        Settings(trust_forwarded=True)
