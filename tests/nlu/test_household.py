"""One caller, several applicants: the description split into one situation per person."""

from __future__ import annotations

import pytest

from bot.nlu.household import chinese_number, for_role, split

FAMILY = "我是醴陵城区户口，我老婆是外县的，孩子3岁，我妈在乡下农村，想把她们的户口都迁到我这里来"


def test_a_household_call_gives_each_person_their_own_facts() -> None:
    people = {a.role: a for a in split(FAMILY, {"marital_status": "married"})}
    assert list(people) == ["spouse", "child", "parent"]
    wife, child, mother = people["spouse"], people["child"], people["parent"]
    assert wife.label == "配偶（老婆）"
    assert wife.facts == {
        "goal": "settle_urban",
        "join_relative": "spouse",
        "spouse_hukou_area": "liling_urban",
        "marital_status": "married",
        "current_hukou_area": "outside_liling",
    }
    # The child's age is the child's: the child is a minor, the caller is not asked about.
    assert child.facts["is_minor"] is True
    assert child.facts["join_relative"] == "parent"
    assert child.facts["relative_hukou_area"] == "liling_urban"
    assert "current_hukou_area" not in child.facts
    # The mother joins her child, from the countryside.
    assert mother.facts["join_relative"] == "child"
    assert mother.facts["current_hukou_area"] == "liling_rural"


def test_a_stated_goal_wins_over_the_callers_area() -> None:
    text = "来电人户口在城区，妻子户口在攸县，儿子20岁，母亲户口在醴陵农村"
    people = {a.role: a for a in split(text, {"goal": "move_rural"})}
    assert {a.facts["goal"] for a in people.values()} == {"move_rural"}
    assert people["child"].facts["is_minor"] is False
    assert people["spouse"].facts["current_hukou_area"] == "outside_liling"


@pytest.mark.parametrize(
    "text",
    ["我老公户口在城里，想投靠他落户", "我在城里租了房子想落户", "他想把户口迁到城里"],
)
def test_one_applicants_words_are_not_split(text: str) -> None:
    assert split(text, {}) == []


def test_an_added_applicant_gets_what_the_relation_says() -> None:
    caller = {"goal": "settle_urban", "current_hukou_area": "liling_urban", "housing": "owned"}
    assert for_role("parent", caller) == {
        "goal": "settle_urban",
        "join_relative": "child",
        "relative_hukou_area": "liling_urban",
    }
    assert for_role("self", caller) == caller
    assert for_role("other", caller) == {"goal": "settle_urban"}


@pytest.mark.parametrize(
    ("text", "number"), [("3", 3), ("三", 3), ("十二", 12), ("二十", 20), ("两", 2)]
)
def test_ages_in_chinese_numbers(text: str, number: int) -> None:
    assert chinese_number(text) == number
