"""Full-text search over the policy: BM25 on jieba words and character bigrams.

Index terms come from :mod:`bot.nlu.terms`. A clause is indexed by its title (counted twice:
a title names what the clause is about), its section's title (三(一)1 is a 城镇 route because
三(一) says so), its quotes and, for an annex row, the departments responsible.

Queries are expanded with the citizens' words of ``data/search/synonyms.yml`` and the
operators' words of ``operator_synonyms.yml`` (next to this module: 集体户, 准迁证, 农转非 …,
written from what callers say; tuned on the ``dev`` half of ``tests/data/search/`` only,
``make report-search``).

A clause is a hit only when it matches at least one *specific* term — one found in at most
:data:`SPECIFIC_SHARE` of the clauses — unless every word of the query is the policy's own.
Words the whole policy uses (户口, 落户, 人口) still rank the hits, but beside words the policy
never uses they find nothing: "户口本丢了补办" gets no result (and the page says what the policy
covers) rather than 3 clauses that merely say 户口.

Each hit carries the clause, a snippet with the matched terms marked — escaped for HTML first,
so a query can never inject markup — and the matched strings, for marking the full clause.
"""

from __future__ import annotations

import html
import math
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from pypinyin import lazy_pinyin

from bot.nlu.normalize import normalize
from bot.nlu.terms import expand, load_synonyms, terms
from bot.policy.model import Clause, Knowledge

OPERATOR_SYNONYMS = Path(__file__).with_name("operator_synonyms.yml")
TOWN_SECTION = "3.1"
RURAL_SECTION = "3.2"
"""三(二), moves *to* the countryside: the restricted case, second to 三(一) unless asked for."""
RURAL_WORDS = ("农村", "乡下", "村里", "村上", "老家", "原籍", "回村", "乡里")
DEPARTMENT_WORDS = re.compile(r"局|部门|单位|负责|牵头|办$|委")
ANNEX_WEIGHT = 0.5
RURAL_WEIGHT = 0.6
SPECIFIC_SHARE = 0.2
"""A term in more than this share of the clauses is common: it ranks, but finds nothing alone."""


@dataclass(frozen=True)
class Hit:
    """One search result."""

    clause: Clause
    score: float
    snippet: str
    matched: tuple[str, ...] = ()
    """The strings of the clause's text the query matched (words and two-character runs)."""


class PolicySearch:
    """A BM25 index over every clause's title and quotes (built once, queried many times)."""

    def __init__(self, knowledge: Knowledge, k1: float = 1.5, b: float = 0.75) -> None:
        """Index the clauses of ``knowledge``."""
        self.k1, self.b = k1, b
        self.clauses = list(knowledge.clauses.values())
        self.texts = [
            " ".join((c.title, c.quote, *c.extra_quotes, *c.responsible)) for c in self.clauses
        ]
        by_id = {c.id: c for c in self.clauses}
        self.docs = []
        for text, clause in zip(self.texts, self.clauses, strict=True):
            doc = Counter(terms(text)) + Counter(terms(clause.title))
            parent = by_id.get(clause.id.rpartition(".")[0])
            if parent is not None and not clause.id.startswith("annex"):
                # An item belongs to its section: 三(一)1 is about 城镇地区 as 三(一) says.
                doc.update(terms(parent.title))
            self.docs.append(doc)
        self.lengths = [sum(doc.values()) for doc in self.docs]
        self.avg_length = sum(self.lengths) / len(self.lengths)
        frequency: Counter[str] = Counter()
        for doc in self.docs:
            frequency.update(doc.keys())
        n = len(self.docs)
        self.idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in frequency.items()}
        self.specific = frozenset(t for t, f in frequency.items() if f <= SPECIFIC_SHARE * n)
        self.synonyms = {**load_synonyms(), **load_synonyms(OPERATOR_SYNONYMS)}
        words = {t for doc in self.docs for t in doc if not t.startswith("#")}
        self.vocabulary = frozenset(
            w for w in words | set(self.synonyms) if 2 <= len(w) <= 4 and _chinese(w)
        )
        self.by_sound: dict[tuple[str, ...], list[str]] = {}
        for word in sorted(self.vocabulary):
            self.by_sound.setdefault(tuple(lazy_pinyin(word)), []).append(word)

    def _town_first(self, scored: dict[int, float], hit_terms: dict[int, set[str]]) -> None:
        """Put each 三(二) item below the 三(一) items that matched what it matched.

        Just below the best one that matched every term it matched; otherwise, when one shares
        a term with it, weighed by :data:`RURAL_WEIGHT`.

        投靠, 毕业生 … name a route into a town (三(一)) and one to the countryside (三(二)); a
        caller who names no countryside is moving into a town, the general case. A 三(二) item
        with no town counterpart (刑满释放, 退役士兵回原籍) keeps its place.
        """
        towns = [i for i in scored if self.clauses[i].id.startswith(TOWN_SECTION + ".")]
        for index in list(scored):
            if not self.clauses[index].id.startswith(RURAL_SECTION + "."):
                continue
            rivals = [scored[t] for t in towns if hit_terms[index] <= hit_terms[t]]
            if rivals and max(rivals) <= scored[index]:
                scored[index] = max(rivals) * 0.99
            elif any(hit_terms[index] & hit_terms[t] for t in towns):
                scored[index] *= RURAL_WEIGHT

    def expand(self, query: str) -> str:
        """Add the policy's words for the citizen's words found in ``query``.

        Words typed with a sound-alike slip (落护, 毕叶生, 居住正 — pinyin input picks the wrong
        character of the right sound) are read as the word they sound like (:meth:`corrected`).
        """
        normalized = normalize(query)
        fixed = self.corrected(normalized)
        return expand(normalized if fixed == normalized else f"{normalized} {fixed}", self.synonyms)

    def corrected(self, text: str) -> str:
        """``text`` with each sound-alike slip replaced by the word it sounds like.

        A slip is a run that sounds like a word of the index or a synonym's key but is not one;
        longer runs are replaced first.

        Runs of 2 to 4 Chinese characters are compared by toneless pinyin (:mod:`pypinyin`).
        """
        syllables = [lazy_pinyin(ch)[0] if _chinese(ch) else "" for ch in text]
        chars = list(text)
        for size in (4, 3, 2):
            for start in range(len(text) - size + 1):
                run = "".join(chars[start : start + size])
                key = tuple(syllables[start : start + size])
                if "" in key or run in self.vocabulary or key not in self.by_sound:
                    continue
                chars[start : start + size] = list(self.by_sound[key][0])
        return "".join(chars)

    def search(self, query: str, limit: int = 10) -> list[Hit]:
        """Return up to ``limit`` clauses ranked by BM25 for ``query`` (synonyms added)."""
        expanded = self.expand(query)
        query_terms = set(terms(expanded))
        if not query_terms:
            return []
        # 投靠, 毕业生 … are routes into a town (三(一)) and to the countryside (三(二)) alike;
        # a caller who names no countryside is moving into a town, the general case.
        rural = any(word in expanded for word in RURAL_WORDS)
        # A query made only of the policy's own words (落户, 户口迁移) is answered even when they
        # are common; one with words the policy never uses (户口本丢了补办) needs a specific match.
        words = [t for t in terms(self.corrected(normalize(query))) if not t.startswith("#")]
        covered = bool(words) and all(t in self.idf for t in words)
        # The annex says who is responsible: first only when a department is asked about.
        department = DEPARTMENT_WORDS.search(query) is not None
        scored: dict[int, float] = {}
        hit_terms: dict[int, set[str]] = {}
        for index, doc in enumerate(self.docs):
            score = 0.0
            norm = self.k1 * (1 - self.b + self.b * self.lengths[index] / self.avg_length)
            found = {term for term in query_terms if doc.get(term, 0)}
            if not found & self.specific and not covered:
                continue
            for term in found:
                tf = doc[term]
                score += self.idf[term] * tf * (self.k1 + 1) / (tf + norm)
            clause_id = self.clauses[index].id
            if clause_id.startswith("annex") and not department:
                score *= ANNEX_WEIGHT
            scored[index] = score
            # Compared as strings: 投靠 as a word in one clause and as a bigram in another.
            hit_terms[index] = {t.lstrip("#") for t in found & self.specific}
        if not rural:
            self._town_first(scored, hit_terms)
        ranked = sorted(scored.items(), key=lambda item: (-item[1], item[0]))
        hits = []
        for i, score in ranked[:limit]:
            strings = {t.lstrip("#") for t in query_terms if t in self.docs[i]}
            matched = tuple(sorted((w for w in strings if len(w) > 1), key=lambda w: (-len(w), w)))
            words = [w for w in matched if w in self.texts[i]]
            hits.append(
                Hit(self.clauses[i], round(score, 3), snippet(self.texts[i], words), matched)
            )
        return hits


def _chinese(word: str) -> bool:
    return all("\u4e00" <= ch <= "\u9fff" for ch in word)


def marked_spans(text: str, words: list[str]) -> list[tuple[int, int]]:
    """Where ``words`` occur in ``text``, overlapping and touching spans merged, in order."""
    spans = sorted(
        (m.start(), m.start() + len(word))
        for word in set(words)
        if word
        for m in re.finditer(re.escape(word), text)
    )
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def snippet(text: str, words: list[str], width: int = 60) -> str:
    """An HTML-escaped excerpt around the first matched word, matches wrapped in <mark>."""
    spans = marked_spans(text, words)
    start = max(0, spans[0][0] - width // 3) if spans else 0
    end = start + width
    parts, at = [], start
    for s_start, s_end in spans:
        if s_end <= start or s_start >= end:
            continue
        s_start, s_end = max(s_start, start), min(s_end, end)
        parts.append(html.escape(text[at:s_start]))
        parts.append(f"<mark>{html.escape(text[s_start:s_end])}</mark>")
        at = s_end
    parts.append(html.escape(text[at:end]))
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    return f"{prefix}{''.join(parts)}{suffix}"


_BUILT: dict[int, tuple[Knowledge, PolicySearch]] = {}


def search_for(kb: Knowledge) -> PolicySearch:
    """The one search over ``kb`` in this process, built on first use.

    The gateway's ``/api/search`` and the answers that rank clauses by the question's words
    (bot.dialogue.answers) share it: one index per knowledge base, not one per user.
    """
    held = _BUILT.get(id(kb))
    if held is None or held[0] is not kb:
        held = _BUILT[id(kb)] = (kb, PolicySearch(kb))
    return held[1]
