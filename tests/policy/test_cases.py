"""Run the policy cases in ``tests/policy/cases/*.yml``: facts in, the engine's answer out.

The cases are data a policy analyst can write and read (the keys are described in
``cases/README.md``). This module only loads them strictly and compares: a case with an
unknown key, an unknown fact or value, an unknown clause id or a repeated key fails with the
file and line of the case, so a typo can never make a case pass without checking anything.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.policy import Knowledge, Outcome, Situation, SituationError, assess
from bot.policy.engine import Assessment, ClauseFinding
from bot.policy.facts import FACTS

CASES_DIR = Path(__file__).resolve().parent / "cases"
DEFAULT_DATE = dt.date(2020, 1, 1)
"""Before the policy's marked expiry; no case outcome depends on the date."""


def _ids(findings: tuple[ClauseFinding, ...]) -> list[str]:
    return [finding.clause.id for finding in findings]


# Expectation key → what it reads from the assessment. Clause lists and fact lists are
# compared exactly and in order.
CLAUSE_LISTS: dict[str, Callable[[Assessment], list[str]]] = {
    "applies": lambda a: _ids(a.applicable),
    "possible": lambda a: _ids(a.possible),
    "ruled_out": lambda a: _ids(a.ruled_out),
    "fallback": lambda a: _ids(a.fallback),
    "cited": lambda a: _ids(a.cited),
    "referrals": lambda a: [clause.id for clause in a.referrals],
}
FACT_LISTS: dict[str, Callable[[Assessment], list[str]]] = {
    "missing": lambda a: list(a.missing),
}
LATER_LISTS: dict[str, Callable[[Assessment], list[str]]] = {
    "later": lambda a: [f"{c.document.id}/{c.passage.id}" for c in a.changes],
    "expired": lambda a: [str(a.expired).lower()],
}
"""The answer as of the case's date: the later passages shown ("document/passage", in
order) and whether the base document had expired (``expired: true``)."""
EXPECTATIONS = {"outcome", "asks_first", *CLAUSE_LISTS, *FACT_LISTS, *LATER_LISTS}
CASE_KEYS = {"name", "date", "facts", *EXPECTATIONS}


class CaseError(Exception):
    """A case file or case is malformed; the message names the file and line."""


class _CaseLoader(yaml.SafeLoader):
    """A safe loader that rejects repeated keys and remembers each mapping's line."""


class _Mapping(dict[str, Any]):
    line = 0


def _construct_mapping(loader: _CaseLoader, node: yaml.MappingNode) -> _Mapping:
    mapping = _Mapping()
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in mapping:
            line = key_node.start_mark.line + 1
            raise CaseError(f"line {line}: key '{key}' is given twice")
        mapping[str(key)] = loader.construct_object(value_node, deep=True)
    mapping.line = node.start_mark.line + 1
    return mapping


_CaseLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


@dataclass(frozen=True)
class Case:
    """One case as written: where it is, its facts, and its expectations (unchecked yet)."""

    where: str
    name: str
    data: Mapping[str, Any]
    group: str = ""
    """The file's name without ``.yml``: the route or clause group."""


def load_cases(directory: Path = CASES_DIR) -> list[Case]:
    """Read every case file; a file that is not a list of named cases is an error."""
    cases: list[Case] = []
    names: dict[str, str] = {}
    for path in sorted(directory.glob("*.yml")):
        try:
            raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_CaseLoader)
        except CaseError as exc:
            raise CaseError(f"{path.name}: {exc}") from None
        if not isinstance(raw, list):
            raise CaseError(f"{path.name}: must be a list of cases")
        for item in raw:
            if not isinstance(item, _Mapping) or not isinstance(item.get("name"), str):
                raise CaseError(f"{path.name}: every case is a mapping with a name: {item!r}")
            where = f"{path.relative_to(directory.parent)}:{item.line}"
            if item["name"] in names:
                raise CaseError(
                    f"{where}: name {item['name']!r} is also used at {names[item['name']]}"
                )
            names[item["name"]] = where
            cases.append(Case(where, item["name"], item, path.stem))
    return cases


@dataclass(frozen=True)
class Checked:
    """A validated case: the situation, the date, and what to compare."""

    situation: Situation
    date: dt.date
    expected: dict[str, Any]


def check_case(case: Case, kb: Knowledge) -> Checked:
    """Validate a case against the vocabulary and the knowledge base.

    Raises:
        CaseError: An unknown key, fact, value, outcome or clause id, or no expectation.
    """
    data = case.data

    def fail(reason: str) -> CaseError:
        return CaseError(f"{case.where}: case {case.name!r}: {reason}")

    unknown = sorted(set(data) - CASE_KEYS)
    if unknown:
        raise fail(f"unknown key(s) {unknown} (allowed: {sorted(CASE_KEYS)})")
    facts = data.get("facts")
    if not isinstance(facts, dict):
        raise fail("'facts' must be a mapping of fact names to values (use {} for none)")
    try:
        situation = Situation.from_mapping(facts)
    except SituationError as exc:
        raise fail(f"facts: {exc}") from None
    date = data.get("date", DEFAULT_DATE)
    if not isinstance(date, dt.date):
        raise fail(f"'date' must be a date like 2020-01-01, not {date!r}")
    expected = {key: data[key] for key in EXPECTATIONS if key in data}
    if not expected:
        raise fail(f"no expectation (give at least one of {sorted(EXPECTATIONS)})")
    if "outcome" in expected and expected["outcome"] not in {o.value for o in Outcome}:
        raise fail(
            f"unknown outcome {expected['outcome']!r} ({', '.join(o.value for o in Outcome)})"
        )
    for key in CLAUSE_LISTS:
        ids = expected.get(key, [])
        if not isinstance(ids, list):
            raise fail(f"'{key}' must be a list of clause ids")
        for cid in ids:
            if not isinstance(cid, str):
                raise fail(f'{key}: clause id {cid!r} must be quoted, e.g. "{cid}"')
            if cid not in kb.clauses:
                raise fail(f"{key}: unknown clause id '{cid}'")
    for key in FACT_LISTS:
        names = expected.get(key, [])
        if not isinstance(names, list) or any(name not in FACTS for name in names):
            raise fail(f"'{key}' must be a list of known facts, not {names!r}")
    if "asks_first" in expected and expected["asks_first"] not in FACTS:
        raise fail(f"asks_first: unknown fact {expected['asks_first']!r}")
    passages = {f"{d.id}/{p.id}" for d in kb.later for p in d.passages}
    later = expected.get("later", [])
    if not isinstance(later, list):
        raise fail("'later' must be a list of document/passage ids")
    for pid in later:
        if pid not in passages:
            raise fail(f"later: unknown passage '{pid}' (as document/passage)")
    if "expired" in expected:
        if not isinstance(expected["expired"], bool):
            raise fail("'expired' must be true or false")
        expected["expired"] = [str(expected["expired"]).lower()]
    return Checked(situation, date, expected)


def differences(result: Assessment, expected: Mapping[str, Any]) -> list[str]:
    """What the engine said that the case did not expect, one line per key."""
    found: list[str] = []
    if "outcome" in expected and result.outcome.value != expected["outcome"]:
        found.append(f"outcome: expected {expected['outcome']}, got {result.outcome.value}")
    for key, read in {**CLAUSE_LISTS, **FACT_LISTS, **LATER_LISTS}.items():
        if key in expected and read(result) != expected[key]:
            found.append(f"{key}: expected {expected[key]}, got {read(result)}")
    if "asks_first" in expected and result.missing[:1] != (expected["asks_first"],):
        found.append(f"asks_first: expected {expected['asks_first']}, got {result.missing[:1]}")
    # Checked for every case, as the tests these cases came from did.
    for cid in expected.get("ruled_out", ()):
        if cid in _ids(result.applicable) + _ids(result.possible):
            found.append(f"ruled_out: {cid} is also applicable or possible")
    for finding in result.ruled_out:
        if finding.clause.id in expected.get("ruled_out", ()) and not finding.reasons:
            found.append(f"ruled_out: {finding.clause.id} does not say why")
    if result.outcome is Outcome.ELIGIBLE:
        if not result.documents:
            found.append("an eligible answer must come with its documents")
        if not result.procedures:
            found.append("an eligible answer must say where to apply")
    if result.outcome is Outcome.RESIDENCE_PERMIT and not result.documents:
        found.append("a residence-permit answer must come with the permit's documents")
    return found


CASES = load_cases()


@pytest.mark.parametrize("case", CASES, ids=[f"{c.group}: {c.name}" for c in CASES])
def test_case(kb: Knowledge, case: Case) -> None:
    checked = check_case(case, kb)
    result = assess(checked.situation, kb, today=checked.date)
    problems = differences(result, checked.expected)
    assert not problems, f"{case.where}: case {case.name!r}:\n  " + "\n  ".join(problems)


def test_there_are_cases_for_every_route_clause(kb: Knowledge) -> None:
    """Every clause with a condition applies in at least one case."""
    applied = {cid for case in CASES for cid in case.data.get("applies", ())}
    routes = {cid for cid, clause in kb.clauses.items() if clause.condition is not None}
    assert routes <= applied, sorted(routes - applied)


# The loader itself: a typo in a case must fail loudly, never pass silently.

GOOD = {"name": "ok", "facts": {"goal": "settle_urban", "housing": "rented"}, "applies": ["3.1.5"]}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"appiles": ["3.1.5"]}, "unknown key(s) ['appiles']"),
        ({"facts": {"goal": "settle_urban", "housnig": "rented"}}, "未知的情况项 'housnig'"),
        ({"facts": {"goal": "settle_urban", "housing": "tent"}}, "'housing' 的取值 'tent' 无效"),
        ({"facts": None}, "'facts' must be a mapping"),
        ({"applies": ["3.1.55"]}, "applies: unknown clause id '3.1.55'"),
        ({"applies": [4.1]}, 'clause id 4.1 must be quoted, e.g. "4.1"'),
        ({"applies": "3.1.5"}, "'applies' must be a list"),
        ({"outcome": "elegible"}, "unknown outcome 'elegible'"),
        ({"missing": ["housnig"]}, "'missing' must be a list of known facts"),
        ({"asks_first": "gaol"}, "asks_first: unknown fact 'gaol'"),
        ({"date": "soon"}, "'date' must be a date"),
        ({"later": ["hunan-2024-measures/online"]}, "later: unknown passage"),
        ({"expired": "yes"}, "'expired' must be true or false"),
        ({"applies": None}, "'applies' must be a list"),
    ],
)
def test_a_malformed_case_is_rejected(kb: Knowledge, change: dict[str, Any], message: str) -> None:
    case = Case("cases/x.yml:1", "ok", {**GOOD, **change})
    with pytest.raises(CaseError) as info:
        check_case(case, kb)
    assert message in str(info.value)
    assert str(info.value).startswith("cases/x.yml:1: case 'ok': ")


def test_a_case_without_expectations_is_rejected(kb: Knowledge) -> None:
    case = Case("cases/x.yml:1", "ok", {"name": "ok", "facts": {"goal": "death"}})
    with pytest.raises(CaseError, match="no expectation"):
        check_case(case, kb)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "- name: a\n  facts: {}\n  facts: {goal: death}\n  outcome: eligible\n",
            "key 'facts' is given twice",
        ),
        (
            "- name: a\n  facts: {}\n  outcome: need_goal\n- name: a\n  facts: {}\n",
            "name 'a' is also used",
        ),
        ("name: a\nfacts: {}\n", "must be a list of cases"),
        ("- facts: {}\n  outcome: need_goal\n", "every case is a mapping with a name"),
    ],
)
def test_a_malformed_case_file_is_rejected(tmp_path: Path, text: str, message: str) -> None:
    directory = tmp_path / "cases"
    directory.mkdir()
    (directory / "x.yml").write_text(text, encoding="utf-8")
    with pytest.raises(CaseError, match=message):
        load_cases(directory)
