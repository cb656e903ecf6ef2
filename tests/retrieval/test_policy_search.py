"""Policy search: what callers say finds the clause (issue 15), and common words alone find nothing.

A few pinned results only; the whole query set is scored by ``make report-search``.
"""

from __future__ import annotations

import pytest

from bot.policy import load_knowledge
from bot.retrieval.policy_search import PolicySearch


@pytest.fixture(scope="module")
def index() -> PolicySearch:
    return PolicySearch(load_knowledge())


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("投靠", "3.1.1"),  # the town route first when no countryside is named (was last)
        ("投靠父母回农村", "3.2.5"),
        ("集体户", "3.2.3"),  # the school's collective hukou (missed it before)
        ("农转非", "2"),
        ("人社局", "annex.6"),  # an annex row by its department
        ("坐过牢能落户吗", "3.2.4"),
    ],
)
def test_callers_words_find_the_clause(index: PolicySearch, query: str, first: str) -> None:
    hits = index.search(query, 3)
    assert hits and hits[0].clause.id == first


@pytest.mark.parametrize("query", ["准迁证", "派出所"])
def test_paperwork_words_find_the_moves(index: PolicySearch, query: str) -> None:
    assert index.search(query, 3), query


@pytest.mark.parametrize("query", ["户口本丢了补办", "护照怎么办"])
def test_common_words_alone_find_nothing(index: PolicySearch, query: str) -> None:
    assert index.search(query) == []


@pytest.mark.parametrize(
    ("query", "first"), [("落护", "3.1"), ("毕叶生落户", "3.1.2"), ("居住正", "4.2")]
)
def test_sound_alike_slips_find_the_word(index: PolicySearch, query: str, first: str) -> None:
    hits = index.search(query, 3)
    assert first in [hit.clause.id for hit in hits], query


def test_hits_name_the_strings_they_matched(index: PolicySearch) -> None:
    hit = index.search("集体户", 1)[0]
    assert "就读" in hit.matched
    text = " ".join((hit.clause.title, hit.clause.quote, *hit.clause.extra_quotes))
    assert all(word in text for word in hit.matched)
