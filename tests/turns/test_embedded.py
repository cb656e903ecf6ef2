"""The embedded profile writes the same turn records without a broker (Rasa's broker hook)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from rasa.core.brokers.broker import EventBroker
from rasa.utils.endpoints import EndpointConfig

from bot.faq.db import make_engine, migrate
from bot.rasa_ext.turn_broker import TurnLogBroker
from bot.stack.profile import Profile
from bot.turns.record import build_turn
from bot.turns.store import TurnLog
from tests.support.turns import answered, turn_events


def test_rasa_builds_the_broker_from_the_embedded_endpoints_and_turns_are_written(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path}/embedded.sqlite3"
    engine = make_engine(url)
    migrate(engine)
    config = Profile.from_env({"HUKOU_TURN_RETENTION_DAYS": "7"}).endpoints("http://a:1/webhook")
    endpoint = EndpointConfig(url=url, **config["event_broker"])
    broker = asyncio.run(EventBroker.create(endpoint))
    assert isinstance(broker, TurnLogBroker) and broker.turns.retention_days == 7
    now = time.time()
    first = turn_events("s", "m1", "我叫张三，新生儿怎么上户口", at=now, payload=answered(("2.1",)))
    second = turn_events("s", "m2", "要带什么材料", at=now + 5)[:-1]  # still open at shutdown
    for event in [{"sender_id": "s", "event": "session_started"}, *first, *second]:
        broker.publish(event)
    asyncio.run(broker.close())
    turn_log = TurnLog(engine)
    expected = build_turn(first)
    assert expected is not None
    kept = turn_log.conversation(expected.id)
    assert [t.text for t in kept] == ["我叫[姓名]，新生儿怎么上户口", "要带什么材料"]
    assert kept[0].clause_ids == ("2.1",) and kept[0].outcome == "answered"
    engine.dispose()


def test_a_database_error_never_stops_the_conversation(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/not-migrated.sqlite3")
    broker = TurnLogBroker(TurnLog(engine))
    for event in turn_events("s", "m1", "问题", at=time.time()):
        broker.publish(event)  # no tables: logged, not raised
    broker.publish({"event": "user"})  # not an event: skipped
    engine.dispose()
