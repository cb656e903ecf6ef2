"""The production profile for real: PostgreSQL tracker store, Redis lock store, RabbitMQ events."""

from __future__ import annotations

import asyncio
import json
import time
import urllib.request
import uuid
from typing import Any

import sqlalchemy as sa

from bot.faq.db import make_engine
from bot.faq.store import FaqStore
from bot.policy import load_knowledge
from bot.stack.processes import Stack
from bot.stack.profile import Profile
from bot.turns.store import TurnLog
from tests.support.replay import play
from tests.support.services import AMQP


def worker_url(stack: Stack, worker: int = 0) -> str:
    return f"http://127.0.0.1:{stack.rasa_ports[worker]}"


def sender() -> str:
    return f"prod-{uuid.uuid4().hex[:12]}"


async def _drain(queue: str) -> list[dict[str, Any]]:
    import aio_pika

    connection = await aio_pika.connect_robust(AMQP)
    bodies: list[dict[str, Any]] = []
    async with connection:
        channel = await connection.channel()
        declared = await channel.declare_queue(queue, durable=True, passive=True)
        while True:
            message = await declared.get(no_ack=True, fail=False)
            if message is None:
                return bodies
            bodies.append(json.loads(message.body))


def test_a_conversation_survives_a_restart_of_every_process(production: Stack) -> None:
    who = sender()
    first = play(worker_url(production), "restart", ["我想把户口迁到醴陵城里"], who)
    asked = first.last_payload() or {}
    assert asked.get("missing"), first.turns[0].texts  # the assistant asked a question
    production.stop()
    production.start(timeout=420)
    # The other worker this time: the state comes from PostgreSQL, not from memory.
    after = play(worker_url(production, 1), "restart", ["我在城里租的房子"], who)
    payload = after.last_payload() or {}
    situation = payload.get("situation") or {}
    assert situation.get("goal") == "settle_urban", after.turns[0].texts
    assert situation.get("housing") == "rented"


def test_events_reach_rabbitmq_and_misses_the_unanswered_report(
    production: Stack, production_profile: Profile, event_tap: str
) -> None:
    who = sender()
    play(worker_url(production), "events", ["护照丢了去哪里补办"], who)
    events = [e for e in asyncio.run(_drain(event_tap)) if e.get("sender_id") == who]
    user = [e for e in events if e.get("event") == "user"]
    assert [e["text"] for e in user] == ["护照丢了去哪里补办"]
    assert any(
        e.get("event") == "action" and e.get("name") == "action_out_of_scope" for e in events
    )
    assert production_profile.faq_url
    store = FaqStore(make_engine(production_profile.faq_url), load_knowledge().clauses)
    assert any("护照丢了去哪里补办" in g.examples for g in store.unanswered_groups())


def test_the_consumer_turns_the_event_stream_into_the_turn_log(
    production: Stack, production_profile: Profile
) -> None:
    # Rasa's real events, through RabbitMQ and the supervised consumer, into PostgreSQL.
    assert "turns" in production.names and production.process("turns").poll() is None
    who = sender()
    play(worker_url(production), "turns", ["护照丢了去哪里补办", "我想把户口迁到醴陵城里"], who)
    assert production_profile.faq_url
    engine = make_engine(production_profile.faq_url)
    turn_log = TurnLog(engine)
    deadline = time.monotonic() + 60
    while (latest := turn_log.latest_turn(who)) is None or len(turn_log.conversation(latest)) < 2:
        assert time.monotonic() < deadline, "the turns were not written within a minute"
        time.sleep(0.5)
    first, second = turn_log.conversation(latest)
    engine.dispose()
    assert (first.text, first.intent, first.outcome) == (
        "护照丢了去哪里补办",
        "out_of_scope",
        "out_of_scope",
    )
    assert second.text == "我想把户口迁到醴陵城里" and second.outcome == "asked_more"
    assert first.channel == "rest" and first.latency_ms is not None and second.reply


def test_conversations_are_stored_in_postgresql(
    production: Stack, production_profile: Profile
) -> None:
    who = sender()
    play(worker_url(production), "stored", ["我想给刚出生的孩子上户口"], who)
    assert production_profile.tracker_url
    engine = sa.create_engine(production_profile.tracker_url)
    with engine.connect() as connection:
        count = connection.execute(
            sa.text("SELECT count(*) FROM events WHERE sender_id = :who"), {"who": who}
        ).scalar()
    engine.dispose()
    assert count and count >= 3


def test_personal_data_never_reaches_the_tracker_store_broker_or_logs(
    production: Stack, production_profile: Profile, event_tap: str
) -> None:
    secrets_ = ("430281199001011234", "13812345678", "6222021234567890123", "王小明")
    message = (
        "我叫王小明，身份证430281199001011234，电话13812345678，"
        "银行卡6222021234567890123，想在醴陵城里租房落户"
    )
    via_gateway, direct = sender(), sender()
    request = urllib.request.Request(
        f"http://127.0.0.1:{production.web_port}/api/chat",
        data=json.dumps({"sender": via_gateway, "message": message}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        assert json.loads(response.read())["messages"]
    # Straight to a worker, bypassing the gateway: the tracker store masks as well.
    play(worker_url(production), "direct", [message], direct)
    assert production_profile.tracker_url
    engine = sa.create_engine(production_profile.tracker_url)
    with engine.connect() as connection:
        stored = (
            connection.execute(
                sa.text("SELECT data FROM events WHERE sender_id IN (:a, :b)"),
                {"a": via_gateway, "b": direct},
            )
            .scalars()
            .all()
        )
    engine.dispose()
    events = asyncio.run(_drain(event_tap))
    published = [e for e in events if e.get("sender_id") in (via_gateway, direct)]
    assert stored and published
    logs = (
        "".join(path.read_text(errors="replace") for path in production.log_dir.glob("*.log"))
        if production.log_dir
        else ""
    )
    # And the turn log the consumer writes from those events.
    assert production_profile.faq_url
    turn_engine = make_engine(production_profile.faq_url)
    turn_log = TurnLog(turn_engine)
    deadline = time.monotonic() + 60
    while None in (ids := [turn_log.latest_turn(s) for s in (via_gateway, direct)]):
        assert time.monotonic() < deadline, "the turns were not written within a minute"
        time.sleep(0.5)
    kept = [turn_log.get(turn_id).to_dict() for turn_id in ids if turn_id]
    turn_engine.dispose()
    everything = json.dumps([stored, published, kept], ensure_ascii=False) + logs
    for secret in secrets_:
        assert secret not in everything, secret
    assert "想在醴陵城里租房落户" in json.dumps(published, ensure_ascii=False)
