"""Loopback stand-ins for the WeChat channel's tests: signed pushes, a fake Rasa, a fake WeChat API.

Nothing here talks to WeChat: the pushes are built and signed as WeChat builds them (protocol
note §1.2–§1.4), the API server answers as WeChat's does (stable_token, 客服 send with its
quota and error codes, menu create), and the gateway runs under uvicorn on 127.0.0.1 so that
pushes can arrive at the same time, as WeChat's retries do.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from aiohttp import web

from bot.channels.wechat.crypto import MessageCrypto, signature
from bot.channels.wechat.messages import cdata
from bot.paths import ROOT
from tests.support.loopback import LoopbackServer, serving
from tests.support.services import free_port

__all__ = ["FakeRasa", "FakeWeChatApi", "LoopbackServer", "gateway_process", "serving"]

TOKEN = "hukoutest"
APPID = "wx0123456789abcdef"
SECRET = "s3cret"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
OLD_AES_KEY = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefg"
OPENID = "oUser_0123456789-abcdefghij"
ACCOUNT = "gh_0123456789ab"


def signed_query(
    token: str = TOKEN, timestamp: int | None = None, nonce: str = "42"
) -> dict[str, str]:
    """The query string WeChat puts on every request to the server URL."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    return {"signature": signature(token, ts, nonce), "timestamp": ts, "nonce": nonce}


def text_push(content: str, msg_id: str = "1", openid: str = OPENID) -> str:
    """A user's text message (官方 接收普通消息)."""
    return (
        f"<xml><ToUserName>{cdata(ACCOUNT)}</ToUserName><FromUserName>{cdata(openid)}"
        f"</FromUserName><CreateTime>{int(time.time())}</CreateTime>"
        f"<MsgType>{cdata('text')}</MsgType><Content>{cdata(content)}</Content>"
        f"<MsgId>{msg_id}</MsgId></xml>"
    )


def event_push(event: str, key: str = "", openid: str = OPENID, create_time: int = 0) -> str:
    """An event push (subscribe, unsubscribe, CLICK …): no MsgId."""
    return (
        f"<xml><ToUserName>{cdata(ACCOUNT)}</ToUserName><FromUserName>{cdata(openid)}"
        f"</FromUserName><CreateTime>{create_time or int(time.time())}</CreateTime>"
        f"<MsgType>{cdata('event')}</MsgType><Event>{cdata(event)}</Event>"
        f"<EventKey>{cdata(key)}</EventKey></xml>"
    )


def media_push(msg_type: str, msg_id: str = "9") -> str:
    """An image, voice or location message (the fields the channel does not read left out)."""
    return (
        f"<xml><ToUserName>{cdata(ACCOUNT)}</ToUserName><FromUserName>{cdata(OPENID)}"
        f"</FromUserName><CreateTime>{int(time.time())}</CreateTime>"
        f"<MsgType>{cdata(msg_type)}</MsgType><MsgId>{msg_id}</MsgId></xml>"
    )


def encrypted(
    xml: str, key: str = AES_KEY, appid: str = APPID, nonce: str = "77"
) -> tuple[str, dict[str, str]]:
    """A safe-mode push: the body and its query (``encrypt_type=aes``, ``msg_signature``)."""
    ts = str(int(time.time()))
    sealed = MessageCrypto(TOKEN, appid, [key]).seal(xml, ts, nonce)
    body = (
        f"<xml><ToUserName>{cdata(ACCOUNT)}</ToUserName>"
        f"<Encrypt>{cdata(sealed.encrypt)}</Encrypt></xml>"
    )
    query = {
        **signed_query(timestamp=int(ts), nonce=nonce),
        "encrypt_type": "aes",
        "msg_signature": sealed.msg_signature,
    }
    return body, query


class FakeRasa(LoopbackServer):
    """Rasa's REST channel: answers ``答：<message>`` after ``delay`` seconds; counts calls.

    A message containing ``选项`` is answered with two buttons; ``长`` with a long answer.
    """

    def __init__(self, delay: float | Callable[[], float] = 0.0) -> None:
        self.delay = delay
        """Seconds per turn, or a function drawing them per turn."""
        self.received: list[tuple[str, str]] = []
        self.resets: list[str] = []
        super().__init__()

    def routes(self, app: web.Application) -> None:
        async def webhook(request: web.Request) -> web.Response:
            body = await request.json()
            self.received.append((body["sender"], body["message"]))
            await asyncio.sleep(self.delay() if callable(self.delay) else self.delay)
            message = body["message"]
            answer: list[dict[str, Any]] = [{"text": f"答：{message}"}]
            if "选项" in message:
                answer[0]["buttons"] = [
                    {"title": "需要什么材料", "payload": "/ask_documents"},
                    {"title": "去哪里办理", "payload": "/ask_where_to_apply"},
                ]
            if "长" in message:
                answer.append({"text": "户籍政策说明。" * 200})
            answer.append({"custom": {"type": "card"}})
            return web.json_response(answer)

        async def reset(request: web.Request) -> web.Response:
            self.resets.append(request.match_info["sender"])
            return web.json_response({})

        app.router.add_post("/webhooks/rest/webhook", webhook)
        app.router.add_put("/conversations/{sender}/tracker/events", reset)


class FakeWeChatApi(LoopbackServer):
    """WeChat's API as the channel uses it, with its error codes.

    * ``/cgi-bin/stable_token``: a new token per fetch (``tok-1``, ``tok-2`` …), after
      ``token_delay`` seconds; counts fetches.
    * ``/cgi-bin/message/custom/send``: ``40001`` for a token in :attr:`refused`; ``45047``
      from send ``per_user + 1`` to one user (WeChat's 5 in 48 h after a message); ``40200``
      for a ``msgmenu`` unless :attr:`certified`; otherwise records ``(touser, content)``.
    * ``/cgi-bin/menu/create``: records the menu.
    """

    def __init__(self, token_delay: float = 0.0, per_user: int = 5) -> None:
        self.token_delay = token_delay
        self.per_user = per_user
        self.fetches = 0
        self.force_refreshes = 0
        self.refused: set[str] = set()
        self.sent: list[tuple[str, str]] = []
        self.attempts = 0
        self.menus: list[dict[str, Any]] = []
        self.certified = True
        """Whether 客服菜单 (msgmenu) is allowed; False: 40200, as for a test account."""
        self.menus_sent: list[tuple[str, dict[str, Any]]] = []
        self.always: dict[str, int] = {}
        """Path → errcode answered every time (45015, 48001 …)."""
        super().__init__()

    def routes(self, app: web.Application) -> None:
        async def stable_token(request: web.Request) -> web.Response:
            body = await request.json()
            if body.get("appid") != APPID or body.get("secret") != SECRET:
                return web.json_response({"errcode": 40013, "errmsg": "invalid appid"})
            await asyncio.sleep(self.token_delay)
            self.fetches += 1
            self.force_refreshes += bool(body.get("force_refresh"))
            return web.json_response({"access_token": f"tok-{self.fetches}", "expires_in": 7200})

        async def send(request: web.Request) -> web.Response:
            self.attempts += 1
            body = await request.json()
            if "custom/send" in self.always:
                return web.json_response({"errcode": self.always["custom/send"], "errmsg": "x"})
            if request.query.get("access_token") in self.refused:
                return web.json_response({"errcode": 40001, "errmsg": "invalid credential"})
            if sum(1 for user, _ in self.sent if user == body["touser"]) >= self.per_user:
                return web.json_response(
                    {"errcode": 45047, "errmsg": "out of response count limit"}
                )
            if body["msgtype"] == "msgmenu":
                if not self.certified:
                    return web.json_response({"errcode": 40200, "errmsg": "invalid account type"})
                self.menus_sent.append((body["touser"], body["msgmenu"]))
                self.sent.append((body["touser"], body["msgmenu"]["head_content"]))
                return web.json_response({"errcode": 0, "errmsg": "ok"})
            self.sent.append((body["touser"], body["text"]["content"]))
            return web.json_response({"errcode": 0, "errmsg": "ok"})

        async def menu(request: web.Request) -> web.Response:
            self.menus.append(await request.json())
            return web.json_response({"errcode": 0, "errmsg": "ok"})

        app.router.add_post("/cgi-bin/stable_token", stable_token)
        app.router.add_post("/cgi-bin/message/custom/send", send)
        app.router.add_post("/cgi-bin/menu/create", menu)


@contextmanager
def gateway_process(rasa_url: str, api_url: str, **env: str) -> Iterator[str]:
    """The gateway in a process of its own with the channel on, configured by the environment
    as an operator would; yields its base URL once it answers.

    ``env`` adds or overrides ``HUKOU_*`` variables (``HUKOU_PROFILE`` …).
    """
    port = free_port()
    environment = {
        **os.environ,
        "HUKOU_RASA_URL": rasa_url,
        "HUKOU_ACTION_URL": "",
        "HUKOU_WECHAT_TOKEN": TOKEN,
        "HUKOU_WECHAT_APPID": APPID,
        "HUKOU_WECHAT_SECRET": SECRET,
        "HUKOU_WECHAT_API_BASE": api_url,
        **env,
    }
    command = [sys.executable, "-m", "uvicorn", "bot.web.app:create_app", "--factory",
               "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
               "--ws", "none", "--no-proxy-headers"]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, env=environment)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, "the gateway process exited"
            assert time.monotonic() < deadline, "the gateway process did not start"
            try:
                urllib.request.urlopen(f"{url}/", timeout=2).close()
                break
            except (urllib.error.URLError, OSError):
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)
