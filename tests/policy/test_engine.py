"""The engine beyond the cases: why a clause applies, documents, notices, topics.

Which clause applies, is ruled out or is still possible for a situation, and what is still
missing, is written as data in ``tests/policy/cases/*.yml`` (run by ``test_cases.py``).
"""

from __future__ import annotations

import pytest

from bot.policy import Knowledge, Outcome, Situation, assess
from bot.policy.present import notices, payload, render_text, validity_notice
from tests.support.policy_text import AFTER_EXPIRY, BEFORE_EXPIRY


def test_why_names_the_matched_facts(kb: Knowledge) -> None:
    result = assess(Situation.of(goal="settle_urban", housing="rented"), kb)
    (finding,) = result.applicable
    assert finding.clause.id == "3.1.5"
    assert [r.fact for r in finding.reasons] == ["housing"]
    assert "租房" in finding.reasons[0].text()


def test_no_social_insurance_is_the_stated_reason(kb: Knowledge) -> None:
    result = assess(
        Situation.of(goal="settle_urban", employed_in_liling=True, urban_social_insurance=False), kb
    )
    (finding,) = [f for f in result.ruled_out if f.clause.id == "3.1.6"]
    assert [r.fact for r in finding.reasons] == ["urban_social_insurance"]
    assert "参加城镇社会保险：否" in finding.reasons[0].text()


def test_documents_are_merged_and_say_which_clause_needs_them(kb: Knowledge) -> None:
    result = assess(
        Situation.of(
            goal="settle_urban",
            housing="owned",
            employed_in_liling=True,
            urban_social_insurance=True,
        ),
        kb,
    )
    assert [f.clause.id for f in result.applicable] == ["3.1.5", "3.1.6"]
    keys = [(need.document.id, need.when) for need in result.documents]
    assert len(keys) == len(set(keys)), "no document twice under the same condition"
    booklet = [n for n in result.documents if n.document.name == "居民户口簿" and n.when is None]
    assert booklet and set(booklet[0].for_clauses) == {"3.1.5", "3.1.6"}


def test_newborn_answer_does_not_require_a_birth_permit(kb: Knowledge) -> None:
    result = assess(Situation.of(goal="newborn", has_birth_permit=False), kb)
    names = [need.document.name for need in result.documents]
    assert not any("生育证" in name or "准生" in name for name in names)
    assert "新生儿户口登记不受附加条件限制" in result.applicable[0].clause.quote


def test_documents_for_4_1_follow_the_goal(kb: Knowledge) -> None:
    newborn = {n.document.id for n in assess(Situation.of(goal="newborn"), kb).documents}
    death = {n.document.id for n in assess(Situation.of(goal="death"), kb).documents}
    assert newborn and death and newborn != death
    assert "birth_medical_certificate" in newborn
    assert "birth_medical_certificate" not in death


def test_related_rights_come_with_town_settlement(kb: Knowledge) -> None:
    result = assess(Situation.of(goal="settle_urban", housing="rented"), kb)
    assert {item.id for item in result.related} >= {"5.1", "5.2"}
    assert result.applicable[0].clause.companions


def test_validity_notice_depends_on_the_date(kb: Knowledge) -> None:
    before = validity_notice(kb, BEFORE_EXPIRY)
    after = validity_notice(kb, AFTER_EXPIRY)
    assert "2022年7月28日" in before and "2022年7月28日" in after
    assert "已过期" in after and "已过期" not in before
    result = assess(Situation.of(goal="settle_urban", housing="owned"), kb, today=AFTER_EXPIRY)
    assert result.expired and notices(result, kb)[0] == after


@pytest.mark.parametrize(
    ("topic", "clause_id"),
    [
        ("hukou_type", "2"),
        ("urban_area", "2"),
        ("land_rights", "5.1"),
        ("schooling", "5.2"),
        ("social_insurance", "5.2"),
        ("housing_security", "5.2"),
        ("residence_permit", "4.2"),
        ("residence_permit", "3.1"),
        ("newborn", "4.1"),
        ("death", "4.1"),
        ("no_hukou", "4.1"),
    ],
)
def test_direct_questions_find_their_clause(kb: Knowledge, topic: str, clause_id: str) -> None:
    assert clause_id in [c.id for c in kb.clauses_for_topic(topic)]


def test_clause_2_says_which_places_are_towns(kb: Knowledge) -> None:
    clause = kb.clause("2")
    assert any("四个街道办事处、长庆示范区" in q for q in clause.extra_quotes)
    assert "统一登记为居民户口" in clause.quote


def test_residence_permit_answer_states_its_conditions(kb: Knowledge) -> None:
    result = assess(Situation.of(goal="residence_permit"), kb)
    notes = [note.text for f in result.cited for note in f.clause.notes]
    assert any("半年以上" in text for text in notes)
    assert result.procedures[0].id == "residence_permit"


def test_an_undetermined_route_shows_the_section_after_the_likely_routes(kb: Knowledge) -> None:
    from bot.policy.engine import Outcome
    from bot.policy.present import payload

    general = assess(Situation.from_mapping({"goal": "settle_urban"}), kb, BEFORE_EXPIRY)
    assert general.outcome is Outcome.UNDETERMINED and not general.likely
    # Nothing points to a route yet: the section that governs the goal comes first …
    assert [f.clause.id for f in general.shown][:1] == ["3.1"]
    # … and it is shown, not cited: no residence-permit documents for a general question.
    assert all(f.clause.id != "3.1" for f in general.cited)
    card = payload(general, kb)["clauses"][0]
    assert card["id"] == "3.1" and card["overview"] is True
    # Its heading, verbatim, not the residence-permit sentence for those who do not qualify.
    assert card["quote"] == "(一)全面放开我市城镇地区落户限制" and card["quote"] in kb.text

    pointed = assess(
        Situation.from_mapping({"goal": "settle_urban", "employed_in_liling": True}),
        kb,
        BEFORE_EXPIRY,
    )
    assert pointed.outcome is Outcome.UNDETERMINED and pointed.likely
    shown = [f.clause.id for f in pointed.shown]
    assert shown[0] == pointed.likely[0].clause.id and "3.1" in shown

    eligible = assess(
        Situation.from_mapping(
            {"goal": "settle_urban", "current_hukou_area": "liling_rural", "housing": "owned"}
        ),
        kb,
        BEFORE_EXPIRY,
    )
    assert eligible.outcome is Outcome.ELIGIBLE
    assert eligible.overview is None and eligible.shown == eligible.cited
    rural = assess(Situation.from_mapping({"goal": "move_rural"}), kb, BEFORE_EXPIRY)
    assert [f.clause.id for f in rural.shown][:1] == ["3.2"]
    # A fact every return meets alike (原籍农村) singles out none: the section still comes first,
    # the routes after it.
    back = assess(
        Situation.from_mapping({"goal": "move_rural", "origin_rural": True}), kb, BEFORE_EXPIRY
    )
    assert len(back.likely) > 2
    assert back.shown[0].clause.id == "3.2"
    assert [f.clause.id for f in back.shown][1:3] == [f.clause.id for f in back.likely][:2]
    # An adult joining parents in a village: the words are about 三(二)5, which rules them out
    # (minors only); that route comes first with the section, then the routes still open.
    adult = assess(
        Situation.from_mapping(
            {
                "goal": "move_rural",
                "join_relative": "parent",
                "relative_hukou_area": "liling_rural",
                "is_minor": False,
                "origin_rural": True,
            }
        ),
        kb,
        BEFORE_EXPIRY,
    )
    assert "3.2.5" not in [f.clause.id for f in adult.applicable]
    assert [f.clause.id for f in adult.shown][:2] == ["3.2.5", "3.2"]
    # A route asked about outranks a fact every return meets: no tie, so it stays first
    # (户口已经迁到城里了，现在想迁回村里 asks about 三(二)8).
    asked = assess(
        Situation.from_mapping({"goal": "move_rural", "origin_rural": True}),
        kb,
        BEFORE_EXPIRY,
        asked=["moved_to_town_under_hunan_rules"],
    )
    assert asked.shown[0].clause.id == "3.2.8"
    newborn = assess(Situation.from_mapping({"goal": "newborn"}), kb, BEFORE_EXPIRY)
    assert newborn.overview is None


def test_near_miss_is_shown_with_why_and_never_cited() -> None:
    """能投靠他吗…没住在一起: the route asked about is shown, marked as not applying."""
    result = assess(
        Situation.from_mapping(
            {
                "goal": "settle_urban",
                "join_relative": "spouse",
                "marital_status": "married",
                "spouse_hukou_area": "liling_urban",
                "lives_with_relative": False,
            }
        )
    )
    assert [f.clause.id for f in result.near_misses] == ["3.1.1"]
    assert "3.1.1" not in [f.clause.id for f in result.cited]
    assert [f.clause.id for f in result.shown][:2] == ["3.1.1", "3.1"]
    (reason,) = [r for r in result.near_misses[0].reasons if not r.met]
    assert reason.fact == "lives_with_relative"
    rendered = payload(result)
    (shown,) = [c for c in rendered["clauses"] if c["id"] == "3.1.1"]
    assert shown["ruled_out"] is True
    assert "不适用" in render_text(result)
    # No document is listed for a route that does not apply.
    assert all("3.1.1" not in need.for_clauses for need in result.documents)


def test_no_near_miss_when_a_route_applies() -> None:
    result = assess(
        Situation.from_mapping(
            {"goal": "settle_urban", "housing": "rented", "urban_social_insurance": False}
        )
    )
    assert result.outcome is Outcome.ELIGIBLE
    assert result.near_misses == ()


def test_a_fact_asked_about_ranks_its_clauses_but_decides_nothing() -> None:
    """落户需要交社保吗: 三(一)6 is what the question is about, not a route that applies."""
    situation = Situation.from_mapping({"goal": "settle_urban"})
    plain = assess(situation)
    asked = assess(situation, asked=["urban_social_insurance", "goal"])
    assert plain.likely == ()
    assert [f.clause.id for f in asked.likely] == ["3.1.6"]
    assert asked.possible[0].clause.id == "3.1.6"
    assert asked.outcome is plain.outcome is Outcome.UNDETERMINED
    assert asked.applicable == ()
    # A fact also stated is not "asked": the stated value decides.
    stated = assess(
        Situation.from_mapping({"goal": "settle_urban", "urban_social_insurance": False}),
        asked=["urban_social_insurance"],
    )
    assert stated.asked == frozenset()


def test_a_fact_asked_about_weighs_as_much_as_one_stated() -> None:
    """户口从农村迁到城里以后还能迁回农村吗: 三(二)8 (asked) before 三(二)2 (origin met)."""
    situation = Situation.from_mapping({"goal": "move_rural", "origin_rural": True})
    plain = assess(situation)
    asked = assess(situation, asked=["moved_to_town_under_hunan_rules"])
    assert plain.possible[0].clause.id != "3.2.8"
    assert asked.possible[0].clause.id == "3.2.8"
    assert asked.applicable == ()


def test_likely_routes_are_ranked_by_the_stated_facts_they_meet() -> None:
    """离婚了…原籍村里: 三(二)7 meets two stated facts, 三(二)2 and 3 only one."""
    result = assess(
        Situation.from_mapping(
            {"goal": "move_rural", "marital_status": "divorced", "origin_rural": True}
        )
    )
    assert result.likely[0].clause.id == "3.2.7"
    assert {f.clause.id for f in result.likely[1:]} >= {"3.2.2", "3.2.3"}


def test_the_near_miss_is_the_route_described_not_the_most_denied() -> None:
    """Every route answered 否 by the form, and a job without insurance: 三(一)6 comes first."""
    result = assess(
        Situation.from_mapping(
            {
                "goal": "settle_urban",
                "join_relative": "none",
                "fulltime_graduate": False,
                "professional_qualification": False,
                "transferred_or_recruited": False,
                "investor_or_founder": False,
                "housing": "none",
                "employed_in_liling": True,
                "urban_social_insurance": False,
            }
        )
    )
    assert result.near_misses[0].clause.id == "3.1.6"
