"""Rasa's SQL tracker store, saving each turn with one query where Rasa makes three.

Profiling the production profile under load (py-spy on a Rasa worker, 32 conversations; see
``reports/load-benchmark.md``) put half of the worker's CPU in the tracker store: with an event
broker configured, Rasa's ``TrackerStore.save`` first *retrieves the whole conversation again*
(query, JSON decoding, replaying every event) only to find which events are new, then the SQL
store counts the stored events to find the same thing once more. Here the number of stored
events is remembered from the turn's own retrieve (or counted once), and the new events are
both published and stored: exactly those Rasa would have found (its diff is
``tracker.events[len(stored events since the last session start):]``, the same slice).

Defence in depth for personal data: the gateway masks 身份证号, phone and bank-card numbers and
introduced names before a message reaches Rasa (``bot.web.app``); this store masks user texts
again before they are published or stored, for messages that reach Rasa another way.

Use it in ``endpoints.yml`` as
``tracker_store: {type: bot.rasa_ext.tracker_store.FastSQLTrackerStore, …}`` with the same
settings as Rasa's ``SQL`` store (:mod:`bot.stack.profile` writes that).
"""

from __future__ import annotations

import itertools
import json
import logging
from collections import OrderedDict
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from bot.privacy.masking import mask_pii

logger = logging.getLogger(__name__)


def masked_event(data: dict[str, Any]) -> dict[str, Any]:
    """A user event's dict with its text (and parsed text) masked; other events as they are."""
    if data.get("event") != UserUttered.type_name:
        return data
    data = dict(data)
    if isinstance(data.get("text"), str):
        data["text"] = mask_pii(data["text"])
    parse = data.get("parse_data")
    if isinstance(parse, dict) and isinstance(parse.get("text"), str):
        data["parse_data"] = {**parse, "text": mask_pii(parse["text"])}
    return data


STORED_CACHE = 20_000
"""Conversations whose stored event count is remembered between retrieve and save."""


class FastSQLTrackerStore(SQLTrackerStore):
    """:class:`~rasa.core.tracker_store.SQLTrackerStore` without the second retrieve per save.

    Rasa retrieves the conversation at the start of every turn (under the conversation's
    lock) and saves it at the end; the number of events it read is remembered, so the save
    knows which events are new without asking the database (a new conversation has none
    stored). A conversation not read by this process first (evicted from the cache) is counted
    in the database.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """As :class:`SQLTrackerStore`; errors never carry the statements' values.

        Rasa's engine would put an event's JSON, masked text and all, into the message of any
        database error it logs; ``hide_parameters`` is what :func:`bot.faq.db.make_engine`
        sets too, here on the engine Rasa made (it is read when an error is raised).
        """
        super().__init__(*args, **kwargs)
        self.engine.hide_parameters = True
        self._stored: OrderedDict[str, int] = OrderedDict()

    def _remember(self, sender_id: str, count: int) -> None:
        self._stored[sender_id] = count
        self._stored.move_to_end(sender_id)
        while len(self._stored) > STORED_CACHE:
            self._stored.popitem(last=False)

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """Read the conversation since its last session start, remembering how many events."""
        tracker = await super().retrieve(sender_id)
        if tracker is not None:
            self._remember(sender_id, len(tracker.events))
        elif self.domain:
            # Nothing stored for this sender: Rasa creates the tracker and saves it next.
            self._remember(sender_id, 0)
        else:
            self._stored.pop(sender_id, None)
        return tracker

    async def _retrieve(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> DialogueStateTracker | None:
        """Rasa's query (events since the latest session start, in id order).

        Only the ``data`` column is read, instead of building an ORM object per event.
        """
        table = self.SQLEvent.__table__
        query = sa.select(table.c.data).where(table.c.sender_id == sender_id)
        if not fetch_events_from_all_sessions:
            session_start = (
                sa.select(sa.func.max(table.c.timestamp))
                .where(table.c.sender_id == sender_id, table.c.type_name == "session_started")
                .scalar_subquery()
            )
            query = query.where(sa.or_(table.c.timestamp >= session_start, session_start.is_(None)))
        with self.session_scope() as session:
            rows = session.execute(query.order_by(table.c.id)).scalars().all()
        if not self.domain or not rows:
            return None
        events = [json.loads(data) for data in rows]
        return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)

    def _new_events(self, session: Any, tracker: DialogueStateTracker) -> list[Any]:
        stored = self._stored.pop(tracker.sender_id, None)
        if stored is None or stored > len(tracker.events):
            return list(self._additional_events(session, tracker))
        return list(itertools.islice(tracker.events, stored, len(tracker.events)))

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Publish the turn's new events to the broker (if any) and store them."""
        with self.session_scope() as session:
            new = [masked_event(e.as_dict()) for e in self._new_events(session, tracker)]
            if self.event_broker is not None:
                for data in new:
                    self.event_broker.publish({"sender_id": tracker.sender_id, **data})
            if new:
                # One multi-row INSERT instead of the ORM's unit of work per event.
                session.execute(
                    self.SQLEvent.__table__.insert(),
                    [
                        {
                            "sender_id": tracker.sender_id,
                            "type_name": data.get("event"),
                            "timestamp": data.get("timestamp"),
                            "intent_name": (data.get("parse_data") or {})
                            .get("intent", {})
                            .get(INTENT_NAME_KEY),
                            "action_name": data.get("name"),
                            "data": json.dumps(data),
                        }
                        for data in new
                    ],
                )
            session.commit()
        self._remember(tracker.sender_id, len(tracker.events))
        logger.debug("Tracker with sender_id '%s' stored to database", tracker.sender_id)
