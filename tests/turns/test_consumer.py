"""The production consumer on this machine's RabbitMQ and PostgreSQL.

Each test has its own event queue and FAQ database (:func:`throwaway_profile`), deleted at
the end with the parking queue. Nothing here declares a queue through Rasa, so no queue is
bound to ``rasa-exchange``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import aio_pika
import pytest
import sqlalchemy as sa

from bot.faq.db import make_engine, prepare_database
from bot.stack.processes import Backoff, Stack, Supervisor
from bot.stack.profile import Profile
from bot.turns.consumer import REASON_HEADER, TurnConsumer, parked_queue
from bot.turns.models import turn_clauses, turns
from bot.turns.record import turn_id
from bot.turns.store import TurnLog
from tests.support.services import AMQP, discard, throwaway_profile
from tests.support.turns import answered, encoded, turn_events

pytestmark = pytest.mark.services

AT = time.time() - 3600  # recent: older turns would fall to the retention purge


@pytest.fixture
def profile() -> Iterator[Profile]:
    profile = throwaway_profile("hukou_turntest")
    assert profile.faq_url
    prepare_database(profile.faq_url)
    try:
        yield profile
    finally:
        make_engine(profile.faq_url).dispose()
        discard(profile)
        asyncio.run(_delete(parked_queue(profile.event_queue)))


@pytest.fixture
def turn_log(profile: Profile) -> Iterator[TurnLog]:
    assert profile.faq_url
    engine = make_engine(profile.faq_url)
    yield TurnLog(engine)
    engine.dispose()


async def _delete(queue: str) -> None:
    connection = await aio_pika.connect(AMQP)
    async with connection:
        channel = await connection.channel()
        await channel.queue_delete(queue)


async def _publish(queue: str, bodies: Sequence[bytes]) -> None:
    connection = await aio_pika.connect(AMQP)
    async with connection:
        channel = await connection.channel()
        await channel.declare_queue(queue, durable=True)
        for body in bodies:
            await channel.default_exchange.publish(
                aio_pika.Message(body, delivery_mode=aio_pika.DeliveryMode.PERSISTENT), queue
            )


async def _drain(queue: str) -> list[aio_pika.abc.AbstractIncomingMessage]:
    connection = await aio_pika.connect(AMQP)
    found = []
    async with connection:
        channel = await connection.channel()
        declared = await channel.declare_queue(queue, durable=True)
        while (message := await declared.get(no_ack=True, fail=False)) is not None:
            found.append(message)
    return found


async def _waiting(queue: str) -> int:
    connection = await aio_pika.connect(AMQP)
    async with connection:
        channel = await connection.channel()
        declared = await channel.declare_queue(queue, durable=True, passive=True)
        return int(declared.declaration_result.message_count or 0)


def conversations(senders: int, turns_each: int) -> tuple[list[bytes], list[str]]:
    """Interleaved conversations (a session start, then turns), and the turn ids expected."""
    streams: list[list[dict[str, Any]]] = []
    ids = []
    for s in range(senders):
        sender = f"turntest-{s}"
        stream: list[dict[str, Any]] = [
            {"sender_id": sender, "event": "action", "name": "action_session_start"},
            {"sender_id": sender, "event": "session_started"},
            {"sender_id": sender, "event": "action", "name": "action_listen"},
        ]
        for t in range(turns_each):
            stream += turn_events(
                sender,
                f"m{t}",
                f"第{t}个问题",
                at=AT + t * 10 + s,
                payload=answered(("3.1.1", "3.1.2")),
            )
            ids.append(turn_id(sender, f"m{t}"))
        streams.append(stream)
    bodies = []
    for i in range(max(len(s) for s in streams)):
        bodies += encoded([stream[i] for stream in streams if i < len(stream)])
    return bodies, ids


def count(turn_log: TurnLog, table: sa.Table = turns) -> int:
    with turn_log.engine.connect() as connection:
        return int(connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


class ConsumerOnly(Stack):
    """The stack's turn-log consumer alone (the real process), supervised as under serve."""

    @property
    def names(self) -> list[str]:
        return ["turns"]


def test_killed_mid_stream_and_restarted_loses_nothing_and_counts_nothing_twice(
    profile: Profile, turn_log: TurnLog, tmp_path: Path
) -> None:
    bodies, ids = conversations(senders=40, turns_each=15)
    asyncio.run(_publish(profile.event_queue, bodies))
    stack = ConsumerOnly(profile=profile, log_dir=tmp_path)
    lines: list[str] = []
    supervisor = Supervisor(stack, Backoff(first=0.2, longest=1.0), report=lines.append)
    stack.spawn("turns")
    try:
        deadline = time.monotonic() + 60
        while count(turn_log) < 60:
            assert time.monotonic() < deadline, (tmp_path / "turns.log").read_text()
            time.sleep(0.02)
        stack.process("turns").kill()  # SIGKILL: no goodbye, unacknowledged messages return
        stack.process("turns").wait(10)
        at_kill = count(turn_log)
        assert at_kill < len(ids), "the consumer was meant to die mid-stream"
        while count(turn_log) < len(ids) or asyncio.run(_waiting(profile.event_queue)):
            assert time.monotonic() < deadline, (lines, count(turn_log))
            supervisor.check()
            time.sleep(0.1)
        assert supervisor.restarts == {"turns": 1} and "turns 意外退出" in lines[0]
    finally:
        stack.stop()
    with turn_log.engine.connect() as connection:
        stored = connection.execute(sa.select(turns.c.id)).scalars().all()
    assert sorted(stored) == sorted(ids)  # every turn, each once
    assert count(turn_log, turn_clauses) == 2 * len(ids)
    assert asyncio.run(_waiting(profile.event_queue)) == 0


async def _consume(
    turn_log: TurnLog, queue: str, expected: int, heartbeat: Path | None = None
) -> TurnConsumer:
    consumer = TurnConsumer(turn_log, AMQP, queue, prefetch=20, heartbeat=heartbeat)
    stop = asyncio.Event()
    task = asyncio.create_task(consumer.run(stop))
    deadline = time.monotonic() + 30
    while consumer.written < expected or await _waiting(queue):
        assert time.monotonic() < deadline and not task.done(), consumer.written
        await asyncio.sleep(0.05)
    stop.set()
    await task
    return consumer


def test_duplicates_are_written_once(profile: Profile, turn_log: TurnLog, tmp_path: Path) -> None:
    bodies, ids = conversations(senders=3, turns_each=4)
    asyncio.run(_publish(profile.event_queue, bodies + bodies))
    alive = tmp_path / "alive"
    consumer = asyncio.run(_consume(turn_log, profile.event_queue, 2 * len(ids), alive))
    assert consumer.written == 2 * len(ids) and count(turn_log) == len(ids)
    assert alive.exists()  # the heartbeat a container's health check reads


def test_a_poison_message_is_parked_with_its_reason(profile: Profile, turn_log: TurnLog) -> None:
    bodies, ids = conversations(senders=2, turns_each=2)
    poison = [b"\xff not json", b"[1, 2]", json.dumps({"event": "user", "text": "x"}).encode()]
    asyncio.run(_publish(profile.event_queue, poison[:1] + bodies[:5] + poison[1:] + bodies[5:]))
    consumer = asyncio.run(_consume(turn_log, profile.event_queue, len(ids)))
    assert count(turn_log) == len(ids) and consumer.parked == 3
    parked = asyncio.run(_drain(parked_queue(profile.event_queue)))
    assert [m.body for m in parked] == poison
    reasons = [str(m.headers[REASON_HEADER]) for m in parked]
    assert reasons[1:] == ["消息不是 JSON 对象", "缺少 sender_id"] and reasons[0]


def test_the_consumer_runs_supervised_in_the_production_profile_only(profile: Profile) -> None:
    stack = Stack(web_port=8000, profile=profile)
    assert stack.names[-1] == "turns" and stack.command("turns")[-1] == "bot.stack.turn_consumer"
    env = stack._environment("turns")
    assert env["HUKOU_EVENT_QUEUE"] == profile.event_queue and env["HUKOU_PROFILE"] == "production"
    assert "turns" not in Stack(web_port=8000, profile=Profile()).names


def test_a_broken_connection_ends_the_run(turn_log: TurnLog) -> None:
    consumer = TurnConsumer(turn_log, "amqp://guest:guest@127.0.0.1:1/", "nowhere")
    with pytest.raises(OSError), contextlib.suppress(asyncio.TimeoutError):
        asyncio.run(asyncio.wait_for(consumer.run(asyncio.Event()), 10))
