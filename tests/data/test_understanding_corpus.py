"""The understanding corpus (tests/data/understanding) stays as it was split, and well formed."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.policy import load_knowledge
from bot.policy.facts import FACTS

CORPUS = Path(__file__).resolve().parent / "understanding"
TEST_SHA256 = "760942554837c88ff0cf3e372efecce833823200eaa484b2b10caa7a9e65f8b5"
TEST2_SHA256 = "54838767b02a4584671796b10d22b233d8ba7f9769af79824dc5dc0be56100e4"
EXPECT_KEYS = {"clauses", "forbidden", "out_of_scope", "other_city", "facts", "not_facts"}


def _cases(name: str) -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = yaml.safe_load((CORPUS / f"{name}.yml").read_text("utf-8"))
    return cases


def test_the_test_half_is_unchanged_since_the_split() -> None:
    digest = hashlib.sha256((CORPUS / "test.yml").read_bytes()).hexdigest()
    assert digest == TEST_SHA256, "test.yml is never edited after the split (README.md)"
    digest = hashlib.sha256((CORPUS / "test2.yml").read_bytes()).hexdigest()
    assert digest == TEST2_SHA256, "test2.yml is never edited after the split (README.md)"


def test_the_halves_are_disjoint_and_complete() -> None:
    dev = {case["id"] for case in _cases("dev")}
    test = {case["id"] for case in _cases("test")}
    assert not dev & test
    assert len(dev) + len(test) == 873
    dev4 = {case["id"] for case in _cases("dev4")}
    test2 = {case["id"] for case in _cases("test2")}
    assert not dev4 & test2
    assert len(dev4) + len(test2) == 320


@pytest.mark.parametrize("name", ["dev", "dev2", "dev3", "dev4", "test", "test2"])
def test_every_case_names_real_clauses_and_facts(name: str) -> None:
    clauses = load_knowledge().clauses
    for case in _cases(name):
        where = f"{name}.yml {case['id']}"
        assert case["messages"] and all(isinstance(m, str) for m in case["messages"]), where
        expect = case["expect"]
        assert set(expect) <= EXPECT_KEYS, where
        for clause_id in [*expect.get("clauses", []), *expect.get("forbidden", [])]:
            assert clause_id in clauses, f"{where}: unknown clause {clause_id}"
        for key in ("facts", "not_facts"):
            for fact, value in (expect.get(key) or {}).items():
                assert fact in FACTS and FACTS[fact].accepts(value), f"{where}: {fact}={value!r}"
