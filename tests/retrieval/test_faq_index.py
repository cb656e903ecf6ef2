"""The FAQ matcher: paraphrases written differently from the entries find them; others don't."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
import yaml

from bot.retrieval.faq_index import SUGGEST, THRESHOLD, FaqIndex, LiveMatcher
from tests.support.faq import ASKED, ENTRIES_FILE, NOT_ASKED, SITUATIONS, SUGGESTED


@dataclass(frozen=True)
class Entry:
    id: int
    key: str
    question: str
    paraphrases: tuple[str, ...] = field(default=())


def load_entries() -> list[Entry]:
    rows = yaml.safe_load(ENTRIES_FILE.read_text(encoding="utf-8"))
    return [
        Entry(i, row["key"], row["question"], tuple(row["paraphrases"]))
        for i, row in enumerate(rows, 1)
    ]


@pytest.fixture(scope="module")
def index() -> FaqIndex:
    return FaqIndex(load_entries())


@pytest.mark.parametrize(("text", "key"), ASKED)
def test_paraphrases_find_their_entry(index: FaqIndex, text: str, key: str) -> None:
    matches = index.match(text)
    assert matches, f"{text!r}: no entry above {THRESHOLD}"
    assert matches[0].entry.key == key, [(m.entry.key, m.score) for m in matches]  # type: ignore[attr-defined]


@pytest.mark.parametrize(("text", "key"), SUGGESTED)
def test_distant_paraphrases_are_only_suggested(index: FaqIndex, text: str, key: str) -> None:
    assert index.match(text) == []
    suggested = index.match(text, threshold=SUGGEST)
    assert suggested[0].entry.key == key  # type: ignore[attr-defined]


@pytest.mark.parametrize("text", NOT_ASKED)
def test_unrelated_messages_match_nothing(index: FaqIndex, text: str) -> None:
    assert index.match(text, threshold=SUGGEST) == []


@pytest.mark.parametrize("text", SITUATIONS)
def test_situation_descriptions_are_not_sure_matches(index: FaqIndex, text: str) -> None:
    assert index.match(text) == []


def test_scores_are_cosines_and_ranked(index: FaqIndex) -> None:
    exact = index.match("居住证有什么用？")
    assert exact[0].score == pytest.approx(1.0, abs=0.01)
    assert exact[0].phrasing == "居住证有什么用？"
    scores = [m.score for m in index.match("居住证 户口", threshold=0.0)]
    assert scores == sorted(scores, reverse=True)


def test_a_long_message_on_something_else_does_not_match_on_one_word(index: FaqIndex) -> None:
    text = "我家孩子在长沙读大学，学校要求交一份家庭经济困难证明，村委会说要先去民政局盖章，怎么办"
    assert index.match(text) == []


def test_empty_index_matches_nothing() -> None:
    assert FaqIndex([]).match("居住证有什么用") == []


def test_live_matcher_rebuilds_only_when_the_revision_changes() -> None:
    entries = load_entries()
    published = entries[:1]
    revision = [1]
    builds = []

    def read() -> list[Entry]:
        builds.append(1)
        return list(published)

    live = LiveMatcher(read, lambda: revision[0])
    assert live.match("居住证有什么用") == []
    live.match("进城落户要退出宅基地吗")
    assert len(builds) == 1
    published.append(entries[2])
    assert live.match("居住证有什么用") == []  # not published as far as the index knows
    revision[0] = 2
    assert live.match("居住证有什么用")[0].entry.key == "residence_permit_rights"  # type: ignore[attr-defined]
    assert len(builds) == 2
    published.clear()
    revision[0] = 3
    assert live.match("居住证有什么用") == []


def test_a_rebuild_segments_only_new_phrasings(monkeypatch: pytest.MonkeyPatch) -> None:
    import bot.retrieval.faq_index as matcher

    segmented: list[str] = []
    real_terms = matcher.terms

    def counting(text: str) -> list[str]:
        segmented.append(text)
        return real_terms(text)

    monkeypatch.setattr(matcher, "terms", counting)
    entries = load_entries()
    published, revision = entries[:5], [1]
    live = LiveMatcher(lambda: list(published), lambda: revision[0])
    live.index()
    first = len(segmented)
    assert first == sum(1 + len(e.paraphrases) for e in published)
    published.append(entries[5])
    revision[0] = 2
    live.index()
    assert len(segmented) - first == 1 + len(entries[5].paraphrases)
    published.pop(0)
    revision[0] = 3
    before = len(segmented)
    assert all(m.entry != entries[0] for m in live.match(entries[0].question))
    assert len(segmented) - before == 1  # only the message itself: nothing new to segment
