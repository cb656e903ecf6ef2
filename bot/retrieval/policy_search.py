"""Full-text search over the policy: BM25 on jieba words and character bigrams.

Index terms come from :mod:`bot.nlu.terms`. Each hit carries the clause and a snippet with the
matched terms marked — escaped for HTML first, so a query can never inject markup.
"""

from __future__ import annotations

import html
import math
from collections import Counter
from dataclasses import dataclass

from bot.nlu.terms import expand, load_synonyms, terms
from bot.policy.model import Clause, Knowledge


@dataclass(frozen=True)
class Hit:
    """One search result."""

    clause: Clause
    score: float
    snippet: str


class PolicySearch:
    """A BM25 index over every clause's title and quotes (built once, queried many times)."""

    def __init__(self, knowledge: Knowledge, k1: float = 1.5, b: float = 0.75) -> None:
        """Index the clauses of ``knowledge``."""
        self.k1, self.b = k1, b
        self.clauses = list(knowledge.clauses.values())
        self.texts = [" ".join((c.title, c.quote, *c.extra_quotes)) for c in self.clauses]
        self.docs = [Counter(terms(text)) for text in self.texts]
        self.lengths = [sum(doc.values()) for doc in self.docs]
        self.avg_length = sum(self.lengths) / len(self.lengths)
        frequency: Counter[str] = Counter()
        for doc in self.docs:
            frequency.update(doc.keys())
        n = len(self.docs)
        self.idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in frequency.items()}
        self.synonyms = load_synonyms()

    def expand(self, query: str) -> str:
        """Add the policy's words for the citizen's words found in ``query``."""
        return expand(query, self.synonyms)

    def search(self, query: str, limit: int = 10) -> list[Hit]:
        """Return up to ``limit`` clauses ranked by BM25 for ``query`` (synonyms added)."""
        query_terms = set(terms(self.expand(query)))
        if not query_terms:
            return []
        scored = []
        for index, doc in enumerate(self.docs):
            score = 0.0
            norm = self.k1 * (1 - self.b + self.b * self.lengths[index] / self.avg_length)
            for term in query_terms:
                tf = doc.get(term, 0)
                if tf:
                    score += self.idf[term] * tf * (self.k1 + 1) / (tf + norm)
            if score > 0:
                scored.append((score, index))
        scored.sort(key=lambda item: (-item[0], item[1]))
        words = [t for t in query_terms if not t.startswith("#") and len(t) > 1]
        return [
            Hit(self.clauses[i], round(score, 3), snippet(self.texts[i], words))
            for score, i in scored[:limit]
        ]


def snippet(text: str, words: list[str], width: int = 60) -> str:
    """An HTML-escaped excerpt around the first matched word, matches wrapped in <mark>."""
    positions = [text.find(w) for w in words if w in text]
    start = max(0, min(positions) - width // 3) if positions else 0
    excerpt = text[start : start + width]
    escaped = html.escape(excerpt)
    for word in sorted(set(words), key=len, reverse=True):
        escaped = escaped.replace(html.escape(word), f"<mark>{html.escape(word)}</mark>")
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + width < len(text) else ""
    return f"{prefix}{escaped}{suffix}"
