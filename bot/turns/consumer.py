"""The production turn-log consumer: Rasa's event stream from RabbitMQ into PostgreSQL.

One process (``turns`` under ``hukou serve``, :mod:`bot.stack.turn_consumer`) reads the event
queue that Rasa's ``pika`` broker fills (``HUKOU_EVENT_QUEUE``), assembles each sender's
events into turns (:class:`bot.turns.record.TurnAssembler`, the code path the embedded
profile uses too) and writes each finished turn with :class:`bot.turns.store.TurnLog`.

Delivery guarantees, and why they hold:

* **Bounded.** The channel's prefetch (``prefetch``, default 200) caps the messages held
  unacknowledged; RabbitMQ sends no more until some are acknowledged.
* **Acknowledged only after the write.** A turn's messages are acknowledged once its record
  is committed. Finished turns are written together every :data:`FLUSH_SECONDS` (or as soon
  as ``batch`` are ready): one transaction for many turns keeps up with a busy hour where one
  per turn managed ≈ 90 turns a second. Events outside any turn (a session start) carry
  nothing to write and are acknowledged with the next batch.
* **Restart-safe, never counted twice.** Killed at any point, the unacknowledged messages
  come back to the next consumer; a turn written but not yet acknowledged is written again
  under the same id (:func:`bot.turns.record.turn_id`) and the store ignores it.
* **Poison parked.** A message that is not an event (not JSON, no ``sender_id`` …), or a turn
  the database refuses, is copied to ``<queue>.parked`` with the reason in the
  ``x-parked-reason`` header and acknowledged, so it neither blocks the queue nor is lost.
* **One consumer at a time.** Events of one turn must be assembled by one process; a
  connection that fails ends the process and the supervisor starts a new one (the broker
  hands the unacknowledged messages back in order).

Retention (:meth:`bot.turns.store.TurnLog.purge`) runs at start and every hour.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import aio_pika
import sqlalchemy as sa
from aio_pika.abc import AbstractIncomingMessage

from bot.turns.record import EventError, Finished, TurnAssembler, check_event
from bot.turns.store import TurnLog

log = logging.getLogger(__name__)

PARKED_SUFFIX = ".parked"
FLUSH_SECONDS = 0.05
REASON_HEADER = "x-parked-reason"


def parked_queue(queue: str) -> str:
    """Where poison messages of ``queue`` are kept."""
    return queue + PARKED_SUFFIX


class TurnConsumer:
    """Reads one event queue into a :class:`~bot.turns.store.TurnLog` until stopped."""

    def __init__(
        self,
        turns: TurnLog,
        amqp_url: str,
        queue: str,
        *,
        prefetch: int = 200,
        batch: int = 100,
        idle: float = 30.0,
        purge_every: float = 3600.0,
        heartbeat: Path | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Consume ``queue`` on ``amqp_url``.

        Args:
            turns: Where records go.
            amqp_url: The RabbitMQ server.
            queue: Rasa's event queue (declared durable, as Rasa declares it).
            prefetch: Unacknowledged messages held at most.
            batch: Finished turns that are written at once without waiting for the next flush.
            idle: Seconds after which a turn without its closing ``action_listen`` is written
                as it is (an action failed mid-turn).
            purge_every: Seconds between retention runs.
            heartbeat: A file touched every second while consuming (containers' health
                checks look at its age: the process has no port to ask).
            clock: Monotonic seconds (tests pass their own).
        """
        self.turns = turns
        self.amqp_url = amqp_url
        self.queue = queue
        self.prefetch = prefetch
        self.batch = batch
        self._ready: list[Finished[AbstractIncomingMessage]] = []
        self.purge_every = purge_every
        self.heartbeat = heartbeat
        self.clock = clock
        self.assembler: TurnAssembler[AbstractIncomingMessage] = TurnAssembler(idle, clock)
        self.written = 0
        self.parked = 0
        self._lock = asyncio.Lock()
        self._channel: Any = None

    async def run(self, stop: asyncio.Event) -> None:
        """Consume until ``stop`` is set; a lost connection raises (the supervisor restarts)."""
        await asyncio.to_thread(self.turns.purge)
        last_purge = last_expiry = self.clock()
        connection = await aio_pika.connect(self.amqp_url)
        async with connection:
            self._channel = await connection.channel()
            await self._channel.set_qos(prefetch_count=self.prefetch)
            queue = await self._channel.declare_queue(self.queue, durable=True)
            await self._channel.declare_queue(parked_queue(self.queue), durable=True)
            closed = asyncio.get_running_loop().create_future()

            def _closed(*_: object) -> None:
                if not closed.done():
                    closed.set_result(None)

            connection.close_callbacks.add(_closed)
            tag = await queue.consume(self._on_message)
            log.info("turn log: consuming %s (prefetch %d)", self.queue, self.prefetch)
            if self.heartbeat is not None:
                self.heartbeat.touch()  # consuming now; then every second
            try:
                while not stop.is_set():
                    with contextlib.suppress(asyncio.TimeoutError):
                        await asyncio.wait_for(asyncio.shield(stop.wait()), FLUSH_SECONDS)
                    if closed.done():
                        raise ConnectionError("RabbitMQ connection closed")
                    async with self._lock:
                        if self.clock() - last_expiry >= 1.0:
                            self._ready += self.assembler.expired()
                            last_expiry = self.clock()
                            if self.heartbeat is not None:
                                self.heartbeat.touch()
                        await self._flush()
                    if self.clock() - last_purge >= self.purge_every:
                        await asyncio.to_thread(self.turns.purge)
                        last_purge = last_expiry = self.clock()
            finally:
                # Unacknowledged messages (open turns) go back to the queue for the next run.
                with contextlib.suppress(Exception):
                    await queue.cancel(tag)

    async def _on_message(self, message: AbstractIncomingMessage) -> None:
        async with self._lock:
            try:
                event = check_event(json.loads(message.body))
            except (ValueError, EventError) as exc:
                await self._park([message], str(exc) or type(exc).__name__)
                return
            self._ready += self.assembler.add(event, message)
            if len(self._ready) >= self.batch:
                await self._flush()

    async def _flush(self) -> None:
        """Write the finished turns, then acknowledge their messages (or park a refused turn)."""
        finished, self._ready = self._ready, []
        if not finished:
            return
        records = [f.record for f in finished if f.record is not None]
        try:
            await asyncio.to_thread(self.turns.save, records)
            kept = list(finished)
        except sa.exc.OperationalError:
            raise  # the database is away: stop, the messages come back after the restart
        except sa.exc.SQLAlchemyError:
            kept = []
            for one in finished:
                try:
                    await asyncio.to_thread(self.turns.save, [one.record] if one.record else [])
                    kept.append(one)
                except sa.exc.OperationalError:
                    raise
                except sa.exc.SQLAlchemyError as exc:
                    await self._park(one.tags, f"数据库拒绝写入：{type(exc).__name__}")
        self.written += sum(1 for f in kept if f.record is not None)
        for one in kept:
            for message in one.tags:
                await message.ack()

    async def _park(self, messages: Sequence[AbstractIncomingMessage], reason: str) -> None:
        for message in messages:
            log.warning("turn log: parked a message: %s", reason)
            await self._channel.default_exchange.publish(
                aio_pika.Message(
                    message.body,
                    headers={REASON_HEADER: reason},
                    content_type=message.content_type,
                    delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                ),
                routing_key=parked_queue(self.queue),
            )
            await message.ack()
            self.parked += 1
