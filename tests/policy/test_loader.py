"""Bad policy data fails at load time with the file, the line and the reason."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from bot.policy import PolicyDataError, load_knowledge
from bot.policy.loader import DEFAULT_DIR


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    target = tmp_path / "policy_text"
    shutil.copytree(DEFAULT_DIR, target)
    return target


def _edit(path: Path, old: str, new: str, count: int = 1) -> int:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text not found: {old}"
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return line


def _problems(directory: Path) -> list[str]:
    with pytest.raises(PolicyDataError) as info:
        load_knowledge(directory)
    return [str(p) for p in info.value.problems]


def test_the_shipped_data_loads() -> None:
    kb = load_knowledge(DEFAULT_DIR)
    assert len(kb.clauses) >= 58


def test_quote_not_in_text(data_dir: Path) -> None:
    _edit(
        data_dir / "clauses.yml", "quote: 退役士兵回原籍农村落户。", "quote: 退役士兵可以随便落户。"
    )
    (problem,) = _problems(data_dir)
    assert re.match(r"policy_text/clauses\.yml:\d+: clause 3\.2\.2: quote is not in", problem)


def test_duplicate_clause_id(data_dir: Path) -> None:
    line = _edit(data_dir / "clauses.yml", '- id: "3.2.3"', '- id: "3.2.2"')
    problems = _problems(data_dir)
    assert f"policy_text/clauses.yml:{line}: duplicate id '3.2.2' (first on line" in problems[0]
    # The data that pointed at the lost 3.2.3 is reported too, not silently dropped.
    assert any("unknown clause '3.2.3'" in p for p in problems)


def test_unknown_fact_in_condition(data_dir: Path) -> None:
    _edit(
        data_dir / "clauses.yml",
        "all: [goal = move_rural, veteran, origin_rural]",
        "all: [goal = move_rural, is_veteran, origin_rural]",
    )
    (problem,) = _problems(data_dir)
    assert "clause 3.2.2: unknown fact 'is_veteran'" in problem


def test_unknown_value_in_condition(data_dir: Path) -> None:
    _edit(data_dir / "clauses.yml", '"housing in owned, rented"', '"housing in owned, borrowed"')
    (problem,) = _problems(data_dir)
    assert "has no value 'borrowed'" in problem


def test_unknown_document_id(data_dir: Path) -> None:
    line = _edit(
        data_dir / "requirements.yml", "document: lease_contract", "document: lease_contrct"
    )
    problems = _problems(data_dir)
    assert any(
        p.startswith("policy_text/requirements.yml:")
        and "unknown document 'lease_contrct'" in p
        and int(p.split(":")[1]) == line
        for p in problems
    ), problems


def test_unknown_source(data_dir: Path) -> None:
    _edit(data_dir / "requirements.yml", "sources: [S10]", "sources: [S99]")
    problems = _problems(data_dir)
    assert any("unknown source 'S99'" in p for p in problems)


def test_unknown_related_and_annex(data_dir: Path) -> None:
    _edit(data_dir / "clauses.yml", "annex: [annex.16]", "annex: [annex.99]")
    problems = _problems(data_dir)
    assert any("unknown annex row 'annex.99'" in p for p in problems)


def test_every_problem_is_reported_at_once(data_dir: Path) -> None:
    _edit(data_dir / "clauses.yml", "quote: 退役士兵回原籍农村落户。", "quote: 不存在的原文。")
    _edit(data_dir / "requirements.yml", "document: lease_contract", "document: nope")
    problems = _problems(data_dir)
    assert len(problems) >= 2


def test_broken_yaml_names_the_line(data_dir: Path) -> None:
    path = data_dir / "documents.yml"
    path.write_text(path.read_text(encoding="utf-8") + "\n  - id: [unclosed\n", encoding="utf-8")
    problems = _problems(data_dir)
    assert re.match(r"policy_text/documents\.yml:\d+: not valid YAML", problems[0])


def test_missing_file(data_dir: Path) -> None:
    (data_dir / "procedures.yml").unlink()
    problems = _problems(data_dir)
    assert any(p.startswith("policy_text/procedures.yml:0: file is missing") for p in problems)


# The fallback and referral roles (``role:`` in clauses.yml).

FALLBACK_3_2 = "role: {fallback_for: [move_rural], section_for: [move_rural]}"
REFERRAL_3_2_9 = "role: {referral_for: [move_rural]}"
POINTS_3_2_9 = '    points_when: "national_rule_case in resettled, returned_overseas"\n'


def _entry_line(path: Path, clause_id: str) -> int:
    """The line a clause's entry starts on, where the loader reports its problems."""
    text = path.read_text(encoding="utf-8")
    return text[: text.index(f'- id: "{clause_id}"')].count("\n") + 1


def test_the_shipped_roles() -> None:
    kb = load_knowledge(DEFAULT_DIR)
    assert kb.fallbacks == {"settle_urban": ("3.1", "4.2"), "move_rural": ("3.2",)}
    assert kb.referrals == {"settle_urban": "3.1.7", "move_rural": "3.2.9"}
    assert [c.id for c in kb.fallback_for("settle_urban")] == ["3.1", "4.2"]
    assert kb.fallback_for("newborn") == () and kb.fallback_for(None) == ()
    referral = kb.referral_for("move_rural")
    assert referral is not None and referral.id == "3.2.9"
    assert kb.referral_for("death") is None
    assert kb.sections == {"settle_urban": "3.1", "move_rural": "3.2"}
    section = kb.section_for("settle_urban")
    assert section is not None and section.id == "3.1"
    assert kb.section_for("newborn") is None and kb.section_for(None) is None


def test_two_sections_for_one_goal(data_dir: Path) -> None:
    path = data_dir / "clauses.yml"
    _edit(path, REFERRAL_3_2_9, "role: {referral_for: [move_rural], section_for: [move_rural]}")
    (problem,) = _problems(data_dir)
    line, first = _entry_line(path, "3.2.9"), _entry_line(path, "3.2")
    assert problem == (
        f"policy_text/clauses.yml:{line}: clause 3.2.9: goal 'move_rural' already has "
        f"the section clause 3.2 (line {first}); a goal has exactly one"
    )


def test_role_with_an_unknown_goal(data_dir: Path) -> None:
    path = data_dir / "clauses.yml"
    _edit(path, FALLBACK_3_2, "role: {fallback_for: [move_rurall], section_for: [move_rural]}")
    problems = _problems(data_dir)
    line = _entry_line(path, "3.2")
    assert any(
        p.startswith(f"policy_text/clauses.yml:{line}: clause 3.2: fallback_for: unknown goal")
        and "'move_rurall'" in p
        and "settle_urban" in p  # the allowed goals are listed
        for p in problems
    ), problems


def test_unknown_role(data_dir: Path) -> None:
    path = data_dir / "clauses.yml"
    _edit(path, "role: {referral_for: [settle_urban]}", "role: {referal_for: [settle_urban]}")
    problems = _problems(data_dir)
    line = _entry_line(path, "3.1.7")
    assert (
        f"policy_text/clauses.yml:{line}: clause 3.1.7: unknown role 'referal_for'" in (problems[0])
    ), problems


def test_role_must_be_a_mapping(data_dir: Path) -> None:
    path = data_dir / "clauses.yml"
    _edit(path, FALLBACK_3_2, "role: fallback_for")
    problems = _problems(data_dir)
    line = _entry_line(path, "3.2")
    assert problems[0].startswith(f"policy_text/clauses.yml:{line}: clause 3.2: role must map")


def test_two_referrals_for_one_goal(data_dir: Path) -> None:
    path = data_dir / "clauses.yml"
    _edit(path, REFERRAL_3_2_9, "role: {referral_for: [move_rural, settle_urban]}")
    (problem,) = _problems(data_dir)
    line, first = _entry_line(path, "3.2.9"), _entry_line(path, "3.1.7")
    assert problem == (
        f"policy_text/clauses.yml:{line}: clause 3.2.9: goal 'settle_urban' already has "
        f"the referral clause 3.1.7 (line {first}); a goal has exactly one"
    )


def test_fallback_without_referral(data_dir: Path) -> None:
    path = data_dir / "clauses.yml"
    _edit(path, f"    {REFERRAL_3_2_9}\n{POINTS_3_2_9}", "")
    (problem,) = _problems(data_dir)
    line = _entry_line(path, "3.2")
    assert problem == (
        f"policy_text/clauses.yml:{line}: clause 3.2: goal 'move_rural' has a fallback "
        "but no referral clause"
    )


def test_referral_without_fallback(data_dir: Path) -> None:
    path = data_dir / "clauses.yml"
    _edit(path, f"    {FALLBACK_3_2}\n", "    role: {section_for: [move_rural]}\n")
    (problem,) = _problems(data_dir)
    line = _entry_line(path, "3.2.9")
    assert problem == (
        f"policy_text/clauses.yml:{line}: clause 3.2.9: goal 'move_rural' has a referral "
        "but no fallback clause"
    )


def test_points_when_only_on_a_referral(data_dir: Path) -> None:
    path = data_dir / "clauses.yml"
    _edit(path, POINTS_3_2_9, "")
    _edit(
        path,
        "    role: {fallback_for: [move_rural], section_for: [move_rural]}\n",
        "    role: {fallback_for: [move_rural], section_for: [move_rural]}\n" + POINTS_3_2_9,
    )
    (problem,) = _problems(data_dir)
    line = _entry_line(path, "3.2")
    assert problem == (
        f"policy_text/clauses.yml:{line}: clause 3.2: points_when is for referral clauses only"
    )
