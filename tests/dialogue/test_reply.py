"""The first answer to a one-shot description (the hotline lookup), decided as the chat decides."""

from __future__ import annotations

from typing import Any

import pytest

from bot.dialogue.reply import Reading, first_answer, kind_of_answer
from bot.policy import Knowledge, load_knowledge
from tests.support.policy_text import BEFORE_EXPIRY


@pytest.fixture(scope="module")
def kb() -> Knowledge:
    return load_knowledge()


def _parse(intent: str, **facts: str) -> dict[str, Any]:
    return {
        "text": "…",
        "intent": {"name": intent, "confidence": 0.91},
        "entities": [{"entity": k, "value": v} for k, v in facts.items()],
    }


def test_a_parse_gives_the_facts_and_the_goal_of_its_intent() -> None:
    reading = Reading.from_parse(_parse("want_settle_urban", housing="rented"))
    assert reading.facts == {"goal": "settle_urban", "housing": "rented"}
    assert reading.describe() == {"intent": "want_settle_urban", "confidence": 0.91,
                                  "source": "model"}  # fmt: skip


@pytest.mark.parametrize(
    ("intent", "kind"),
    [
        ("ask_land_rights", "topic"),
        ("ask_hukou_type", "topic"),
        ("ask_policy_validity", "validity"),
        ("out_of_scope", "declined"),
        ("want_settle_urban", "assessment"),
        ("inform", "assessment"),
        ("nlu_fallback", "assessment"),
        ("greet", "assessment"),
    ],
)
def test_the_kind_of_answer_follows_the_chats_rules(intent: str, kind: str) -> None:
    assert kind_of_answer(Reading.from_parse(_parse(intent))) == kind


def test_the_rules_alone_never_decline_or_answer_a_topic() -> None:
    assert kind_of_answer(Reading.from_rules({"housing": "owned"})) == "assessment"


def test_a_topic_question_gets_its_clause_and_the_assessment_beside_it(kb: Knowledge) -> None:
    answer = first_answer(Reading.from_parse(_parse("ask_land_rights")), {}, kb, BEFORE_EXPIRY)
    assert answer["type"] == "clause" and [c["id"] for c in answer["clauses"]] == ["5.1"]
    assert "宅基地" in answer["text"] and answer["assessment"]["outcome"] == "need_goal"
    assert answer["understanding"]["source"] == "model"


def test_a_topic_question_with_a_move_of_ones_own_names_the_situations_clauses_after(
    kb: Knowledge,
) -> None:
    """一家是水库移民，安置到城区…孩子上学: the question first, then the clauses for the move."""
    parse = _parse("ask_schooling", goal="settle_urban", national_rule_case="resettled")
    answer = first_answer(Reading.from_parse(parse), {}, kb, BEFORE_EXPIRY)
    ids = [c["id"] for c in answer["clauses"]]
    assert answer["type"] == "clause" and ids[: ids.index("3.1.7")] == ["4.2", "5.2"]
    (situation,) = [c for c in answer["clauses"] if c["id"] == "3.1.7"]
    assert situation["for_situation"] is True and situation["why"]
    assert "按您说的情况" in answer["text"]
    # Without a move of one's own, the topic alone.
    plain = first_answer(Reading.from_parse(_parse("ask_schooling")), {}, kb, BEFORE_EXPIRY)
    assert [c["id"] for c in plain["clauses"]] == ["4.2", "5.2"]


def test_a_declined_message_gives_nothing_as_applicable(kb: Knowledge) -> None:
    reading = Reading.from_parse(_parse("out_of_scope", housing="owned"))
    answer = first_answer(reading, {}, kb, BEFORE_EXPIRY)
    assert answer["type"] == "out_of_scope" and answer["clauses"] == []
    assert "不在" in answer["text"]


def test_ticked_facts_override_the_words(kb: Knowledge) -> None:
    reading = Reading.from_parse(_parse("want_settle_urban", housing="rented"))
    answer = first_answer(reading, {"housing": "none"}, kb, BEFORE_EXPIRY)
    assert answer["type"] == "assessment" and answer["situation"]["housing"] == "none"
    assert answer["understood"] == {"goal": "settle_urban", "housing": "rented"}


def test_another_city_gets_liling_s_rule_for_the_same_situation(kb: Knowledge) -> None:
    parse = {
        **_parse("out_of_scope"),
        "other_city": {"place": "长沙", "facts": {"housing": "owned"}},
    }
    answer = first_answer(Reading.from_parse(parse), {}, kb, BEFORE_EXPIRY)
    assert answer["type"] == "other_city" and answer["place"] == "长沙"
    assert "3.1.5" in [c["id"] for c in answer["clauses"]]
    assert "只解答醴陵" in answer["text"] and "长沙当地" in answer["text"]
    # Liling's rule, not an answer for 长沙: nothing is given as applicable at the top.
    assert "outcome" not in answer


def test_another_city_question_ranks_liling_s_clause_for_the_fact_asked(kb: Knowledge) -> None:
    """武汉大学生落户是不是不要工作: Liling's rule for graduates, named as Liling's."""
    reading = Reading(
        intent="out_of_scope",
        source="model",
        other_city=("武汉", {}),
        asked=frozenset({"fulltime_graduate"}),
    )
    answer = first_answer(reading, {}, kb, BEFORE_EXPIRY)
    assert answer["type"] == "other_city" and "3.1.2" in [c["id"] for c in answer["clauses"]]
    plain = first_answer(
        Reading(intent="out_of_scope", other_city=("武汉", {})), {}, kb, BEFORE_EXPIRY
    )
    assert "3.1.2" not in [c["id"] for c in plain["clauses"]]


def test_a_topic_answer_never_lists_a_ruled_out_route_as_one_to_look_at(kb: Knowledge) -> None:
    """在醴陵上班但是没交社保，孩子能在城区上学吗，户口能迁过来吗."""
    parse = _parse(
        "ask_schooling",
        goal="settle_urban",
        employed_in_liling="true",
        urban_social_insurance="false",
    )
    answer = first_answer(Reading.from_parse(parse), {}, kb, BEFORE_EXPIRY)
    assert "3.1.6" not in [c["id"] for c in answer["clauses"]]
    assert "3.1.6" not in answer["text"]


@pytest.mark.parametrize(
    ("question", "first"),
    [
        ("户籍改革到2020年要达到什么目标", "1.3"),
        ("醴陵户籍改革领导小组谁牵头", "6.1"),
        ("户籍改革配套细则哪个部门出", "6.2"),
        ("户籍改革要花钱 财政有保障不", "5.3"),
        ("户籍改革政策的宣传解读由哪个部门负责", "6.3"),
        ("户籍改革方面的信访归哪里管", "annex.17"),
        # (附件第4项 repeats 四(三) word for word: quoted once, as the section)
        ("社区上门登记实有人口信息是什么政策", "4.3"),
    ],
)
def test_how_the_reform_is_run_is_answered_by_the_clauses_its_words_find(
    kb: Knowledge, question: str, first: str
) -> None:
    """One intent for the reform's own sections; the question's words pick three clauses."""
    parse = {**_parse("ask_reform_work"), "text": question}
    answer = first_answer(Reading.from_parse(parse), {}, kb, BEFORE_EXPIRY)
    ids = [c["id"] for c in answer["clauses"]]
    # At most three, only those the words find (no 指导思想 padding a 信访 question).
    assert answer["type"] == "clause" and 1 <= len(ids) <= 3 and ids[0] == first
    reform = {c.id for c in kb.clauses_for_topic("reform_work")}
    assert set(ids) <= reform
    assert len({kb.clauses[i].quote for i in ids}) == len(ids)
    # An annex row is quoted with the department that does the task (附件: 市委宣传部).
    if first.startswith("annex."):
        assert (
            f"（{kb.clauses[first].label}，责任单位：{kb.clauses[first].responsible[0]}"
            in (answer["text"])
        )
