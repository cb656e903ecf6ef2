"""The engine, route by route: which clause applies, why, and what is still missing."""

from __future__ import annotations

import pytest

from bot.policy import Knowledge, Outcome, Situation, assess
from bot.policy.present import notices, validity_notice
from tests.conftest import AFTER_EXPIRY, BEFORE_EXPIRY

URBAN = {"goal": "settle_urban"}
RURAL = {"goal": "move_rural"}

# (description, facts, clause that must apply)
ROUTES = [
    (
        "join spouse in town",
        {
            **URBAN,
            "join_relative": "spouse",
            "marital_status": "married",
            "spouse_hukou_area": "liling_urban",
            "lives_with_relative": True,
        },
        "3.1.1",
    ),
    (
        "join parents in town",
        {
            **URBAN,
            "join_relative": "parent",
            "relative_hukou_area": "liling_urban",
            "lives_with_relative": True,
        },
        "3.1.1",
    ),
    ("graduate", {**URBAN, "fulltime_graduate": True}, "3.1.2"),
    (
        "qualification, not a graduate",
        {**URBAN, "fulltime_graduate": False, "professional_qualification": True},
        "3.1.2",
    ),
    ("transferred cadre", {**URBAN, "transferred_or_recruited": True}, "3.1.3"),
    ("investor", {**URBAN, "investor_or_founder": True}, "3.1.4"),
    ("owns a flat", {**URBAN, "housing": "owned"}, "3.1.5"),
    ("rents a flat", {**URBAN, "housing": "rented"}, "3.1.5"),
    (
        "worker with urban insurance",
        {**URBAN, "employed_in_liling": True, "urban_social_insurance": True},
        "3.1.6",
    ),
    ("newborn with rural parent", {"goal": "newborn", "newborn_parent_rural": True}, "3.2.1"),
    ("newborn to rural by move", {**RURAL, "newborn_parent_rural": True}, "3.2.1"),
    ("veteran home", {**RURAL, "veteran": True, "origin_rural": True}, "3.2.2"),
    (
        "fresh graduate home",
        {**RURAL, "fulltime_graduate": True, "fresh_graduate": True, "origin_rural": True},
        "3.2.3",
    ),
    (
        "old dropout, hukou at school",
        {
            **RURAL,
            "dropout": True,
            "fresh_graduate": False,
            "hukou_at_school": True,
            "origin_rural": True,
        },
        "3.2.3",
    ),
    ("released prisoner", {**RURAL, "released_hukou_cancelled": True}, "3.2.4"),
    (
        "join spouse in village",
        {
            **RURAL,
            "join_relative": "spouse",
            "marital_status": "married",
            "spouse_hukou_area": "liling_rural",
        },
        "3.2.5",
    ),
    (
        "minor joins parent in village",
        {
            **RURAL,
            "join_relative": "parent",
            "is_minor": True,
            "relative_hukou_area": "liling_rural",
        },
        "3.2.5",
    ),
    (
        "soldier's spouse",
        {
            **RURAL,
            "marital_status": "married",
            "spouse_serving_soldier": True,
            "spouse_rural_hukou_cancelled_for_service": True,
            "joining_soldiers_parents": True,
        },
        "3.2.6",
    ),
    (
        "divorced, back home",
        {**RURAL, "marital_status": "divorced", "moved_for_marriage": True, "origin_rural": True},
        "3.2.7",
    ),
    (
        "back to the village under the Hunan rules",
        {**RURAL, "moved_to_town_under_hunan_rules": True},
        "3.2.8",
    ),
    ("newborn", {"goal": "newborn"}, "4.1"),
    ("newborn without birth permit", {"goal": "newborn", "has_birth_permit": False}, "4.1"),
    ("person without hukou", {"goal": "no_hukou"}, "4.1"),
    ("death", {"goal": "death"}, "4.1"),
    ("residence permit", {"goal": "residence_permit"}, "4.2"),
]


@pytest.mark.parametrize(
    ("facts", "clause_id"), [r[1:] for r in ROUTES], ids=[r[0] for r in ROUTES]
)
def test_route_applies(kb: Knowledge, facts: dict[str, object], clause_id: str) -> None:
    result = assess(Situation.from_mapping(facts), kb, today=BEFORE_EXPIRY)
    assert result.outcome is Outcome.ELIGIBLE
    applied = [f.clause.id for f in result.applicable]
    assert clause_id in applied
    assert result.missing == ()
    assert result.documents, "an applicable route must come with its documents"
    assert result.procedures, "an applicable route must say where to apply"


def test_why_names_the_matched_facts(kb: Knowledge) -> None:
    result = assess(Situation.of(goal="settle_urban", housing="rented"), kb)
    (finding,) = result.applicable
    assert finding.clause.id == "3.1.5"
    assert [r.fact for r in finding.reasons] == ["housing"]
    assert "租房" in finding.reasons[0].text()


@pytest.mark.parametrize(
    ("facts", "ruled_out"),
    [
        ({**URBAN, "employed_in_liling": True, "urban_social_insurance": False}, "3.1.6"),
        ({**URBAN, "fulltime_graduate": False, "professional_qualification": False}, "3.1.2"),
        ({**URBAN, "housing": "none"}, "3.1.5"),
        (
            {
                **URBAN,
                "join_relative": "spouse",
                "marital_status": "married",
                "spouse_hukou_area": "liling_urban",
                "lives_with_relative": False,
            },
            "3.1.1",
        ),
        (
            {
                **URBAN,
                "join_relative": "spouse",
                "marital_status": "married",
                "spouse_hukou_area": "liling_rural",
            },
            "3.1.1",
        ),
        ({**RURAL, "veteran": False}, "3.2.2"),
        (
            {**RURAL, "fulltime_graduate": True, "fresh_graduate": False, "hukou_at_school": False},
            "3.2.3",
        ),
        ({**RURAL, "join_relative": "parent", "is_minor": False}, "3.2.5"),
    ],
)
def test_a_false_fact_never_yields_its_clause(
    kb: Knowledge, facts: dict[str, object], ruled_out: str
) -> None:
    result = assess(Situation.from_mapping(facts), kb)
    assert ruled_out not in [f.clause.id for f in result.applicable]
    assert ruled_out not in [f.clause.id for f in result.possible]
    (finding,) = [f for f in result.ruled_out if f.clause.id == ruled_out]
    assert finding.reasons, "a ruled-out clause says why"


def test_no_social_insurance_is_the_stated_reason(kb: Knowledge) -> None:
    result = assess(
        Situation.of(goal="settle_urban", employed_in_liling=True, urban_social_insurance=False), kb
    )
    (finding,) = [f for f in result.ruled_out if f.clause.id == "3.1.6"]
    assert [r.fact for r in finding.reasons] == ["urban_social_insurance"]
    assert "参加城镇社会保险：否" in finding.reasons[0].text()


def test_unknown_is_not_false(kb: Knowledge) -> None:
    result = assess(Situation.of(goal="settle_urban"), kb)
    assert result.outcome is Outcome.UNDETERMINED
    assert result.ruled_out == ()
    assert {f.clause.id for f in result.possible} == {f"3.1.{n}" for n in range(1, 7)}
    for fact in ("housing", "employed_in_liling", "urban_social_insurance", "fulltime_graduate"):
        assert fact in result.missing


def test_unknown_goal_is_asked_first(kb: Knowledge) -> None:
    result = assess(Situation(), kb)
    assert result.outcome is Outcome.NEED_GOAL
    assert result.missing[0] == "goal"


def test_missing_only_lists_facts_that_can_still_matter(kb: Knowledge) -> None:
    result = assess(
        Situation.of(
            goal="settle_urban",
            employed_in_liling=False,
            join_relative="none",
            fulltime_graduate=False,
            professional_qualification=False,
            transferred_or_recruited=False,
            investor_or_founder=False,
        ),
        kb,
    )
    assert result.missing == ("housing",)
    assert "urban_social_insurance" not in result.missing  # 3.1.6 is already ruled out


def test_nothing_applies_in_town_means_residence_permit(kb: Knowledge) -> None:
    result = assess(
        Situation.of(
            goal="settle_urban",
            join_relative="none",
            fulltime_graduate=False,
            professional_qualification=False,
            transferred_or_recruited=False,
            investor_or_founder=False,
            housing="none",
            employed_in_liling=True,
            urban_social_insurance=False,
        ),
        kb,
    )
    assert result.outcome is Outcome.RESIDENCE_PERMIT
    assert [f.clause.id for f in result.cited] == ["3.1", "4.2"]
    assert result.documents  # the residence permit's documents
    assert any(c.id == "3.1.7" for c in result.referrals)


def test_rural_move_outside_the_nine_cases_is_refused_citing_3_2(kb: Knowledge) -> None:
    facts = {
        f: False
        for f in (
            "newborn_parent_rural",
            "veteran",
            "fulltime_graduate",
            "dropout",
            "released_hukou_cancelled",
            "spouse_serving_soldier",
            "moved_for_marriage",
            "moved_to_town_under_hunan_rules",
        )
    }
    result = assess(Situation.from_mapping({**RURAL, "join_relative": "none", **facts}), kb)
    assert result.outcome is Outcome.REFUSED
    assert [f.clause.id for f in result.cited] == ["3.2"]
    assert {f.clause.id for f in result.ruled_out} == {f"3.2.{n}" for n in range(1, 9)}
    assert [c.id for c in result.referrals] == ["3.2.9"]


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


def test_information_goal_decides_nothing(kb: Knowledge) -> None:
    result = assess(Situation.of(goal="info"), kb)
    assert result.outcome is Outcome.INFORMATION
    assert result.applicable == () and result.missing == ()


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
