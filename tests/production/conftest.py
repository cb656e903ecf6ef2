"""The production profile on this machine's real PostgreSQL, Redis and RabbitMQ.

Each test session uses its own tracker and FAQ databases and its own event queue (unique
names), dropped at the end; the services must be running (no switch to skip these tests).
"""

from __future__ import annotations

import asyncio
import socket
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from bot.paths import ROOT
from bot.stack.processes import Stack
from bot.stack.profile import Profile

POSTGRES = "postgresql://postgres@127.0.0.1:5432"
AMQP = "amqp://guest:guest@127.0.0.1:5672/"


def free_ports(count: int) -> int:
    """The first of ``count`` consecutive free ports on 127.0.0.1."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            first = int(probe.getsockname()[1])
        if first + count > 65535:
            continue
        try:
            sockets = []
            for port in range(first, first + count):
                sock = socket.socket()
                sockets.append(sock)
                sock.bind(("127.0.0.1", port))
            return first
        except OSError:
            continue
        finally:
            for sock in sockets:
                sock.close()
    raise RuntimeError("no run of free ports")


async def _delete_queue(name: str) -> None:
    import aio_pika

    connection = await aio_pika.connect_robust(AMQP)
    async with connection:
        channel = await connection.channel()
        await channel.queue_delete(name)


def throwaway_profile(prefix: str, **settings: str) -> Profile:
    """A production profile with its own tracker and FAQ databases and event queue.

    The names start with ``prefix`` and end with a random tag; ``settings`` are further
    ``HUKOU_*`` variables. Pass the profile to :func:`discard` when done.
    """
    tag = uuid.uuid4().hex[:10]
    return Profile.from_env(
        {
            "HUKOU_PROFILE": "production",
            "HUKOU_TRACKER_URL": f"{POSTGRES}/{prefix}_tracker_{tag}",
            "DATABASE_URL": f"postgresql+psycopg2://postgres@127.0.0.1:5432/{prefix}_faq_{tag}",
            "HUKOU_EVENT_QUEUE": f"{prefix}_events_{tag}",
            "HUKOU_WORKERS": "2",
            **settings,
        }
    )


@pytest.fixture(scope="session")
def production_profile() -> Iterator[Profile]:
    profile = throwaway_profile("hukou_test")
    yield profile
    discard(profile)


def discard(profile: Profile) -> None:
    """Drop a throw-away profile's tracker and FAQ databases and delete its event queue."""
    assert profile.tracker_url and profile.faq_url
    admin = sa.create_engine(f"{POSTGRES}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        for url in (profile.tracker_url, profile.faq_url):
            db = sa.engine.make_url(url).database
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
    admin.dispose()
    asyncio.run(_delete_queue(profile.event_queue))


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
        yield stack
    finally:
        stack.stop()
