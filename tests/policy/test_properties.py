"""Properties over random situations: no crash, no clause on a false fact, documents resolve."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.policy import Knowledge, Outcome, Situation, assess, load_knowledge
from bot.policy.conditions import Atom, Condition
from bot.policy.facts import FACTS
from bot.policy.present import payload

KB: Knowledge = load_knowledge()


def _value(name: str) -> st.SearchStrategy[object]:
    fact = FACTS[name]
    known = st.booleans() if fact.is_bool else st.sampled_from(list(fact.values))
    return st.one_of(st.none(), known)


situations = st.fixed_dictionaries({name: _value(name) for name in FACTS}).map(
    Situation.from_mapping
)


def _atoms(condition: Condition) -> list[Atom]:
    if isinstance(condition, Atom):
        return [condition]
    parts = getattr(condition, "parts", None) or (getattr(condition, "part", None),)
    return [atom for part in parts if part is not None for atom in _atoms(part)]


def _required_atoms(condition: Condition) -> list[Atom]:
    """Atoms that must hold for the condition to hold (top-level conjuncts only)."""
    if isinstance(condition, Atom):
        return [condition]
    if type(condition).__name__ == "AllOf":
        return [a for part in condition.parts for a in _required_atoms(part)]  # type: ignore[union-attr]
    return []


@settings(max_examples=400, deadline=None)
@given(situations)
def test_no_clause_applies_whose_required_fact_is_false(situation: Situation) -> None:
    result = assess(situation, KB)
    for finding in result.applicable:
        assert finding.clause.condition is not None
        for atom in _required_atoms(finding.clause.condition):
            value = situation.get(atom.fact)
            assert value is not None and value in atom.accepted, (finding.clause.id, atom)


@settings(max_examples=400, deadline=None)
@given(situations)
def test_unknown_facts_never_rule_a_clause_out(situation: Situation) -> None:
    result = assess(situation, KB)
    for finding in result.ruled_out:
        assert finding.reasons
        for reason in finding.reasons:
            assert situation.get(reason.fact) is not None
    for name in result.missing:
        assert situation.get(name) is None


@settings(max_examples=300, deadline=None)
@given(situations)
def test_payload_is_complete_and_documents_resolve(situation: Situation) -> None:
    result = assess(situation, KB)
    data = payload(result, KB)
    assert data["policy"]["expires"] == "2022-07-28"
    assert data["notices"], "every answer carries the validity notice"
    for doc in data["documents"]:
        assert doc["id"] in KB.documents
        assert set(doc["for"]) <= set(KB.clauses)
    for clause in data["clauses"]:
        assert clause["quote"] in KB.text
    if result.outcome is Outcome.ELIGIBLE:
        assert data["clauses"] and data["documents"]


@settings(max_examples=200, deadline=None)
@given(situations, st.sampled_from(list(FACTS)))
def test_learning_a_fact_never_resurrects_a_ruled_out_clause(
    situation: Situation, name: str
) -> None:
    """Monotonicity: a ruled-out clause never comes back when more facts become known."""
    before = {f.clause.id for f in assess(situation, KB).ruled_out}
    if situation.get(name) is not None:
        return
    fact = FACTS[name]
    for value in [True, False] if fact.is_bool else list(fact.values):
        after = assess(situation.with_facts(**{name: value}), KB)
        back = {f.clause.id for f in (*after.applicable, *after.possible)}
        assert not before & back, (name, value, before & back)
