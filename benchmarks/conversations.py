"""How many turns a citizen needs to get an answer: scripted conversations, played through.

Each persona of ``tests/data/conversations.yml`` opens with its message (or a menu button's
payload); whenever the assistant asks a question (a ``type: question`` payload), the harness
answers it from the persona's true facts in a citizen's words (``answers`` in the same file;
"不清楚" for a fact the persona does not know). A conversation has its answer at the first turn
that asks nothing and sends an answer payload (an assessment, a topic's clauses, a decline …).

Turns are counted as the citizen's messages, the opening included: an opening answered at
once is 1. Issue 14's targets: median ≤ 3, none over 6. Also reported: whether the answer
cites the persona's expected clause (or, when none is expected, gives nothing as applicable).

The conversations run through the trained model in this process — Rasa's ``Agent`` with the
custom actions in-process (:mod:`bot.rasa_ext.inprocess_actions`), an empty FAQ database and
in-memory trackers — so no server or port is needed. Writes ``reports/conversations.md``.
Run: ``make report-conversations`` (≈ 2 min after the model loads).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import yaml

from bot.dialogue.asking import NONE_OF_THEM, short_label, together_buttons
from bot.dialogue.domain import button
from bot.paths import MODEL, ROOT
from bot.policy.facts import FACTS, FactValue

CONVERSATIONS = ROOT / "tests" / "data" / "conversations.yml"
REPORT = ROOT / "reports" / "conversations.md"
MAX_TURNS = 10
"""A conversation still without an answer after this many messages is reported unanswered."""
TARGET_MEDIAN = 3
TARGET_MAX = 6
DONT_KNOW = "不清楚"
ANSWER_TYPES = frozenset(
    {
        "assessment",
        "assessment_unchanged",
        "clause",
        "faq",
        "policy",
        "out_of_scope",
        "other_city",
        "handoff",
    }
)
"""Payload types that are an answer (a question, a clarifying question or a greeting is not)."""


@dataclass(frozen=True)
class Persona:
    """A citizen: what they type first, what is true of them, what a right answer cites."""

    name: str
    opening: str
    facts: Mapping[str, FactValue]
    expect: str | None


@dataclass
class Turn:
    """One message of the citizen and what the assistant sent back."""

    said: str
    texts: list[str] = field(default_factory=list)
    payloads: list[dict[str, Any]] = field(default_factory=list)

    @property
    def question(self) -> dict[str, Any] | None:
        """The question this turn ends with, if it asks one."""
        asked = [p for p in self.payloads if p.get("type") == "question"]
        return asked[-1] if asked else None

    @property
    def answer(self) -> dict[str, Any] | None:
        """The answer payload, when the turn answers and asks nothing."""
        if self.question is not None:
            return None
        answers = [p for p in self.payloads if p.get("type") in ANSWER_TYPES]
        return answers[-1] if answers else None


@dataclass
class Played:
    """A conversation as played: its turns, and when and how it was answered."""

    persona: Persona
    turns: list[Turn] = field(default_factory=list)

    @property
    def answered_at(self) -> int | None:
        """The number of the citizen's message that got the answer (1 = the opening)."""
        for number, turn in enumerate(self.turns, start=1):
            if turn.answer is not None:
                return number
        return None

    @property
    def answer(self) -> dict[str, Any] | None:
        """The answer payload, if the conversation got one."""
        at = self.answered_at
        return None if at is None else self.turns[at - 1].answer

    @property
    def cited(self) -> list[str]:
        """The clauses the answer cites (its own, or under an assessment it carries)."""
        answer = self.answer or {}
        if answer.get("type") == "assessment_unchanged":
            return [str(i) for i in answer.get("cited", [])]
        clauses = [c for c in answer.get("clauses", []) if not c.get("ruled_out")]
        return [str(c["id"]) for c in clauses]

    @property
    def right(self) -> bool:
        """The expected clause is cited; with none expected, nothing is given as applicable."""
        if self.persona.expect is None:
            answer = self.answer or {}
            return self.answered_at is not None and answer.get("outcome") != "eligible"
        return self.persona.expect in self.cited

    @property
    def taps(self) -> int:
        """How many answers were a tapped quick reply (the words had not been understood)."""
        return sum(turn.said.startswith("/") for turn in self.turns[1:])

    @property
    def asked(self) -> list[str]:
        """The facts the assistant asked for, in order."""
        return [str(turn.question["fact"]) for turn in self.turns if turn.question]


def load(path: Path = CONVERSATIONS) -> tuple[dict[str, dict[Any, str]], list[Persona]]:
    """The answer words and the personas of the conversations file."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    personas = [
        Persona(
            name=str(item["name"]),
            opening=str(item["opening"]),
            facts=dict(item.get("facts") or {}),
            expect=None if item.get("expect") is None else str(item["expect"]),
        )
        for item in data["conversations"]
    ]
    return dict(data.get("answers") or {}), personas


def reply(
    question: Mapping[str, Any], persona: Persona, words: Mapping[str, Mapping[Any, str]]
) -> str:
    """What the persona types to answer ``question``: its fact in its words, or 不清楚."""
    fact = str(question.get("fact"))
    value = persona.facts.get(fact)
    if value is None or fact not in FACTS:
        return DONT_KNOW
    said = (words.get(fact) or {}).get(value)
    if said:
        return said
    if isinstance(value, bool):
        return "是的" if value else "不是"
    return FACTS[fact].values.get(str(value), DONT_KNOW)


def tap(question: Mapping[str, Any], persona: Persona) -> str:
    """The quick reply the persona taps for ``question``: its value's button, or 不清楚's."""
    fact = str(question.get("fact"))
    value = persona.facts.get(fact)
    if value is None or fact not in FACTS:
        return "/dont_know"
    return button(fact, {"value": value, "label": ""})["payload"]


def choose(facts: Sequence[str], persona: Persona) -> str:
    """The quick reply the persona taps for a combined question (您属于下面哪种情形？).

    A status it has; else 都不是 when it knows it has none of them it knows of; else 不清楚.
    """
    buttons = together_buttons(facts)
    for name in facts:
        if persona.facts.get(name) is True:
            return next(b["payload"] for b in buttons if b["title"] == short_label(name))
    if any(persona.facts.get(name) is False for name in facts):
        return next(b["payload"] for b in buttons if b["title"] == NONE_OF_THEM)
    return "/dont_know"


def next_message(
    turn: Turn,
    persona: Persona,
    words: Mapping[str, Mapping[Any, str]],
    asked_before: str | None = None,
) -> str | None:
    """The persona's next message after ``turn``, or ``None`` when it has nothing to say.

    A question is answered in words; asked again (``asked_before`` is the same fact: the
    words were not understood), the persona taps the button, as the assistant then asks. A
    turn that asks nothing and answers nothing (a greeting, a clarifying question) gets the
    persona's goal in its words, if it has one.
    """
    if turn.question is not None:
        together = [str(f) for f in turn.question.get("facts") or []]
        if len(together) > 1:
            return choose(together, persona)
        if turn.question.get("fact") == asked_before:
            return tap(turn.question, persona)
        return reply(turn.question, persona, words)
    goal = persona.facts.get("goal")
    if goal is None:
        return None
    return (words.get("goal") or {}).get(goal)


class Assistant(Protocol):
    """What the harness talks to: one message in, the assistant's messages out."""

    async def __call__(self, text: str, sender: str) -> list[dict[str, Any]]:
        """Send ``text`` as ``sender``; the messages sent back (REST channel shape)."""


async def play(
    assistant: Assistant, persona: Persona, words: Mapping[str, Mapping[Any, str]]
) -> Played:
    """Play one persona's conversation until it is answered or :data:`MAX_TURNS` pass."""
    played = Played(persona)
    sender = f"report-{uuid.uuid4().hex}"
    said: str | None = persona.opening
    asked_before: str | None = None
    while said is not None and len(played.turns) < MAX_TURNS:
        messages = await assistant(said, sender)
        turn = Turn(
            said=said,
            texts=[str(m["text"]) for m in messages if m.get("text")],
            payloads=[m["custom"] for m in messages if isinstance(m.get("custom"), dict)],
        )
        played.turns.append(turn)
        if turn.answer is not None:
            break
        said = next_message(turn, persona, words, asked_before)
        asked_before = str(turn.question["fact"]) if turn.question else None
    return played


@dataclass(frozen=True)
class Summary:
    """The report's figures."""

    conversations: int
    answered: int
    median: float | None
    maximum: int | None
    right: int

    @property
    def meets_targets(self) -> bool:
        """Every conversation answered, median ≤ 3 and none over 6 turns."""
        return (
            self.answered == self.conversations
            and self.median is not None
            and self.median <= TARGET_MEDIAN
            and self.maximum is not None
            and self.maximum <= TARGET_MAX
        )


def summarise(results: Sequence[Played]) -> Summary:
    """Median and maximum turns to an answer (an unanswered conversation counts as more)."""
    turns = [r.answered_at if r.answered_at is not None else MAX_TURNS + 1 for r in results]
    answered = [r for r in results if r.answered_at is not None]
    return Summary(
        conversations=len(results),
        answered=len(answered),
        median=statistics.median(turns) if turns else None,
        maximum=max(turns) if turns else None,
        right=sum(r.right for r in results),
    )


def report(results: Sequence[Played], seconds: float) -> str:
    """The Markdown report: the figures, then one row per conversation."""
    s = summarise(results)
    verdict = "met" if s.meets_targets else "NOT met"
    asking = [r for r in results if r.asked]
    asking_turns = [r.answered_at or MAX_TURNS + 1 for r in asking]
    lines = [
        "# Conversations: turns to an answer",
        "",
        f"`make report-conversations` — {s.conversations} scripted conversations "
        f"(`tests/data/conversations.yml`) through the trained model in process, {seconds:.0f} s.",
        "A turn is one message of the citizen, the opening included; the harness answers each "
        "question from the persona's facts in a citizen's words, taps the quick reply for its "
        "value when the same question comes again (the words were not understood), and taps "
        "its status (or 都不是) in a combined question.",
        "",
        f"- answered: {s.answered} of {s.conversations}",
        f"- median turns to an answer: {s.median} (target ≤ {TARGET_MEDIAN})",
        f"- most turns: {s.maximum} (target ≤ {TARGET_MAX}; unanswered counts as {MAX_TURNS + 1})",
        f"- targets {verdict}",
        f"- answer cites the expected clause: {s.right} of {s.conversations}",
        f"- of those asked at least one question ({len(asking)}): median "
        f"{statistics.median(asking_turns) if asking_turns else '—'}, most "
        f"{max(asking_turns) if asking_turns else '—'} turns",
        "",
        f"- answers given by tapping a quick reply: {sum(r.taps for r in results)} (a combined "
        "question 您属于下面哪种情形？, or a question asked again because the words were not "
        "understood)",
        "",
        "| # | conversation | turns | taps | answer | cites | expected | right | asked |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for number, r in enumerate(results, start=1):
        answer = r.answer or {}
        kind = str(answer.get("outcome") or answer.get("type") or "none")
        lines.append(
            f"| {number} | {r.persona.name} | {r.answered_at or '—'} | {r.taps} | {kind} | "
            f"{', '.join(r.cited) or '—'} | {r.persona.expect or '—'} | "
            f"{'yes' if r.right else 'NO'} | {' → '.join(r.asked) or '—'} |"
        )
    lines += ["", "## Transcripts", ""]
    for r in results:
        lines.append(f"### {r.persona.name}")
        lines.append("")
        for turn in r.turns:
            lines.append(f"- 市民：{turn.said}")
            for text in turn.texts:
                lines.append(f"  - 助手：{text.splitlines()[0]}")
        lines.append("")
    return "\n".join(lines)


async def _run(personas: Sequence[Persona], words: Mapping[str, Mapping[Any, str]]) -> list[Played]:
    """Load the model with the actions in process and play every persona in turn."""
    from rasa.core.agent import load_agent
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
    from rasa.core.run import AvailableEndpoints
    from rasa.utils.endpoints import EndpointConfig

    from bot.rasa_ext import inprocess_actions, server

    server.apply()
    inprocess_actions.apply(preload=True)
    endpoints = AvailableEndpoints(action=EndpointConfig(url=inprocess_actions.IN_PROCESS_URL))
    agent = await load_agent(model_path=str(MODEL), endpoints=endpoints)

    async def assistant(text: str, sender: str) -> list[dict[str, Any]]:
        output = CollectingOutputChannel()
        await agent.handle_message(UserMessage(text, output, sender))
        return list(output.messages)

    return [await play(assistant, persona, words) for persona in personas]


def main() -> None:
    """Play the conversations and write ``reports/conversations.md``."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--only", help="play the conversations whose name contains this")
    args = parser.parse_args()
    words, personas = load()
    if args.only:
        personas = [p for p in personas if args.only in p.name]
    with tempfile.TemporaryDirectory(prefix="hukou-conversations-") as scratch:
        # An empty FAQ: the assistant as a city gets it, whatever var/ holds here.
        os.environ["DATABASE_URL"] = f"sqlite:///{scratch}/faq.sqlite3"
        from bot.faq.db import prepare_database

        prepare_database(os.environ["DATABASE_URL"])
        start = time.monotonic()
        results = asyncio.run(_run(personas, words))
        seconds = time.monotonic() - start
    text = report(results, seconds)
    if args.only:
        print(text)
        return
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text(text + "\n", encoding="utf-8")
    s = summarise(results)
    print(f"median {s.median}, max {s.maximum}, answered {s.answered}/{s.conversations}, "
          f"right {s.right}/{s.conversations} → {REPORT.relative_to(ROOT)}")  # fmt: skip


if __name__ == "__main__":
    main()
