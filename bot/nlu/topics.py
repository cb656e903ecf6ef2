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

        A clause asks when it holds a question cue, unless the part of it around the cue
        (between commas) names a move (户口要迁吗); its topic is a term in it or, for a short
        question, in the clause before it, since such a question follows the sentence that
        names the topic ("…我一直填的农业户口。是不是政策改了？").
        """
        said = normalize(text)
        start = 0
        clauses = []
        for end in CLAUSE_END.finditer(said):
            clauses.append(said[start : end.end()])
            start = end.end()
        clauses.append(said[start:])
        for index, clause in enumerate(clauses):
            cue = self.cues.search(clause)
            if cue is None or self.moves.search(_part_around(clause, cue.start())):
                continue  # no question, or a question about a move (the assessment's)
            # A short question (是不是政策改了？) is about the sentence before it; a long one
            # names its own topic (…大儿子在老家读高中。我能不能落户，看病能报销吗？).
            before = clauses[index - 1] if index and len(clause) <= SHORT_QUESTION else ""
            window = before + clause
            for intent, pattern in self.terms:
                if pattern.search(window):
                    return intent
        return None


SHORT_QUESTION = 12
"""A question this short (in characters, its mark included) asks about the sentence before."""

PART_END = re.compile(r"[,，、]")


def _part_around(clause: str, at: int) -> str:
    """The comma-delimited part of ``clause`` around offset ``at``."""
    start = max((m.end() for m in PART_END.finditer(clause, 0, at)), default=0)
    after = PART_END.search(clause, at)
    return clause[start : after.start() if after else len(clause)]


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
    # A move word not followed by what says the move is done (迁走了, 迁到城里以后).
    pending = re.compile(f"(?:{moves})(?![^,，、]{{0,4}}(?:{done}))" if done else moves)
    return TopicQuestions(_alternatives(cues), tuple(terms), pending)


@lru_cache(maxsize=1)
def topic_questions() -> TopicQuestions:
    """The project's topic questions, loaded once."""
    return load_topic_questions()
