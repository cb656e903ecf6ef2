"""The production profile on this machine's real PostgreSQL, Redis and RabbitMQ.

Each test session uses its own tracker and FAQ databases and its own event queue (unique
names), dropped at the end; the services must be running (no switch to skip these tests).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from bot.paths import ROOT
from bot.stack.processes import Stack
from bot.stack.profile import Profile
from tests.support import logscan
from tests.support.services import AMQP, discard, free_ports, throwaway_profile


@pytest.fixture(scope="session")
def production_profile() -> Iterator[Profile]:
    profile = throwaway_profile("hukou_test")
    yield profile
    discard(profile)


@pytest.fixture(scope="module")
def production(production_profile: Profile) -> Iterator[Stack]:
    """Actions, two Rasa workers and the gateway on the production profile."""
    first = free_ports(4)
    stack = Stack(
        rasa_port=first,
        action_port=first + 2,
        web_port=first + 3,
        log_dir=ROOT / "artifacts" / "production-logs",
        profile=production_profile,
    )
    try:
        stack.start(timeout=420)
        logscan.watch(stack.rasa_token)
        yield stack
    finally:
        stack.stop()


@pytest.fixture(scope="module")
def event_tap(production: Stack, production_profile: Profile) -> Iterator[str]:
    """A queue that gets a copy of every event Rasa publishes (deleted at the end).

    The turn-log consumer reads the event queue itself; this one is bound to Rasa's fanout
    exchange ``rasa-exchange`` as the event queue is, so the tests see what was published. It
    also gets other stacks' events on this machine: filter by sender.
    """
    name = f"{production_profile.event_queue}_tap"
    asyncio.run(_tap(name, bind=True))
    yield name
    asyncio.run(_tap(name, bind=False))


async def _tap(name: str, bind: bool) -> None:
    import aio_pika

    connection = await aio_pika.connect_robust(AMQP)
    async with connection:
        channel = await connection.channel()
        if bind:
            queue = await channel.declare_queue(name, durable=True)
            await queue.bind("rasa-exchange")
        else:
            await channel.queue_delete(name)
