"""What a turn shows: the memory of cards and notices, the asking order, four quick replies."""

from __future__ import annotations

from typing import Any

import pytest

from bot.dialogue.asking import asking_order
from bot.dialogue.memory import card_key, last_card, notice_given, shown_payloads
from bot.dialogue.quick_replies import ordered_buttons, split_buttons
from bot.dialogue.situation import implied_facts
from bot.policy import assess, load_knowledge
from bot.policy.present import payload
from bot.policy.situation import Situation

KB = load_knowledge()


def _bot(custom: dict[str, Any] | None) -> dict[str, Any]:
    return {"event": "bot", "text": "…", "data": {"custom": custom}}


def _card(**facts: Any) -> dict[str, Any]:
    return payload(assess(Situation.from_mapping(facts), KB), KB)


def test_the_last_card_is_the_last_assessment_with_clauses() -> None:
    first = _card(goal="settle_urban", housing="rented")
    second = {"type": "assessment", "clauses": []}  # cites nothing: drawn as no card
    question = {"type": "question", "fact": "veteran"}
    events = [_bot(first), _bot(question), {"event": "user"}, _bot(None), _bot(second)]
    assert last_card(events) is first
    assert shown_payloads(events) == [first, question, second]


def test_a_restart_or_new_session_forgets() -> None:
    card = {**_card(goal="settle_urban", housing="rented"), "notice": "full"}
    assert notice_given([_bot(card)])
    for reset in ("restart", "session_started"):
        assert last_card([_bot(card), {"event": reset}]) is None
        assert not notice_given([_bot(card), {"event": reset}])


@pytest.mark.parametrize(
    ("before", "after", "same"),
    [
        ({"goal": "settle_urban", "housing": "rented"}, {"employed_in_liling": True}, True),
        ({"goal": "settle_urban", "housing": "rented"}, {"housing": "owned"}, False),
        # Still the same likely route and the same rows: nothing to show again.
        ({"goal": "settle_urban", "join_relative": "spouse"}, {"lives_with_relative": True}, True),
        (
            {"goal": "settle_urban", "join_relative": "spouse", "marital_status": "married"},
            {"spouse_hukou_area": "liling_urban", "lives_with_relative": True},
            False,
        ),
    ],
)
def test_the_card_key_changes_only_with_what_a_citizen_sees(
    before: dict[str, Any], after: dict[str, Any], same: bool
) -> None:
    assert (card_key(_card(**before)) == card_key(_card(**{**before, **after}))) is same


@pytest.mark.parametrize(
    ("count", "shown", "more"),
    [(3, 3, 0), (4, 4, 0), (5, 4, 1), (8, 4, 4)],
)
def test_four_quick_replies_at_most_and_dont_know_stays(count: int, shown: int, more: int) -> None:
    buttons = [{"title": f"选项{i}", "payload": f"/inform{i}"} for i in range(count - 1)]
    buttons.append({"title": "不清楚", "payload": "/dont_know"})
    visible, hidden = split_buttons(buttons)
    assert (len(visible), len(hidden)) == (shown, more)
    assert visible[-1]["title"] == "不清楚"
    assert visible + hidden != [] and sorted(b["title"] for b in visible + hidden) == sorted(
        b["title"] for b in buttons
    )
    assert ordered_buttons(buttons) == visible + hidden


def test_a_none_of_these_answer_stays_in_sight() -> None:
    # 不投靠亲属 is what most citizens answer: it is not folded behind 更多, 子女 is.
    from bot.dialogue.domain import button
    from bot.policy.present import question

    buttons = [button("join_relative", o) for o in question("join_relative")["options"]]
    visible, hidden = split_buttons(buttons)
    assert [b["title"] for b in visible] == ["配偶", "父母", "不投靠亲属", "不清楚"]
    assert [b["title"] for b in hidden] == ["子女"]


@pytest.mark.parametrize(
    ("facts", "first"),
    [
        ({}, ["goal", "join_relative", "housing"]),
        ({"goal": "settle_urban"}, ["join_relative", "housing"]),
        ({"goal": "settle_urban", "join_relative": "none"}, ["housing"]),
        # The citizen's words point to the job route: its missing fact first.
        ({"goal": "settle_urban", "employed_in_liling": True}, ["urban_social_insurance"]),
        ({"goal": "settle_urban", "join_relative": "spouse"}, ["marital_status"]),
    ],
)
def test_the_asking_order(facts: dict[str, Any], first: list[str]) -> None:
    order = asking_order(assess(Situation.from_mapping(facts), KB))
    assert order[: len(first)] == first
    assert not set(order) & set(facts), "a stated fact is never asked"


def test_skipped_facts_are_not_asked_again() -> None:
    result = assess(Situation.of(goal="settle_urban"), KB)
    assert "join_relative" not in asking_order(result, skipped=["join_relative"])


def test_weights_decide_between_routes() -> None:
    result = assess(Situation.of(goal="settle_urban", join_relative="none"), KB)
    assert asking_order(result)[0] == "housing"
    assert asking_order(result, weights={"3.1.6": 100.0})[0] in (
        "employed_in_liling",
        "urban_social_insurance",
    )


def test_joining_a_spouse_implies_being_married() -> None:
    assert implied_facts({"join_relative": "spouse"}) == {"marital_status": "married"}
    assert implied_facts({"join_relative": "parent"}) == {}
    assert implied_facts({"join_relative": "spouse", "marital_status": "married"}) == {}
