"""A topic question asked inside a story: which topic, if one clause asks about it.

See ``data/facts/topic_questions.yml`` for why and when: a long message that tells the
citizen's situation is classified as ``inform`` even when what it asks is a topic of the policy
(农业户口 gone? my land? my child's school?). The intent classifier keeps the last word on short
questions; this only names the topic a clause of the message asks about.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from bot.nlu.normalize import normalize
from bot.paths import DATA_DIR

DEFAULT_TOPICS = DATA_DIR / "facts" / "topic_questions.yml"

CLAUSE_END = re.compile(r"[。？！?!；;\n]")
"""Where a clause ends. A question mark ends the clause it belongs to, so it is kept in it."""


@dataclass(frozen=True)
class TopicQuestions:
    """The topic terms and question cues, compiled."""

    cues: re.Pattern[str]
    terms: tuple[tuple[str, re.Pattern[str]], ...]
    moves: re.Pattern[str]

    def asked(self, text: str) -> str | None:
        """The topic intent of the first clause that asks about a topic, else ``None``.

        A clause asks about a topic when a part of it (between commas) holds a question cue
        and a topic term — or, for a short question, when the clause before it holds the term,
        since such a question follows the sentence that names the topic ("…我一直填的农业户口。
        是不是政策改了？"). A clause that names a move still to make (户口要迁吗; 孩子在城里上学，
        我想迁户口过来，可以吗) asks about the move: that is the assessment's question.
        """
        said = normalize(text)
        start = 0
        clauses = []
        for end in CLAUSE_END.finditer(said):
            clauses.append(said[start : end.end()])
            start = end.end()
        clauses.append(said[start:])
        for index, clause in enumerate(clauses):
            cues = list(self.cues.finditer(clause))
            if not cues or self.moves.search(clause):
                continue  # no question, or a question about a move
            for cue in cues:
                # Only the cue's own part: 我也不知道怎么说，我老家有宅基地 asks nothing about land.
                # A short question (是不是政策改了？) is about what was said just before it: the
                # start of its clause, and the clause before when the whole clause is that
                # question; a long one names its own topic (…大儿子在老家读高中。我能不能落，
                # 不能落的话办个什么证看病方便？).
                part_start, part_end = _part_bounds(clause, cue.start())
                window = clause[part_start:part_end]
                if part_end - part_start <= SHORT_QUESTION:
                    window = clause[:part_end]
                    if index and len(clause) <= SHORT_QUESTION:
                        window = clauses[index - 1] + window
                for intent, pattern in self.terms:
                    if pattern.search(window):
                        return intent
        return None


SHORT_QUESTION = 12
"""A question this short (in characters, its mark included) asks about what was said before."""

PART_END = re.compile(r"[,，、]")


def _part_bounds(clause: str, at: int) -> tuple[int, int]:
    """Where the comma-delimited part of ``clause`` around offset ``at`` starts and ends."""
    start = max((m.end() for m in PART_END.finditer(clause, 0, at)), default=0)
    after = PART_END.search(clause, at)
    return start, after.start() if after else len(clause)


def _alternatives(words: list[str]) -> re.Pattern[str]:
    # Longest first, so a longer term wins at the same place.
    ordered = sorted({normalize(str(w)) for w in words}, key=len, reverse=True)
    return re.compile("|".join(re.escape(w) for w in ordered))


def load_topic_questions(path: Path = DEFAULT_TOPICS) -> TopicQuestions:
    """Read the topic terms and cues (``data/facts/topic_questions.yml``).

    The intents are checked against the dialogue's topics by a test (``bot.nlu`` does not
    import the dialogue).

    Raises:
        ValueError: The file names no cues or a topic with no terms.
    """
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    cues = [str(c) for c in data.get("question_cues") or []]
    if not cues:
        raise ValueError(f"{path.name}: no question_cues")
    terms = []
    for intent, words in (data.get("topics") or {}).items():
        if not words:
            raise ValueError(f"{path.name}: topic {intent} has no terms")
        terms.append((str(intent), _alternatives(list(words))))
    moves = _alternatives([str(w) for w in data.get("move_words") or []]).pattern
    done = _alternatives([str(w) for w in data.get("move_done") or []]).pattern
    # A move word not followed by what says the move is done (迁走了, 迁到城里以后), nor
    # preceded by it (户口已迁入城区).
    before = "(?<!已)(?<!已经)(?<!早已)"
    pending = re.compile(
        f"{before}(?:{moves})(?![^,，、]{{0,4}}(?:{done}))" if done else f"{before}(?:{moves})"
    )
    return TopicQuestions(_alternatives(cues), tuple(terms), pending)


@lru_cache(maxsize=1)
def topic_questions() -> TopicQuestions:
    """The project's topic questions, loaded once."""
    return load_topic_questions()
