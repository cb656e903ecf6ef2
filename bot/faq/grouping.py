"""Group similar unanswered questions, so staff see each question once with a count.

Two questions are similar when their characters and character bigrams overlap (Jaccard index)
by at least :data:`THRESHOLD`, once normalised (:func:`bot.nlu.normalize.normalize`) and
stripped of the filler every question has (请问, 怎么, 需要, 什么 …), which would otherwise
make 新生儿落户需要什么材料 look like 投靠落户需要什么材料. Clustering is greedy in id order: a
question joins the most similar group whose first question is similar enough, else starts a
group of its own. It is lexical: rewordings group, but so do 买了房子可以落户吗 and
租房子可以落户吗.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import Protocol, TypeVar

THRESHOLD = 0.45
"""Tuned in ``tests/faq/test_grouping.py``: rewordings join, same-pattern questions do not."""

_FILLER = re.compile(
    "请问|你好|您好|麻烦|一下|我想|想问|咨询|可以|能不能|能否|是否|是不是|有没有|"
    # How and how long are asked of everything (改名字怎么办 and 户口改名字得多久 are one question).
    "怎么办|怎么|怎样|如何|什么|哪些|哪里|需要|要求|办理|多长时间|多久|几天|吗|呢|啊|吧|呀|的|了|得"
)
_NOT_TEXT = re.compile(r"[\W_]+")


def features(normalized: str) -> frozenset[str]:
    """The characters and character bigrams of the text's words, filler removed.

    Text that is all filler (请问一下) is its own feature, so only its exact repeats match it.
    """
    grams: set[str] = set()
    for word in _NOT_TEXT.split(_FILLER.sub(" ", normalized.lower())):
        grams.update(word)
        grams.update(word[i : i + 2] for i in range(len(word) - 1))
    return frozenset(grams or {normalized})


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """Jaccard index of two feature sets (0 when both are empty)."""
    union = len(a | b)
    return len(a & b) / union if union else 0.0


class Question(Protocol):
    """A stored question: its id, its text as stored, and that text normalised."""

    @property
    def id(self) -> int:
        """The row id (questions are clustered in id order)."""

    @property
    def text(self) -> str:
        """The text as stored (masked)."""

    @property
    def normalized(self) -> str:
        """The text normalised."""


Q = TypeVar("Q", bound=Question)


def cluster(questions: Sequence[Q], threshold: float = THRESHOLD) -> list[list[Q]]:
    """Greedy clusters of ``questions`` (taken in id order); each keeps id order."""
    groups: list[tuple[frozenset[str], list[Q]]] = []
    for question in sorted(questions, key=lambda q: q.id):
        grams = features(question.normalized)
        score, members = max(
            ((similarity(grams, seed), members) for seed, members in groups),
            key=lambda pair: pair[0],
            default=(0.0, []),
        )
        if score >= threshold:
            members.append(question)
        else:
            groups.append((grams, [question]))
    return [members for _, members in groups]


def wordings(members: Sequence[Question]) -> list[str]:
    """The distinct wordings of a group, most frequent first (ties: first seen first)."""
    counts = Counter(member.normalized for member in members)
    first: dict[str, str] = {}
    for member in members:
        first.setdefault(member.normalized, member.text)
    return [first[normalized] for normalized, _ in counts.most_common()]
