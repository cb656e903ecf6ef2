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
