"""The channel without the gateway: what a failing store or assistant leaves the citizen."""

from __future__ import annotations

import asyncio
from typing import Any

from bot.channels.wechat.channel import FAILED, Channel
from bot.channels.wechat.messages import parse
from bot.channels.wechat.store import MemoryStore
from tests.support.wechat import text_push


class FailingPuts(MemoryStore):
    """Claims work, storing an answer does not (Redis gone mid-turn)."""

    async def put(self, key: str, value: str, ttl: float) -> None:
        if ":answer:" in key or key.endswith(":options"):
            raise ConnectionError("store down")
        await super().put(key, value, ttl)


async def echo(sender: str, text: str, is_payload: bool) -> list[dict[str, Any]]:
    return [{"text": f"答：{text}"}]


async def broken(sender: str, text: str, is_payload: bool) -> list[dict[str, Any]]:
    raise RuntimeError("a bug, with a secret in its message")


def test_an_answer_that_cannot_be_stored_is_still_given() -> None:
    async def main() -> str | None:
        return await Channel(FailingPuts(), echo).reply(parse(text_push("你好", msg_id="1")))

    assert asyncio.run(main()) == "答：你好"


def test_a_failing_turn_gets_a_polite_text_not_the_error() -> None:
    async def main() -> str | None:
        return await Channel(MemoryStore(), broken).reply(parse(text_push("你好", msg_id="1")))

    assert asyncio.run(main()) == FAILED


async def wechat_delivers(channel: Channel, push: str) -> tuple[int, str | None]:
    """WeChat's side: a delivery unanswered for 5 s is given up and the push sent again (three
    deliveries in all); the server keeps handling a delivery WeChat gave up on."""
    message = parse(push)
    for delivery in range(1, 4):
        handling = asyncio.ensure_future(channel.reply(message))
        try:
            return delivery, await asyncio.wait_for(asyncio.shield(handling), 5.0)
        except asyncio.TimeoutError:
            continue
    return 4, None


def test_without_kefu_a_slow_answer_is_given_to_wechats_retry() -> None:
    turns: list[str] = []

    async def slow(sender: str, text: str, is_payload: bool) -> list[dict[str, Any]]:
        turns.append(text)
        await asyncio.sleep(6.0)
        return [{"text": f"答：{text}"}]

    async def main() -> tuple[int, str | None]:
        channel = Channel(MemoryStore(), slow)  # no API: no 客服消息
        answered = await wechat_delivers(channel, text_push("慢", msg_id="1"))
        await channel.drain()
        return answered

    assert asyncio.run(main()) == (2, "答：慢")
    assert turns == ["慢"]
