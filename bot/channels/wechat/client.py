"""Calls to WeChat's API: the stable access token, 客服 (customer-service) text, the menu.

Protocol note §1.7–§1.9 and §2.4 (what wechatpy's client gets wrong):

* The token comes from ``POST /cgi-bin/stable_token``, never ``/cgi-bin/token``: the latter
  invalidates the token every other gateway process holds. It is cached until
  ``expires_in`` less a margin, and one fetch at a time runs in a process (the others wait for
  it); across processes stable_token itself hands out the same token.
* Every call has a timeout and its ``errcode`` is checked, not only the HTTP status.
* ``40001``/``40014``/``42001`` (the token is invalid or expired): fetch a new token once and
  retry the call once. ``45015`` (the reply window has passed, or the user unsubscribed) and
  ``45047`` (the 客服 quota is used up) end the delivery: :class:`DeliveryRefused`, logged by
  the caller, never retried, and ``clear_quota`` is never called.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import aiohttp

DEFAULT_API_BASE = "https://api.weixin.qq.com"
TOKEN_ERRORS = frozenset({40001, 40014, 42001})
"""The token is invalid or expired: refresh once, retry once."""
REFUSALS = frozenset({45015, 45047})
"""Delivery is over for this user for now: stop, log, never loop."""


class ApiError(Exception):
    """WeChat answered with a non-zero ``errcode`` (or not at all)."""

    def __init__(self, errcode: int, errmsg: str) -> None:
        """Keep the code and WeChat's message (never the URL: it holds the token)."""
        super().__init__(f"{errcode} {errmsg}")
        self.errcode = errcode
        self.errmsg = errmsg


class DeliveryRefused(ApiError):
    """``45015``/``45047``: WeChat will not take more messages for this user now."""


class WeChatApi:
    """One account's API client on an aiohttp session.

    Args:
        session: The gateway's pooled session.
        app_id: The account's AppID.
        secret: Its AppSecret.
        base: The API host (tests: a loopback fake).
        timeout: Seconds for each call.
        margin: Seconds before ``expires_in`` at which a cached token is fetched again.
        clock: The time source for expiry (tests move it).
    """

    def __init__(
        self,
        session: aiohttp.ClientSession,
        app_id: str,
        secret: str,
        base: str = DEFAULT_API_BASE,
        timeout: float = 5.0,
        margin: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Make a client; no request is sent until the first call."""
        self._session = session
        self.app_id = app_id
        self._secret = secret
        self.base = base.rstrip("/")
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._margin = margin
        self._clock = clock
        self._token = ""
        self._expires = 0.0
        self._lock = asyncio.Lock()
        self.token_fetches = 0
        """How many times a token was fetched (for tests and logs)."""

    async def _post(self, path: str, body: dict[str, Any], token: str = "") -> dict[str, Any]:
        params = {"access_token": token} if token else None
        try:
            async with self._session.post(
                f"{self.base}{path}", json=body, params=params, timeout=self._timeout
            ) as response:
                if response.status != 200:
                    raise ApiError(-1, f"HTTP {response.status}")
                data = await response.json(content_type=None)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
            # Not chained: an aiohttp error's text holds the URL, and with it the token.
            raise ApiError(-1, type(exc).__name__) from None
        if not isinstance(data, dict):
            raise ApiError(-1, "not a JSON object")
        errcode = int(data.get("errcode") or 0)
        if errcode:
            error = DeliveryRefused if errcode in REFUSALS else ApiError
            raise error(errcode, str(data.get("errmsg", "")))
        return data

    async def token(self, refused: str = "") -> str:
        """A valid access token: the cached one, or one fetch shared by all who wait for it.

        Args:
            refused: A token WeChat just refused (40001/42001): it is not handed out again
                (another caller may already have replaced it while this one waited).
        """
        async with self._lock:
            if self._token and self._clock() < self._expires and self._token != refused:
                return self._token
            body = {"grant_type": "client_credential", "appid": self.app_id}
            body["secret"] = self._secret
            data = await self._post("/cgi-bin/stable_token", body)
            self.token_fetches += 1
            token = str(data.get("access_token") or "")
            if refused and token == refused:
                # stable_token hands back the token WeChat just refused: force a new one
                # (20 a day, at least 30 s apart: only here, never in a loop).
                data = await self._post("/cgi-bin/stable_token", {**body, "force_refresh": True})
                self.token_fetches += 1
                token = str(data.get("access_token") or "")
            if not token:
                raise ApiError(-1, "no access_token in the answer")
            self._token = token
            self._expires = self._clock() + float(data.get("expires_in") or 7200) - self._margin
            return token

    async def call(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST ``body`` to ``path`` with the token; a refused token is refreshed and retried once.

        Raises:
            DeliveryRefused: ``45015``/``45047``.
            ApiError: Any other error code, a timeout, or a refused token twice.
        """
        token = await self.token()
        try:
            return await self._post(path, body, token)
        except ApiError as exc:
            if exc.errcode not in TOKEN_ERRORS:
                raise
        return await self._post(path, body, await self.token(refused=token))

    async def send_text(self, openid: str, content: str) -> None:
        """Send one 客服 text message to ``openid``."""
        await self.call(
            "/cgi-bin/message/custom/send",
            {"touser": openid, "msgtype": "text", "text": {"content": content}},
        )

    async def send_menu(self, openid: str, menu: dict[str, Any]) -> None:
        """Send one 客服菜单 message (``msgmenu``: certified accounts only, else 40200)."""
        await self.call(
            "/cgi-bin/message/custom/send",
            {"touser": openid, "msgtype": "msgmenu", "msgmenu": menu},
        )

    async def create_menu(self, menu: dict[str, Any]) -> None:
        """Publish the account's custom menu (``/cgi-bin/menu/create``)."""
        await self.call("/cgi-bin/menu/create", menu)
