"""The first answer to one description, for every path that is not a conversation.

The chat decides its first answer with Rasa's rules (``data/rules/*.yml``): a topic question
gets the topic's clauses, a question about the policy's validity its dates, an out-of-scope
message a plain decline, and everything else the situation form and then an assessment.
The hotline lookup (and ``hukou ask``) make the same decision here, from the same parse — the
worker's NLU (:mod:`bot.rasa_ext.components`: normaliser, fact rules; the intent
classifier) — so that one sentence gets the same facts, goal and kind of answer on every path.

Pure: no Rasa import. The parse is Rasa's JSON (``intent``, ``entities``), or, when no worker
can be reached, the facts the rules alone found (:meth:`Reading.from_rules`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from bot.dialogue.answers import (
    other_city_answer,
    out_of_scope_answer,
    topic_answer,
    validity_answer,
)
from bot.dialogue.situation import TOPIC_INTENTS, situation_from_parse
from bot.policy import Situation, assess
from bot.policy.facts import FACTS, FactValue
from bot.policy.model import Knowledge
from bot.policy.present import payload

Source = Literal["model", "rules", "none"]

DECLINED_INTENTS = frozenset({"out_of_scope"})
"""Intents the chat declines (``action_out_of_scope``), whatever facts the message names."""

VALIDITY_INTENT = "ask_policy_validity"


@dataclass(frozen=True)
class Reading:
    """What one description says.

    Attributes:
        facts: The facts it states (the goal included), in the engine's vocabulary.
        intent: What the classifier made of it; ``None`` when only the rules read it.
        confidence: The classifier's confidence in ``intent``.
        source: ``model`` (a worker's NLU: rules and classifier), ``rules`` (the fact rules
            alone: no worker could be reached) or ``none`` (no text).
        other_city: When the words ask about settling in another city: the city, and the
            situation read as if it were in Liling.
        asked: Facts the words ask about without stating them (they rank clauses).
    """

    facts: dict[str, FactValue] = field(default_factory=dict)
    intent: str | None = None
    confidence: float = 0.0
    source: Source = "none"
    other_city: tuple[str, dict[str, FactValue]] | None = None
    asked: frozenset[str] = frozenset()
    text: str = ""
    """The words read (a topic of many clauses is answered by those its words find)."""
    applicant: str = "self"
    """Whom the facts are about: ``self`` (the speaker, the caller) or the relative the words
    ask for (``child``, ``sibling``, ``other`` …: 来电人称其侄子…代为咨询)."""

    @classmethod
    def from_parse(cls, parse: Mapping[str, Any]) -> Reading:
        """Read Rasa's parse of the description (``POST /model/parse``)."""
        intent = parse.get("intent") or {}
        return cls(
            facts=situation_from_parse(parse).to_dict(),
            intent=intent.get("name"),
            confidence=float(intent.get("confidence") or 0.0),
            source="model",
            other_city=other_city_of(parse),
            asked=asked_of(parse),
            text=str(parse.get("text") or ""),
            applicant=_applicant_of(parse.get("applicant")),
        )

    @classmethod
    def from_rules(
        cls,
        facts: Mapping[str, FactValue],
        other_city: tuple[str, dict[str, FactValue]] | None = None,
        asked: frozenset[str] = frozenset(),
        applicant: str = "self",
    ) -> Reading:
        """The facts the rules found, with no classifier (no topic, no decline)."""
        return cls(
            facts=dict(facts),
            source="rules",
            other_city=other_city,
            asked=asked,
            applicant=_applicant_of(applicant),
        )

    def describe(self) -> dict[str, Any]:
        """What the hotline page shows about how the words were read."""
        return {"intent": self.intent, "confidence": self.confidence, "source": self.source}


APPLICANTS = frozenset({"self", "spouse", "parent", "child", "grandchild", "sibling", "other"})
"""Whom the words may be about (bot.nlu.attribution's roles)."""


def _applicant_of(raw: object) -> str:
    """The applicant a parse names; the speaker when it names none (an older model)."""
    return raw if isinstance(raw, str) and raw in APPLICANTS else "self"


def other_city_of(parse: Mapping[str, Any]) -> tuple[str, dict[str, FactValue]] | None:
    """The ``other_city`` property of a parse (:mod:`bot.rasa_ext.components`), decoded."""
    raw = parse.get("other_city")
    if not isinstance(raw, Mapping) or not isinstance(raw.get("place"), str):
        return None
    facts = situation_from_parse(
        {"entities": [{"entity": k, "value": v} for k, v in (raw.get("facts") or {}).items()]}
    )
    return raw["place"], facts.to_dict()


def asked_of(parse: Mapping[str, Any]) -> frozenset[str]:
    """The ``asked`` property of a parse: fact names only (it may come over HTTP)."""
    raw = parse.get("asked")
    if not isinstance(raw, list):
        return frozenset()
    return frozenset(name for name in raw if isinstance(name, str) and name in FACTS)


def retracted_of(parse: Mapping[str, Any]) -> frozenset[str]:
    """The ``retracted`` property of a parse (facts a correction took back): names only."""
    raw = parse.get("retracted")
    if not isinstance(raw, list):
        return frozenset()
    return frozenset(name for name in raw if isinstance(name, str) and name in FACTS)


Kind = Literal["other_city", "topic", "validity", "declined", "assessment"]


def kind_of_answer(reading: Reading) -> Kind:
    """The kind of first answer the chat's rules give to this reading."""
    if reading.intent in TOPIC_INTENTS:
        return "topic"
    if reading.intent == VALIDITY_INTENT:
        return "validity"
    if reading.other_city is not None:
        return "other_city"
    if reading.intent in DECLINED_INTENTS:
        return "declined"
    return "assessment"


def first_answer(
    reading: Reading,
    ticked: Mapping[str, FactValue],
    kb: Knowledge,
    today: dt.date,
) -> dict[str, Any]:
    """The answer a one-shot description gets, as the chat's first answer would be.

    Args:
        reading: What the words say.
        ticked: Facts the operator set by hand; they override the words.
        kb: The knowledge base.
        today: The date the policy's validity is judged on.

    Returns:
        The answer's payload (``type`` ``assessment``, ``clause``, ``policy``,
        ``other_city`` or ``out_of_scope``) with ``understood`` (the facts read from the words) and
        ``understanding`` (how they were read). An answer that is not an assessment also
        carries ``text`` (what the chat would say) and, under ``assessment``, the assessment
        of the facts known, so the operator sees both.
    """
    situation = Situation.from_mapping({**reading.facts, **ticked})
    assessed = payload(assess(situation, kb, today, reading.asked), kb)
    common = {
        "understood": dict(reading.facts),
        "understanding": reading.describe(),
        "applicant": reading.applicant,
    }
    kind = kind_of_answer(reading)
    if kind == "assessment":
        return {**assessed, **common}
    if kind == "other_city" and reading.other_city is not None:
        place, facts = reading.other_city
        text, answer = other_city_answer(place, {**facts, **ticked}, kb, today, reading.asked)
    elif kind == "topic":
        text, answer = topic_answer(
            TOPIC_INTENTS[str(reading.intent)],
            kb,
            today,
            situation,
            reading.asked,
            question=reading.text,
        )
    elif kind == "validity":
        text, answer = validity_answer(kb, today, situation, reading.asked)
    else:
        text, answer = out_of_scope_answer(kb, today)
    # Another city's answer carries its own (as-if-in-Liling) assessment; keep that one.
    return {"assessment": assessed, **answer, "text": text, **common}
