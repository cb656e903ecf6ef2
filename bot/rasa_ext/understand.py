"""One message through the trained NLU model and the engine (``hukou ask``).

Imports Rasa: only the CLI's ``ask`` command and tools use it, never the engine.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.dialogue.situation import INTENT_GOALS, slot_value
from bot.policy.facts import FACTS, FactValue
from bot.policy.situation import Situation


@dataclass(frozen=True)
class Understanding:
    """What the NLU made of a message."""

    text: str
    intent: str | None
    confidence: float
    entities: list[dict[str, Any]]
    situation: Situation


def situation_from_parse(parse: dict[str, Any]) -> Situation:
    """Facts from the entities; the goal from the intent when no entity states one."""
    known: dict[str, FactValue] = {}
    for entity in parse.get("entities") or []:
        name = entity.get("entity")
        if name in FACTS:
            value = slot_value(name, entity.get("value"))
            if value is not None:
                known[name] = value
    intent = (parse.get("intent") or {}).get("name")
    if "goal" not in known and intent in INTENT_GOALS:
        known["goal"] = INTENT_GOALS[intent]
    return Situation(known)


def understand(text: str, model: Path) -> Understanding:
    """Parse ``text`` with the trained model at ``model``."""
    import logging
    import warnings

    from rasa.core.agent import Agent  # heavy: TensorFlow
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    # Keep stdout for the answer: Rasa logs parse results there at debug level.
    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)
    warnings.filterwarnings("ignore")
    agent = Agent.load(str(model))
    parse: dict[str, Any] = asyncio.run(agent.parse_message(text))
    intent = parse.get("intent") or {}
    return Understanding(
        text=text,
        intent=intent.get("name"),
        confidence=float(intent.get("confidence") or 0.0),
        entities=list(parse.get("entities") or []),
        situation=situation_from_parse(parse),
    )
