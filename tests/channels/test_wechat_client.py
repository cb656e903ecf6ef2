"""WeChat's API client against a fake API on loopback: one token fetch for many sends, the
refused-token path, refusals that stop, timeouts, and the per-user 客服 allowance."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import aiohttp
import pytest

from bot.channels.wechat.channel import Channel
from bot.channels.wechat.client import ApiError, DeliveryRefused, WeChatApi
from bot.channels.wechat.messages import parse
from bot.channels.wechat.store import MemoryStore
from tests.support.wechat import APPID, OPENID, SECRET, FakeWeChatApi, event_push, text_push

T = TypeVar("T")


def run(fake: FakeWeChatApi, body: Callable[[WeChatApi], Awaitable[T]], **options: Any) -> T:
    async def main() -> T:
        async with aiohttp.ClientSession() as session:
            return await body(WeChatApi(session, APPID, SECRET, fake.url, **options))

    return asyncio.run(main())


def test_concurrent_sends_fetch_one_token() -> None:
    fake = FakeWeChatApi(token_delay=0.2)

    async def body(api: WeChatApi) -> None:
        await asyncio.gather(*(api.send_text(f"user{n}", "你好") for n in range(20)))
        await api.send_text("late", "还是那个令牌")

    run(fake, body)
    assert fake.fetches == 1 and len(fake.sent) == 21


def test_a_refused_token_is_refreshed_once_and_the_call_retried_once() -> None:
    fake = FakeWeChatApi()
    fake.refused.add("tok-1")
    run(fake, lambda api: api.send_text(OPENID, "重试成功"))
    assert fake.fetches == 2 and fake.sent == [(OPENID, "重试成功")] and fake.attempts == 2


def test_a_token_refused_twice_is_an_error_not_a_loop() -> None:
    fake = FakeWeChatApi()
    fake.refused.update({"tok-1", "tok-2", "tok-3"})
    with pytest.raises(ApiError) as error:
        run(fake, lambda api: api.send_text(OPENID, "x"))
    assert error.value.errcode == 40001 and fake.attempts == 2 and fake.fetches == 2


@pytest.mark.parametrize("errcode", [45015, 45047])
def test_quota_and_window_refusals_stop_at_once(errcode: int) -> None:
    fake = FakeWeChatApi()
    fake.always["custom/send"] = errcode
    with pytest.raises(DeliveryRefused):
        run(fake, lambda api: api.send_text(OPENID, "x"))
    assert fake.attempts == 1


def test_an_errcode_in_a_200_answer_is_an_error() -> None:
    fake = FakeWeChatApi()
    fake.always["custom/send"] = 48001
    with pytest.raises(ApiError) as error:
        run(fake, lambda api: api.send_text(OPENID, "x"))
    assert error.value.errcode == 48001 and not isinstance(error.value, DeliveryRefused)


def test_every_call_has_a_timeout() -> None:
    fake = FakeWeChatApi(token_delay=3.0)
    started = time.monotonic()
    with pytest.raises(ApiError) as error:
        run(fake, lambda api: api.send_text(OPENID, "x"), timeout=0.5)
    assert error.value.errcode == -1 and time.monotonic() - started < 2.0
    assert "tok" not in str(error.value) and "secret" not in str(error.value).lower()


@pytest.mark.parametrize(
    ("push", "allowed"),
    [
        (text_push("问", msg_id="1"), 5),  # after a user's message: 5 in 48 h
        (event_push("CLICK", "DOCUMENTS"), 3),  # after a menu click: 3 in a minute
        (event_push("subscribe"), 3),  # after subscribing: 3 in a minute
    ],
)
def test_sends_past_the_allowance_are_not_attempted(push: str, allowed: int) -> None:
    """A slow answer of eight texts: the allowance goes out, the rest is held back."""
    fake = FakeWeChatApi(per_user=100)

    async def main() -> None:
        async with aiohttp.ClientSession() as session:

            async def slow_turn(sender: str, text: str, is_payload: bool) -> list[dict[str, Any]]:
                await asyncio.sleep(0.3)
                return [{"text": "政" * 600} for _ in range(8)]  # 1800 bytes each: 8 texts

            channel = Channel(
                MemoryStore(),
                slow_turn,
                api=WeChatApi(session, APPID, SECRET, fake.url),
                menu={"DOCUMENTS": "/ask_documents"},
                budget=0.1,
            )
            assert await channel.reply(parse(push)) is None
            await channel.drain()

    asyncio.run(main())
    assert len(fake.sent) == allowed and fake.attempts == allowed
