"""From Rasa's events to turn records: outcome, clauses, entry, masking, turn assembly."""

from __future__ import annotations

import dataclasses

import pytest

from bot.turns.record import (
    EventError,
    TurnAssembler,
    build_turn,
    check_event,
    conversation_id,
    turn_id,
)
from tests.support.turns import answered, turn_events

AT = 1_772_440_200.0  # 2026-03-02 08:30 UTC, 16:30 in Liling


def test_a_turn_record_from_its_events() -> None:
    events = turn_events("s1", "m1", "在城里买了房能落户吗", at=AT, payload=answered(("3.1.2",)))
    record = build_turn(events)
    assert record is not None
    assert record.id == turn_id("s1", "m1") and record.conversation == conversation_id("s1")
    assert record.outcome == "answered" and record.clause_ids == ("3.1.2",)
    assert record.intent == "ask_newborn" and record.confidence == pytest.approx(0.93)
    assert record.latency_ms == 250 and record.channel == "rest"
    assert record.day.isoformat() == "2026-03-02" and record.reply.startswith("根据您说的情况")


@pytest.mark.parametrize(
    ("payload", "intent", "outcome"),
    [
        ({"type": "assessment", "outcome": "eligible", "missing": ["housing"]}, "x", "asked_more"),
        ({"type": "assessment", "outcome": "need_goal", "missing": []}, "x", "asked_more"),
        ({"type": "fallback", "stage": "clarify"}, "nlu_fallback", "fallback"),
        ({"type": "fallback", "stage": "suggest"}, "out_of_scope", "fallback"),
        ({"type": "out_of_scope"}, "out_of_scope", "out_of_scope"),
        ({"type": "faq", "faq": {"id": 7, "key": "pets"}}, "out_of_scope", "answered"),
        ({"type": "other_city", "clauses": []}, "out_of_scope", "answered"),
        (None, "greet", "answered"),
        (None, "nlu_fallback", "fallback"),
    ],
)
def test_outcomes(payload: dict[str, object] | None, intent: str, outcome: str) -> None:
    record = build_turn(turn_events("s", "m", "问题", at=AT, intent=intent, payload=payload))
    assert record is not None and record.outcome == outcome


def test_a_turn_that_asks_is_asked_more_and_cites_its_card() -> None:
    events = turn_events("s", "m", "我想投靠我老公", at=AT, payload=answered(("3.1.1",)))
    question = {"type": "question", "fact": "lives_with_relative", "missing": []}
    bot = {
        "event": "bot",
        "timestamp": AT + 0.2,
        "sender_id": "s",
        "text": "您和要投靠的亲属是否共同居住生活？",
    }
    at = next(
        i
        for i, e in enumerate(events)
        if e.get("event") == "action" and e.get("name") == "action_listen"
    )
    events[at:at] = [bot, {**bot, "text": None, "data": {"custom": question}}]
    record = build_turn(events)
    assert record is not None
    assert record.outcome == "asked_more" and record.clause_ids == ("3.1.1",)


def test_a_question_without_a_new_card_names_the_answer_in_force() -> None:
    question = {
        "type": "question",
        "fact": "housing",
        "answer": {"outcome": "undetermined", "clauses": [{"id": "3.1"}]},
    }
    record = build_turn(turn_events("s", "m", "不清楚", at=AT, payload=question))
    assert record is not None
    assert record.outcome == "asked_more" and record.clause_ids == ("3.1",)


def test_an_answer_repeating_the_card_names_its_clauses() -> None:
    unchanged = {"type": "assessment_unchanged", "outcome": "eligible", "cited": ["3.1.5"]}
    record = build_turn(turn_events("s", "m", "不清楚", at=AT, payload=unchanged))
    assert record is not None and record.clause_ids == ("3.1.5",)


def test_the_faq_entry_that_answered() -> None:
    record = build_turn(turn_events("s", "m", "问题", at=AT, payload=answered(("4.1",), faq=12)))
    assert record is not None
    assert (record.faq_entry_id, record.faq_key, record.clause_ids) == (12, "entry_12", ("4.1",))


def test_nothing_personal_is_kept() -> None:
    text = "我叫张三，电话13800138000，身份证430281199001011234，孩子怎么上户口"
    sender = "wechat-openid-oABC123456"
    events = turn_events(sender, "m", text, at=AT, reply="您留的电话13800138000已记下")
    record = build_turn(events)
    assert record is not None
    stored = repr(dataclasses.astuple(record))
    for secret in ("张三", "13800138000", "430281199001011234", sender):
        assert secret not in stored
    assert "[手机号]" in record.text and "[身份证号]" in record.text


def test_events_are_assembled_per_sender_in_turns() -> None:
    assembler: TurnAssembler[int] = TurnAssembler()
    a = turn_events("a", "a1", "问一", at=AT)
    b = turn_events("b", "b1", "问二", at=AT)
    start = {"sender_id": "a", "event": "action", "name": "action_session_start"}
    assert [(f.record, f.tags) for f in assembler.add(start, 0)] == [(None, [0])]
    finished = []
    for tag, event in enumerate([x for pair in zip(a, b, strict=True) for x in pair], 1):
        finished += assembler.add(event, tag)
    assert [f.record.text for f in finished if f.record] == ["问一", "问二"]
    assert sorted(tag for f in finished for tag in f.tags) == list(range(1, len(a) + len(b) + 1))
    assert len(assembler) == 0


def test_a_turn_without_its_end_is_finished_by_the_next_message_or_time() -> None:
    now = [0.0]
    assembler: TurnAssembler[int] = TurnAssembler(idle=30, clock=lambda: now[0])
    first = turn_events("a", "a1", "问一", at=AT)[:-1]  # no action_listen: the action failed
    for event in first:
        assert assembler.add(event, 0) == []
    second = turn_events("a", "a2", "问二", at=AT + 60)
    finished = assembler.add(second[0], 1)
    assert [f.record.text for f in finished if f.record] == ["问一"]
    for event in second[1:-1]:
        assembler.add(event, 2)
    assert assembler.expired() == []
    now[0] = 31.0
    assert [f.record.text for f in assembler.expired() if f.record] == ["问二"]


@pytest.mark.parametrize(
    "body", [[], "text", {"event": "user"}, {"sender_id": "s"}, {"sender_id": "s", "event": "user"}]
)
def test_what_is_not_an_event_is_refused(body: object) -> None:
    with pytest.raises(EventError):
        check_event(body)


def test_a_channels_turn_reference_names_the_turn() -> None:
    events = turn_events("s1", "m1", "问题", at=AT)
    events[0]["metadata"] = {"turn_ref": "0123456789abcdef" * 2}
    record = build_turn(events)
    assert record is not None and record.id == turn_id("s1", "0123456789abcdef" * 2)
    # Anything else in its place is no reference: Rasa's own id names the turn.
    events[0]["metadata"] = {"turn_ref": "../../etc"}
    record = build_turn(events)
    assert record is not None and record.id == turn_id("s1", "m1")
