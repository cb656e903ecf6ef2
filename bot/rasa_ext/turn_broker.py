"""The embedded profile's turn log: Rasa's events written as turns, in process, no broker.

Rasa hands every new event of a conversation to its event broker. In production that is
RabbitMQ, read by :mod:`bot.turns.consumer`; on one machine there is no broker to run, so this
"broker" assembles the events into turns with the same :class:`~bot.turns.record.TurnAssembler`
and :func:`~bot.turns.record.build_turn` and writes them to the FAQ desk's database
(:func:`bot.paths.faq_database_url`, the SQLite file by default) at once. A turn is one small
insert when its ``action_listen`` arrives, so it is done on Rasa's event loop; a database
error is logged and the conversation goes on (the turn log must never stop an answer).

Configured by :meth:`bot.stack.profile.Profile.endpoints`::

    event_broker:
      type: bot.rasa_ext.turn_broker.TurnLogBroker
      retention_days: 180
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from rasa.core.brokers.broker import EventBroker
from rasa.utils.endpoints import EndpointConfig

from bot.faq.db import make_engine
from bot.turns.record import EventError, TurnAssembler, check_event
from bot.turns.store import DEFAULT_RETENTION_DAYS, TurnLog

log = logging.getLogger(__name__)

PURGE_EVERY = 3600.0


class TurnLogBroker(EventBroker):
    """Writes each finished turn to the turn log as its events arrive."""

    def __init__(self, turns: TurnLog) -> None:
        """Write to ``turns``; retention is enforced now and then every hour."""
        self.turns = turns
        self.assembler: TurnAssembler[None] = TurnAssembler()
        self._last_purge = float("-inf")

    @classmethod
    async def from_endpoint_config(
        cls, broker_config: EndpointConfig, event_loop: asyncio.AbstractEventLoop | None = None
    ) -> TurnLogBroker:
        """The broker for ``event_broker`` in the endpoints (``retention_days`` optional)."""
        days = int(broker_config.kwargs.get("retention_days") or DEFAULT_RETENTION_DAYS)
        return cls(TurnLog(make_engine(broker_config.url or None), retention_days=days))

    def publish(self, event: dict[str, Any]) -> None:
        """Take one event; write the turns it (or the passing time) finished."""
        try:
            finished = self.assembler.add(check_event(event), None)
            finished += self.assembler.expired()
            self.turns.save(f.record for f in finished if f.record is not None)
            if time.monotonic() - self._last_purge >= PURGE_EVERY:
                self._last_purge = time.monotonic()
                self.turns.purge()
        except EventError as exc:
            log.warning("turn log: skipped an event: %s", exc)
        except Exception:
            log.exception("turn log: could not write a turn")

    def is_ready(self) -> bool:
        """Always ready: there is no connection to wait for."""
        return True

    async def close(self) -> None:
        """Write the turns still open, as they are."""
        self.assembler.idle = 0
        finished = self.assembler.expired()
        try:
            self.turns.save(f.record for f in finished if f.record is not None)
        finally:
            self.turns.engine.dispose()
