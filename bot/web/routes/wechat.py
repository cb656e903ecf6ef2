"""``GET|POST /wechat/oa``: the WeChat Official Account (公众号) channel's server URL.

* ``GET`` is WeChat's handshake: with a valid ``signature`` the ``echostr`` is answered
  verbatim; otherwise 403 with an empty body.
* ``POST`` is a push. Its ``signature`` is checked every time (the Rasa connectors that skip
  it accept anyone's messages), its ``timestamp`` must be within
  :attr:`~bot.web.settings.Settings.wechat_max_skew_seconds` of now, its body is capped
  (:attr:`~bot.web.settings.Settings.wechat_max_body_bytes`, 413). With ``encrypt_type=aes``
  (compatible and safe modes) the ``msg_signature`` is checked, the message decrypted with the
  current key or else the previous one, and its AppID must be the account's; the reply is
  encrypted with the key that opened the push. With a key set, a plaintext push is refused;
  without one, a compatible-mode push is read from its plaintext fields (so a city can switch:
  兼容模式, then the key, then 安全模式). A bad signature of any kind is a 403 with an empty
  body.
* What a valid push gets is :class:`bot.channels.wechat.channel.Channel`'s: a passive text
  reply, or ``success``, never a trace.

The turn is the web chat's own (:func:`bot.web.upstream.answer`): the sender ``wx:<OpenID>``,
personal data masked first (:func:`bot.privacy.masking.mask_pii`), the sender's worker and
order (:mod:`bot.web.workers`). Without ``HUKOU_WECHAT_TOKEN`` both routes answer 404.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from bot.channels.wechat import messages
from bot.channels.wechat.channel import Channel, TurnFailed
from bot.channels.wechat.client import WeChatApi
from bot.channels.wechat.crypto import CryptoError, MessageCrypto, signature_matches
from bot.channels.wechat.menu import MenuError, load_menu
from bot.channels.wechat.store import MemoryStore, RedisStore, Store
from bot.paths import WECHAT_MENU
from bot.privacy.masking import mask_pii
from bot.web.errors import AssistantBusy, AssistantUnavailable
from bot.web.ratelimit import RateLimiter
from bot.web.settings import Settings
from bot.web.upstream import answer, delete_stored_conversation, reset_conversation

log = logging.getLogger(__name__)

router = APIRouter(tags=["wechat"], include_in_schema=False)


def _success() -> Response:
    """WeChat's "received, do not retry" (protocol note §1.5)."""
    return Response("success", media_type="text/plain")


def _empty(status: int) -> Response:
    return Response(b"", status_code=status)


def make_crypto(settings: Settings) -> MessageCrypto | None:
    """The account's message crypto when an EncodingAESKey is set (a bad key fails here).

    Raises:
        ValueError: A key is not a 43-character EncodingAESKey, or the AppID is missing.
    """
    if not settings.wechat_aes_key:
        return None
    if not settings.wechat_appid:
        raise ValueError("HUKOU_WECHAT_AES_KEY needs HUKOU_WECHAT_APPID")
    keys = [settings.wechat_aes_key, settings.wechat_aes_key_previous]
    return MessageCrypto(settings.wechat_token, settings.wechat_appid, keys)


def _channel(request: Request) -> Channel:
    """The app's channel, made on the first push (the API client needs the open session)."""
    state = request.app.state
    channel: Channel | None = getattr(state, "wechat", None)
    if channel is not None:
        return channel
    settings: Settings = state.settings
    client, workers = state.client, state.workers
    store: Store = (
        RedisStore(settings.redis_url) if settings.profile == "production" else MemoryStore()
    )
    api = (
        WeChatApi(client, settings.wechat_appid, settings.wechat_secret, settings.wechat_api_base)
        if settings.wechat_appid and settings.wechat_secret
        else None
    )
    try:
        menu = load_menu(WECHAT_MENU).payloads
    except MenuError:
        log.exception("wechat: the menu file is broken; menu clicks are not answered")
        menu = {}

    async def turn(sender: str, text: str, is_payload: bool) -> Sequence[Mapping[str, Any]]:
        try:
            return await answer(
                client, workers, settings, sender, text if is_payload else mask_pii(text)
            )
        except (AssistantBusy, AssistantUnavailable) as exc:
            raise TurnFailed(str(exc)) from exc

    async def forget(sender: str) -> None:
        if settings.profile == "production":
            # The SQL tracker store: its rows, in the sender's turn order (none in flight).
            async with workers.turn(sender):
                await asyncio.to_thread(delete_stored_conversation, settings.tracker_url, sender)
        elif not await reset_conversation(client, workers, sender, settings.rasa_token):
            log.warning("wechat: no worker took the reset of an unsubscribed conversation")

    # WeChat's servers send every push, so the chat's per-address limit would lump all
    # citizens together: the limit is per OpenID instead.
    limiter = RateLimiter(settings.rate_limit_per_minute)
    channel = state.wechat = Channel(
        store,
        turn,
        api=api,
        menu=menu,
        rate_limit=limiter.check,
        forget=forget,
        budget=settings.wechat_budget_seconds,
        max_chars=settings.max_message_chars,
        use_msgmenu=settings.wechat_msgmenu,
        link_hosts=[h.strip().lower() for h in settings.wechat_link_hosts.split(",") if h.strip()],
    )
    return channel


def _verified(request: Request) -> bool:
    """Whether the query's ``signature`` is the Token's and its ``timestamp`` is recent."""
    settings: Settings = request.app.state.settings
    if not settings.wechat_token:
        raise HTTPException(404)
    query = request.query_params
    timestamp, nonce = query.get("timestamp", ""), query.get("nonce", "")
    if not timestamp.isascii() or not timestamp.isdigit():
        return False
    if abs(time.time() - int(timestamp)) > settings.wechat_max_skew_seconds:
        return False
    return signature_matches(query.get("signature", ""), settings.wechat_token, timestamp, nonce)


@router.get("/wechat/oa")
async def handshake(request: Request) -> Response:
    """WeChat's server check: ``echostr`` back, verbatim, when the signature is right."""
    if not _verified(request):
        return _empty(403)
    return Response(request.query_params.get("echostr", ""), media_type="text/plain")


async def _body(request: Request, limit: int) -> bytes | None:
    """The body, or ``None`` once it passes ``limit`` bytes (nothing more is read)."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return None
    return bytes(body)


@router.post("/wechat/oa")
async def push(request: Request) -> Response:
    """A message or event from WeChat: a passive reply (encrypted if the push was), or success."""
    if not _verified(request):
        return _empty(403)
    settings: Settings = request.app.state.settings
    body = await _body(request, settings.wechat_max_body_bytes)
    if body is None:
        return _empty(413)
    query = request.query_params
    crypto: MessageCrypto | None = request.app.state.wechat_crypto
    key_index: int | None = None
    try:
        encrypted = query.get("encrypt_type", "raw").lower() == "aes"
        if encrypted and crypto is not None:
            encrypt = messages.fields(body).get("Encrypt", "")
            try:
                body_text, key_index = crypto.open(
                    encrypt,
                    query.get("msg_signature", ""),
                    query.get("timestamp", ""),
                    query.get("nonce", ""),
                )
            except CryptoError as exc:
                log.warning("wechat: an encrypted push refused (%s)", exc)
                return _empty(403)
            received = messages.parse(body_text)
        elif crypto is not None:
            # With a key set, the account is in the compatible or safe mode, where every push
            # is encrypted: a plaintext one only needs the Token, so it is refused.
            log.warning("wechat: a plaintext push, but HUKOU_WECHAT_AES_KEY is set")
            return _empty(403)
        else:
            # Plaintext mode, or the compatible mode before the key is set: its pushes carry
            # the plaintext fields too, signed with ``signature`` like a plaintext push.
            received = messages.parse(body)
        text = await _channel(request).reply(received)
    except messages.BadPush as exc:
        log.warning("wechat: a push that is not one (%s)", exc)
        return _success()
    except Exception:
        # WeChat shows the citizen its 「暂时无法提供服务」 for anything but a reply or
        # ``success``; the trace stays in the log.
        log.exception("wechat: a push failed")
        return _success()
    if text is None:
        return _success()
    now = int(time.time())
    reply = messages.text_reply(received, text, now)
    if key_index is not None and crypto is not None:
        sealed = crypto.seal(reply, str(now), query.get("nonce", ""), key_index)
        reply = messages.encrypted_reply(
            sealed.encrypt, sealed.msg_signature, sealed.timestamp, sealed.nonce
        )
    return Response(reply, media_type="application/xml")
