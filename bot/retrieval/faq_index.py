"""Matching a citizen's message against the published FAQ entries, at run time.

Every phrasing of an entry (its question and each paraphrase) is a document; a message is
compared with each by TF-IDF cosine similarity over :func:`bot.nlu.terms.terms` (jieba words +
character bigrams, with the citizens'-words synonyms added on both sides). An entry's score is
its best phrasing's. Terms the FAQ has never seen still count in the message's length, so a
long message about something else scores low instead of matching on one shared word.

:class:`LiveMatcher` asks the store for its revision counter before each match (one small
query) and rebuilds the index when something was published, archived or restored: a new
entry is answered on the next message, an archived one is never answered again.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.nlu.terms import expand, load_synonyms, terms

THRESHOLD = 0.28
"""From this cosine similarity on, the entry's answer is given (tuned in
tests/retrieval/test_faq_index.py: paraphrases written by another hand score 0.32–0.77,
unrelated messages and situation descriptions at most 0.19)."""

SUGGEST = 0.18
"""Between this and :data:`THRESHOLD` the entry is only offered ("您是想问……吗？")."""


class Published(Protocol):
    """What the matcher needs of a published entry."""

    @property
    def id(self) -> int:
        """Entry id."""

    @property
    def question(self) -> str:
        """The entry's question."""

    @property
    def paraphrases(self) -> Sequence[str]:
        """Other ways people ask it."""


@dataclass(frozen=True)
class Match:
    """One entry that fits a message."""

    entry: Published
    score: float
    phrasing: str


class FaqIndex:
    """An inverted TF-IDF index over every phrasing of the given entries."""

    def __init__(
        self,
        entries: Sequence[Published],
        synonyms: dict[str, list[str]] | None = None,
        bags: dict[str, Counter[str]] | None = None,
    ) -> None:
        """Index ``entries`` (built once; rebuild to change).

        ``bags`` caches each phrasing's terms by its text across rebuilds (segmenting is
        most of a rebuild's time); it is filled here and left holding only this index's
        phrasings.
        """
        self.entries = list(entries)
        self.synonyms = load_synonyms() if synonyms is None else synonyms
        self.phrasings: list[tuple[int, str]] = []  # (entry position, text)
        for position, entry in enumerate(self.entries):
            for text in (entry.question, *entry.paraphrases):
                if text.strip():
                    self.phrasings.append((position, text))
        cache = {} if bags is None else bags
        kept = {text: cache.get(text) for _, text in self.phrasings}
        cache.clear()
        for text, bag in kept.items():
            cache[text] = bag if bag is not None else Counter(terms(expand(text, self.synonyms)))
        bags_in_order = [cache[text] for _, text in self.phrasings]
        frequency: Counter[str] = Counter()
        for bag in bags_in_order:
            frequency.update(bag.keys())
        n = len(bags_in_order)
        self.idf = {t: math.log((n + 1) / (f + 1)) + 1.0 for t, f in frequency.items()}
        self.unseen_idf = math.log(n + 1) + 1.0
        self.postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for doc, bag in enumerate(bags_in_order):
            weights = {t: (1 + math.log(tf)) * self.idf[t] for t, tf in bag.items()}
            norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
            for term, weight in weights.items():
                self.postings[term].append((doc, weight / norm))

    def match(self, text: str, limit: int = 3, threshold: float = THRESHOLD) -> list[Match]:
        """The entries whose best phrasing is at least ``threshold`` similar to ``text``."""
        bag = Counter(terms(expand(text, self.synonyms)))
        if not bag or not self.phrasings:
            return []
        idf = self.idf
        weights = {t: (1 + math.log(tf)) * idf.get(t, self.unseen_idf) for t, tf in bag.items()}
        norm = math.sqrt(sum(w * w for w in weights.values()))
        scores: dict[int, float] = defaultdict(float)
        for term, weight in weights.items():
            for doc, doc_weight in self.postings.get(term, ()):
                scores[doc] += weight * doc_weight
        best: dict[int, tuple[float, int]] = {}
        for doc, dot in scores.items():
            position = self.phrasings[doc][0]
            score = dot / norm
            if position not in best or score > best[position][0]:
                best[position] = (score, doc)
        ranked = sorted(best.items(), key=lambda item: (-item[1][0], item[0]))
        return [
            Match(self.entries[position], round(score, 3), self.phrasings[doc][1])
            for position, (score, doc) in ranked[:limit]
            if score >= threshold
        ]


class LiveMatcher:
    """A :class:`FaqIndex` kept in step with the store's published entries."""

    def __init__(
        self,
        published: Callable[[], Sequence[Published]],
        revision: Callable[[], int],
    ) -> None:
        """Read entries with ``published()``; rebuild whenever ``revision()`` changes."""
        self._published, self._revision = published, revision
        self._index: FaqIndex | None = None
        self._seen: int | None = None
        self._bags: dict[str, Counter[str]] = {}
        self._synonyms = load_synonyms()

    def index(self) -> FaqIndex:
        """The current index, rebuilt first if the published set changed since the last call."""
        current = self._revision()
        if self._index is None or current != self._seen:
            self._index = FaqIndex(self._published(), self._synonyms, self._bags)
            self._seen = current
        return self._index

    def match(self, text: str, limit: int = 3, threshold: float = THRESHOLD) -> list[Match]:
        """Match ``text`` against what is published right now."""
        return self.index().match(text, limit, threshold)
