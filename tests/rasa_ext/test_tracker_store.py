"""The tracker store saves and publishes exactly what Rasa's SQL store would, masked."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.privacy.masking import mask_pii
from bot.rasa_ext.tracker_store import FastSQLTrackerStore, masked_event

DOMAIN = Domain.from_yaml(
    "version: '3.1'\nintents: [inform, greet]\nslots:\n  housing:\n    type: any\n"
    "    mappings: [{type: custom}]\n"
)
SECRET = "我叫王小明，电话13812345678，在城里租的房子"


class Broker(EventBroker):  # type: ignore[misc]
    """Keeps what is published."""

    def __init__(self) -> None:
        self.published: list[dict[str, Any]] = []

    def publish(self, event: dict[str, Any]) -> None:
        self.published.append(json.loads(json.dumps(event)))


def turns() -> list[list[Any]]:
    user = UserUttered(
        SECRET, intent={"name": "inform", "confidence": 0.9}, parse_data={"text": SECRET}
    )
    return [
        [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")],
        [
            user,
            SlotSet("housing", "rented"),
            BotUttered("您的户口在哪里？"),
            ActionExecuted("action_listen"),
        ],
        [UserUttered("没有交社保", intent={"name": "inform", "confidence": 0.8})],
        # A new session (after the session expiry): only its events are read back.
        [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")],
        [UserUttered("你好", intent={"name": "greet", "confidence": 0.99})],
    ]


TURNS = turns()  # the same events (and timestamps) for both stores


def run(store: Any) -> tuple[list[tuple[Any, ...]], list[dict[str, Any]]]:
    """Three turns as Rasa's processor makes them: read the conversation, add events, save."""
    tracker = DialogueStateTracker("citizen", DOMAIN.slots)
    for number, events in enumerate(TURNS):
        if number:
            tracker = asyncio.run(store.retrieve("citizen"))
        for event in events:
            tracker.update(event)
        asyncio.run(store.save(tracker))
    with store.engine.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT type_name, intent_name, action_name, data FROM events ORDER BY id")
        ).all()
    return [tuple(row) for row in rows], store.event_broker.published


def test_same_rows_and_events_as_rasas_sql_store_with_personal_data_masked(
    tmp_path: Path,
) -> None:
    def store(cls: Any, name: str) -> Any:
        return cls(DOMAIN, dialect="sqlite", db=str(tmp_path / name), event_broker=Broker())

    rasa_rows, rasa_published = run(store(SQLTrackerStore, "rasa.db"))
    our_rows, our_published = run(store(FastSQLTrackerStore, "ours.db"))
    expected = [
        (kind, intent, action, json.dumps(masked_event(json.loads(data))))
        for kind, intent, action, data in rasa_rows
    ]
    assert our_rows == expected and len(our_rows) == 12
    assert our_published == [masked_event(body) for body in rasa_published]
    text = json.dumps([our_rows, our_published], ensure_ascii=False)
    assert "13812345678" not in text and "王小明" not in text
    assert mask_pii(SECRET) in text and "没有交社保" in text


def test_reading_back_gives_rasas_trackers(tmp_path: Path) -> None:
    stores = [
        cls(DOMAIN, dialect="sqlite", db=str(tmp_path / f"{n}.db"), event_broker=Broker())
        for n, cls in enumerate((SQLTrackerStore, FastSQLTrackerStore))
    ]
    for store in stores:
        run(store)
    latest = [asyncio.run(store.retrieve("citizen")) for store in stores]
    full = [asyncio.run(store.retrieve_full_tracker("citizen")) for store in stores]
    for rasa, ours in (latest, full):
        assert rasa is not None and ours is not None
        assert [e.as_dict() for e in ours.events] == [
            masked_event(e.as_dict()) for e in rasa.events
        ]
    assert latest[1] is not None and [e.type_name for e in latest[1].events] == [
        "session_started",
        "action",
        "user",
    ]
    assert asyncio.run(stores[1].retrieve("nobody")) is None


def test_the_conversation_reads_back_after_saving(tmp_path: Path) -> None:
    store = FastSQLTrackerStore(DOMAIN, dialect="sqlite", db=str(tmp_path / "t.db"))
    run_store = Broker()
    store.event_broker = run_store
    run(store)
    tracker = asyncio.run(store.retrieve("citizen"))
    # The latest session only: its greeting, and no slot carried over from the one before.
    assert tracker is not None and tracker.latest_message.text == "你好"
    assert tracker.get_slot("housing") is None
    full = asyncio.run(store.retrieve_full_tracker("citizen"))
    assert full is not None and len(full.events) == 12


def test_two_workers_taking_turns_store_every_event_once(tmp_path: Path) -> None:
    """A conversation that moves between workers (failover) and back: nothing lost or doubled."""
    db = str(tmp_path / "shared.db")
    first, second = (FastSQLTrackerStore(DOMAIN, dialect="sqlite", db=db) for _ in range(2))
    tracker = DialogueStateTracker("citizen", DOMAIN.slots)
    for event in TURNS[0]:
        tracker.update(event)
    asyncio.run(first.save(tracker))
    for store, events in ((second, TURNS[1]), (first, TURNS[2])):
        tracker = asyncio.run(store.retrieve("citizen"))
        assert tracker is not None
        for event in events:
            tracker.update(event)
        asyncio.run(store.save(tracker))
    with first.engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT data FROM events ORDER BY id")).scalars().all()
    expected = [masked_event(e.as_dict()) for turn in TURNS[:3] for e in turn]
    assert [json.loads(row) for row in rows] == expected


class NoCounting(FastSQLTrackerStore):
    """Fails if the save has to count the stored events in the database."""

    def _additional_events(self, session: Any, tracker: Any) -> Any:
        raise AssertionError("counted the stored events")


def test_a_new_conversation_is_saved_without_counting_what_is_stored(tmp_path: Path) -> None:
    """Rasa reads (nothing), creates and saves, then saves the turn: no count query."""
    store = NoCounting(DOMAIN, dialect="sqlite", db=str(tmp_path / "new.db"))
    assert asyncio.run(store.retrieve("citizen")) is None
    tracker = DialogueStateTracker("citizen", DOMAIN.slots)
    asyncio.run(store.save(tracker))
    for event in TURNS[0] + TURNS[1]:
        tracker.update(event)
    asyncio.run(store.save(tracker))
    stored = asyncio.run(store.retrieve_full_tracker("citizen"))
    assert stored is not None
    expected = [masked_event(e.as_dict()) for e in TURNS[0] + TURNS[1]]
    assert [e.as_dict() for e in stored.events] == expected


def test_a_database_error_does_not_carry_the_events(tmp_path: Path) -> None:
    store = FastSQLTrackerStore(DOMAIN, dialect="sqlite", db=str(tmp_path / "t.db"))
    table = store.SQLEvent.__table__
    with pytest.raises(sa.exc.IntegrityError) as refused, store.engine.begin() as connection:
        # type_name is NOT NULL: the row is refused, with the event's data as a parameter.
        connection.execute(table.insert(), {"sender_id": "s", "data": '{"text": "我的电话"}'})
    assert "INSERT INTO events" in str(refused.value)
    assert "我的电话" not in str(refused.value)
