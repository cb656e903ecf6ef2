"""The turn log's store on SQLite and PostgreSQL: idempotent, masked, purged, reviewable."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa

from bot.faq.errors import ValidationError
from bot.turns.models import turn_clauses, turn_counts, turn_feedback, turns
from bot.turns.record import TurnRecord, build_turn
from bot.turns.store import TurnLog
from tests.support.faq import Clock
from tests.support.turns import answered, turn_events

AT = 1_772_440_200.0  # the test clock's start, 2026-03-02 08:30 UTC


def record(sender: str, message: str, text: str = "问题", at: float = AT, **kw: Any) -> TurnRecord:
    built = build_turn(turn_events(sender, message, text, at=at, **kw))
    assert built is not None
    return built


def count(turn_log: TurnLog, table: sa.Table) -> int:
    with turn_log.engine.connect() as connection:
        return int(connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def test_a_turn_written_twice_is_kept_once(turn_log: TurnLog) -> None:
    one = record("s", "m1", payload=answered(("3.1.1", "3.1.2")))
    turn_log.save([one])
    turn_log.save([one, record("s", "m2", at=AT + 5)])
    assert count(turn_log, turns) == 2 and count(turn_log, turn_clauses) == 2
    assert turn_log.get(one.id).clause_ids == ("3.1.1", "3.1.2")


def test_feedback_attaches_by_turn_id_even_before_the_turn(turn_log: TurnLog) -> None:
    one = record("s", "m1")
    turn_log.attach_feedback(one.id, False, "答非所问", "我叫张三，电话13800138000，问的是宠物")
    turn_log.save([one])
    seen = turn_log.get(one.id)
    assert seen.useful is False and seen.reason == "答非所问"
    assert "张三" not in seen.comment and "13800138000" not in seen.comment
    turn_log.attach_feedback(one.id, True)
    assert turn_log.get(one.id).useful is True and count(turn_log, turn_feedback) == 1
    assert turn_log.latest_turn("s") == one.id and turn_log.latest_turn("other") is None


@pytest.mark.parametrize(("turn", "reason"), [("x" * 32, ""), ("a" * 32, "太长" * 20)])
def test_bad_feedback_is_refused(turn_log: TurnLog, turn: str, reason: str) -> None:
    with pytest.raises(ValidationError):
        turn_log.attach_feedback(turn, False, reason)


def test_nothing_unmasked_is_stored(turn_log: TurnLog) -> None:
    secrets = ("李明", "13912345678", "430281199001011234", "openid-secret-42")
    one = record(
        "openid-secret-42",
        "m1",
        "我儿子叫李明，电话13912345678，身份证430281199001011234，能落户吗",
        reply="您留的电话13912345678已记下",
    )
    turn_log.save([one])
    turn_log.attach_feedback(one.id, False, "没用", "我叫李明，打13912345678")
    with turn_log.engine.connect() as connection:
        dump = repr(
            [connection.execute(sa.select(t)).all() for t in (turns, turn_clauses, turn_feedback)]
        )
    assert "[手机号]" in dump
    for secret in secrets:
        assert secret not in dump


def test_turns_older_than_the_retention_are_purged(engine: sa.engine.Engine, clock: Clock) -> None:
    turn_log = TurnLog(engine, retention_days=30, now=clock)
    old = record("s", "old", at=AT - 31 * 86400, payload=answered())
    kept = record("s", "new", at=AT - 29 * 86400, payload=answered())
    turn_log.save([old, kept])
    turn_log.attach_feedback(old.id, False)
    clock.now = dt.datetime.fromtimestamp(AT, dt.timezone.utc) - dt.timedelta(days=31)
    turn_log.attach_feedback(old.id, False)  # given when the turn was new
    clock.now = dt.datetime.fromtimestamp(AT, dt.timezone.utc)
    assert turn_log.purge() == 1
    assert [t.id for t in turn_log.conversation(kept.id)] == [kept.id]
    assert count(turn_log, turn_clauses) == 1 and count(turn_log, turn_feedback) == 0


def test_the_review_queue_holds_answers_marked_useless_and_unsure_ones(turn_log: TurnLog) -> None:
    useless = record("a", "1", "狗能上户口吗", payload=answered(), confidence=0.99)
    unsure = record("b", "1", "派出所周末上班吗", payload=answered(), confidence=0.41, at=AT + 1)
    fine = record("c", "1", "新生儿怎么上户口", payload=answered(), confidence=0.97, at=AT + 2)
    fallback = record("d", "1", "啊啊", intent="nlu_fallback", confidence=0.2, at=AT + 3)
    turn_log.save([useless, unsure, fine, fallback])
    turn_log.attach_feedback(useless.id, False, "答非所问")
    turn_log.attach_feedback(fine.id, True)
    total, items = turn_log.review_queue()
    assert total == 2 and [t.id for t in items] == [unsure.id, useless.id]
    turn_log.mark_reviewed([unsure.id])
    assert [t.id for t in turn_log.review_queue()[1]] == [useless.id]


def test_a_conversation_is_its_turns_in_order(turn_log: TurnLog) -> None:
    first, second = record("s", "1", "问一"), record("s", "2", "问二", at=AT + 30)
    turn_log.save([second, first, record("t", "1", "别人的")])
    assert [t.text for t in turn_log.conversation(second.id)] == ["问一", "问二"]


def raw_counts(turn_log: TurnLog) -> dict[tuple[str, str], tuple[int, int, int]]:
    """What turn_counts should hold, counted from the turns themselves (all days together)."""
    found: dict[tuple[str, str], list[int]] = {}
    with turn_log.engine.connect() as connection:
        rows = connection.execute(
            sa.select(turns.c.id, turns.c.outcome, turns.c.intent, turns.c.faq_entry_id)
        ).all()
        cited = connection.execute(sa.select(turn_clauses.c.turn_id, turn_clauses.c.clause_id))
        clauses: dict[str, list[str]] = {}
        for turn_id, clause in cited:
            clauses.setdefault(turn_id, []).append(clause)
        verdicts = dict(
            connection.execute(sa.select(turn_feedback.c.turn_id, turn_feedback.c.useful)).all()
        )
    for turn_id, outcome, intent, entry in rows:
        keys = [("outcome", outcome), ("intent", intent or "")]
        keys += [("clause", c) for c in clauses.get(turn_id, [])]
        keys += [("entry", str(entry))] if entry is not None else []
        verdict = verdicts.get(turn_id)
        for key in keys:
            total = found.setdefault(key, [0, 0, 0])
            total[0] += 1
            total[1] += verdict is not None
            total[2] += verdict is False
    return {key: (n, r, u) for key, (n, r, u) in found.items()}


def kept_counts(turn_log: TurnLog) -> dict[tuple[str, str], tuple[int, int, int]]:
    query = sa.select(
        turn_counts.c.kind,
        turn_counts.c.key,
        sa.func.sum(turn_counts.c.n),
        sa.func.sum(turn_counts.c.rated),
        sa.func.sum(turn_counts.c.not_useful),
    ).group_by(turn_counts.c.kind, turn_counts.c.key)
    with turn_log.engine.connect() as connection:
        return {
            (kind, key): (int(n), int(r), int(u))
            for kind, key, n, r, u in connection.execute(query)
            if n
        }


def test_the_daily_counts_follow_every_write(engine: sa.engine.Engine, clock: Clock) -> None:
    turn_log = TurnLog(engine, retention_days=30, now=clock)
    now = clock().timestamp()
    made = [
        record(
            f"s{i}",
            "1",
            at=now - (i % 40) * 86400,
            payload=answered(("3.1.1", "4.1")[: 1 + i % 2], faq=i % 3 or None),
        )
        for i in range(60)
    ]
    turn_log.attach_feedback(made[0].id, False)  # before its turn is written
    turn_log.save(made[:40])
    turn_log.save(made[20:])  # half of them again: counted once
    turn_log.attach_feedback(made[1].id, True)
    turn_log.attach_feedback(made[1].id, False)  # changed mind
    turn_log.attach_feedback(made[2].id, True)
    turn_log.attach_feedback(made[2].id, True)  # the same again
    assert kept_counts(turn_log) == raw_counts(turn_log)
    assert kept_counts(turn_log)[("outcome", "answered")] == (60, 3, 2)
    turn_log.purge()
    assert kept_counts(turn_log) == raw_counts(turn_log)
    assert kept_counts(turn_log)[("outcome", "answered")][0] < 60
