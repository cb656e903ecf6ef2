"""This machine's PostgreSQL, Redis and RabbitMQ, and free ports, for tests and benchmarks.

Throw-away databases and queues get unique names and are dropped when done; the services must
be running (the tests marked ``services`` fail, not skip, without them).
"""

from __future__ import annotations

import asyncio
import socket
import uuid

import sqlalchemy as sa

from bot.stack.profile import Profile

POSTGRES = "postgresql://postgres@127.0.0.1:5432"
"""The local PostgreSQL server (user postgres, trust auth), as Rasa's tracker store URL."""
POSTGRES_SQLALCHEMY = "postgresql+psycopg2://postgres@127.0.0.1:5432"
"""The same server, as the FAQ desk's SQLAlchemy URL."""
AMQP = "amqp://guest:guest@127.0.0.1:5672/"
"""The local RabbitMQ."""


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


def free_port() -> int:
    """A free port on 127.0.0.1."""
    return free_ports(1)


class Postgres:
    """Creates uniquely named FAQ databases on the local server and drops them at the end."""

    def __init__(self) -> None:
        self.admin = sa.create_engine(
            f"{POSTGRES_SQLALCHEMY}/postgres", isolation_level="AUTOCOMMIT"
        )
        self.created: list[str] = []

    def create_database(self) -> str:
        name = f"hukou_faq_test_{uuid.uuid4().hex[:12]}"
        with self.admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        self.created.append(name)
        return f"{POSTGRES_SQLALCHEMY}/{name}"

    def drop_all(self) -> None:
        with self.admin.connect() as connection:
            for name in self.created:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.admin.dispose()


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
            "DATABASE_URL": f"{POSTGRES_SQLALCHEMY}/{prefix}_faq_{tag}",
            "HUKOU_EVENT_QUEUE": f"{prefix}_events_{tag}",
            "HUKOU_WORKERS": "2",
            **settings,
        }
    )


def discard(profile: Profile) -> None:
    """Drop a throw-away profile's tracker and FAQ databases and delete its event queue.

    The turn-log consumer's parking queue (``<queue>.parked``) goes too.
    """
    assert profile.tracker_url and profile.faq_url
    admin = sa.create_engine(f"{POSTGRES}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        for url in (profile.tracker_url, profile.faq_url):
            db = sa.engine.make_url(url).database
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
    admin.dispose()
    asyncio.run(_delete_queue(profile.event_queue, profile.event_queue + ".parked"))


async def _delete_queue(*names: str) -> None:
    import aio_pika

    connection = await aio_pika.connect_robust(AMQP)
    async with connection:
        channel = await connection.channel()
        for name in names:
            await channel.queue_delete(name)
