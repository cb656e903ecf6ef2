"""The conversation report's harness (benchmarks/conversations.py), without the model.

A stand-in assistant asks a fixed series of questions, so the harness's answering, turn
counting and judging are checked on their own; the committed personas are checked against
the engine, so the file cannot drift from what the policy says.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from benchmarks.conversations import (
    DONT_KNOW,
    Persona,
    Played,
    Turn,
    load,
    next_message,
    play,
    reply,
    summarise,
)
from bot.policy import assess, load_knowledge
from bot.policy.situation import Situation

WORDS, PERSONAS = load()
RENTER = Persona(
    "renter", "/want_settle_urban", {"goal": "settle_urban", "housing": "rented"}, "3.1.5"
)


def _question(fact: str) -> dict[str, Any]:
    return {"custom": {"type": "question", "fact": fact}}


class ScriptedAssistant:
    """Asks ``join_relative`` then ``housing``, then answers with 3.1.5; records what it heard."""

    def __init__(self) -> None:
        self.heard: list[str] = []

    async def __call__(self, text: str, sender: str) -> list[dict[str, Any]]:
        self.heard.append(text)
        if len(self.heard) == 1:
            return [{"text": "您是想投靠哪位亲属落户？"}, _question("join_relative")]
        if len(self.heard) == 2:
            return [{"text": "您在醴陵城镇地区有住房吗？"}, _question("housing")]
        card = {"type": "assessment", "outcome": "eligible", "clauses": [{"id": "3.1.5"}]}
        return [{"text": "按2017年……"}, {"custom": card}]


def test_a_conversation_is_answered_in_the_persona_words() -> None:
    assistant = ScriptedAssistant()
    played = asyncio.run(play(assistant, RENTER, WORDS))
    # join_relative is not among the renter's facts: 不清楚; housing in a citizen's words.
    assert assistant.heard == ["/want_settle_urban", DONT_KNOW, "租的房子"]
    assert played.answered_at == 3 and played.cited == ["3.1.5"] and played.right
    assert played.asked == ["join_relative", "housing"]


class NeverAnswers:
    async def __call__(self, text: str, sender: str) -> list[dict[str, Any]]:
        return [{"text": "您在醴陵城镇地区有住房吗？"}, _question("housing")]


def test_an_assistant_that_never_answers_is_reported_unanswered() -> None:
    played = asyncio.run(play(NeverAnswers(), RENTER, WORDS))
    assert played.answered_at is None and not played.right
    summary = summarise([played])
    assert summary.answered == 0 and not summary.meets_targets


@pytest.mark.parametrize(
    ("fact", "facts", "said"),
    [
        ("housing", {"housing": "owned"}, "自己买了房子"),
        ("lives_with_relative", {"lives_with_relative": False}, "没住在一起"),
        ("veteran", {"veteran": True}, "是的"),  # a yes/no fact without words of its own
        ("veteran", {}, DONT_KNOW),
        ("national_rule_case", {"national_rule_case": "resettled"}, "移民或搬迁安置"),
    ],
)
def test_reply_from_the_persona_facts(fact: str, facts: dict[str, Any], said: str) -> None:
    persona = Persona("p", "…", facts, None)
    assert reply({"fact": fact}, persona, WORDS) == said


def test_the_summary_counts_medians_and_maxima() -> None:
    def played(at: int) -> Played:
        result = Played(RENTER)
        result.turns = [Turn("…", payloads=[{"type": "question", "fact": "housing"}])] * (at - 1)
        card = {"type": "assessment", "outcome": "eligible", "clauses": [{"id": "3.1.5"}]}
        result.turns.append(Turn("…", payloads=[card]))
        return result

    summary = summarise([played(1), played(3), played(4)])
    assert (summary.median, summary.maximum, summary.answered, summary.right) == (3, 4, 3, 3)
    assert summary.meets_targets
    assert not summarise([played(2), played(7)]).meets_targets


def test_the_committed_personas() -> None:
    assert len(PERSONAS) >= 30
    assert len({p.name for p in PERSONAS}) == len(PERSONAS)
    kb = load_knowledge()
    for persona in PERSONAS:
        situation = Situation.from_mapping(persona.facts)  # valid facts and values only
        if persona.expect is not None and persona.facts.get("goal"):
            cited = [f.clause.id for f in assess(situation, kb).cited]
            assert persona.expect in cited, (persona.name, cited)


class AsksTwice:
    """Asks for housing twice (the words were not understood), then answers."""

    def __init__(self) -> None:
        self.heard: list[str] = []

    async def __call__(self, text: str, sender: str) -> list[dict[str, Any]]:
        self.heard.append(text)
        if len(self.heard) < 3:
            return [{"text": "您在醴陵城镇地区有住房吗？"}, _question("housing")]
        card = {"type": "assessment", "outcome": "eligible", "clauses": [{"id": "3.1.5"}]}
        return [{"custom": card}]


def test_a_question_asked_again_is_answered_by_tapping() -> None:
    assistant = AsksTwice()
    played = asyncio.run(play(assistant, RENTER, WORDS))
    assert assistant.heard == ["/want_settle_urban", "租的房子", '/inform{"housing": "rented"}']
    assert played.taps == 1 and played.answered_at == 3


@pytest.mark.parametrize(
    ("facts", "tapped"),
    [
        ({"veteran": True}, '/inform{"veteran": "true"}'),
        ({"veteran": False}, '/inform{"veteran": "false", "moved_for_marriage": "false"}'),
        ({}, "/dont_know"),
    ],
)
def test_a_combined_question_is_answered_by_tapping(facts: dict[str, Any], tapped: str) -> None:
    persona = Persona("p", "…", facts, None)
    turn = Turn("…", payloads=[{"type": "question", "fact": "veteran",
                                 "facts": ["veteran", "moved_for_marriage"]}])  # fmt: skip
    assert next_message(turn, persona, WORDS) == tapped
