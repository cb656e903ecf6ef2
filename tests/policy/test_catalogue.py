"""The documents catalogue: sourced, honest about weak evidence, nothing invented."""

from __future__ import annotations

import re
from pathlib import Path

from bot.policy import Knowledge

RESEARCH_SOURCE_IDS = re.compile(r"^S\d+[a-c]?$")


def test_every_route_clause_has_documents_and_a_procedure(kb: Knowledge) -> None:
    for clause in kb.clauses.values():
        if clause.condition is not None:
            assert clause.requirements, clause.id
            assert clause.procedure or clause.goal_procedures, clause.id


def test_every_requirement_names_its_evidence(kb: Knowledge) -> None:
    for clause in kb.clauses.values():
        for req in clause.requirements:
            assert req.reliability in {"N", "H", "HC", "G", "U"}
            assert req.sources or req.reliability == "G", (clause.id, req.document.id)


def test_sources_are_the_research_notes_sources(kb: Knowledge) -> None:
    for source in kb.sources.values():
        assert source.id == "policy" or RESEARCH_SOURCE_IDS.match(source.id), source.id


def test_weak_evidence_is_flagged_for_confirmation(kb: Knowledge) -> None:
    weak = [r for c in kb.clauses.values() for r in c.requirements if r.reliability in "GU"]
    assert weak and all(r.confirm for r in weak)
    strong = [r for c in kb.clauses.values() for r in c.requirements if r.reliability == "H"]
    assert strong and not any(r.confirm for r in strong)


def test_no_phone_numbers_anywhere_in_the_data() -> None:
    policy_dir = Path(__file__).resolve().parents[2] / "policy_text"
    phone = re.compile(r"(?<!\d)(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}|12345)(?!\d)")
    for path in policy_dir.glob("*.yml"):
        text = path.read_text(encoding="utf-8")
        assert not phone.search(text), f"{path.name}: {phone.search(text)}"


def test_departments_come_from_the_annex(kb: Knowledge) -> None:
    annex_departments = {
        d for c in kb.clauses.values() if c.id.startswith("annex.") for d in c.responsible
    }
    for clause in kb.clauses.values():
        assert set(clause.departments) <= annex_departments, clause.id
    assert kb.clause("3.1.5").departments == ("市公安局",)
    assert set(kb.clause("2").departments) == {"市统计局", "市公安局"}
