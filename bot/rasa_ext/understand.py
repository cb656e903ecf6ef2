"""One message through the trained NLU model and the engine (``hukou ask``).

Imports Rasa: only the CLI's ``ask`` command and tools use it, never the engine.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.dialogue.reply import asked_of
from bot.dialogue.situation import situation_from_parse
from bot.policy.situation import Situation


@dataclass(frozen=True)
class Understanding:
    """What the NLU made of a message."""

    text: str
    intent: str | None
    confidence: float
    entities: list[dict[str, Any]]
    situation: Situation
    asked: frozenset[str] = frozenset()
    """Facts the words ask about without stating them (they rank clauses)."""


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
        asked=asked_of(parse),
    )
