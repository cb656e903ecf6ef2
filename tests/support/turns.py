"""Rasa events as the event broker sees them, for the turn-log tests and benchmark.

:func:`turn_events` writes the events Rasa 3.6 publishes for one answered message (the
``user`` event with its parse data, the action, the text and the ``custom`` payload the
actions send, the ``action_listen`` that closes the turn), with ``sender_id`` added as
Rasa's tracker store does.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any


def turn_events(
    sender: str,
    message_id: str,
    text: str,
    *,
    at: float = 1_780_000_000.0,
    intent: str = "ask_newborn",
    confidence: float = 0.93,
    payload: Mapping[str, Any] | None = None,
    reply: str = "根据您说的情况，可以按以下条款办理：",
    action: str = "action_answer_topic",
    channel: str = "rest",
) -> list[dict[str, Any]]:
    """The events of one turn, in the order Rasa publishes them."""
    events: list[dict[str, Any]] = [
        {
            "event": "user",
            "timestamp": at,
            "text": text,
            "message_id": message_id,
            "input_channel": channel,
            "parse_data": {
                "text": text,
                "intent": {"name": intent, "confidence": confidence},
                "entities": [],
                "message_id": message_id,
            },
        },
        {"event": "action", "timestamp": at + 0.01, "name": action, "confidence": 1.0},
        {"event": "bot", "timestamp": at + 0.2, "text": reply, "data": {}},
    ]
    if payload is not None:
        events.append(
            {"event": "bot", "timestamp": at + 0.21, "text": None, "data": {"custom": payload}}
        )
    events.append({"event": "action", "timestamp": at + 0.25, "name": "action_listen"})
    return [{"sender_id": sender, **event} for event in events]


def answered(clauses: tuple[str, ...] = ("3.1.1",), faq: int | None = None) -> dict[str, Any]:
    """An answer payload citing ``clauses`` (an FAQ entry's when ``faq`` is its id)."""
    if faq is not None:
        return {
            "type": "faq",
            "faq": {"id": faq, "key": f"entry_{faq}", "version": 1, "question": "问"},
            "clauses": [{"id": c} for c in clauses],
            "missing": [],
        }
    return {
        "type": "assessment",
        "outcome": "eligible",
        "clauses": [{"id": c} for c in clauses],
        "missing": [],
    }


def encoded(events: list[dict[str, Any]]) -> list[bytes]:
    """The message bodies Rasa's pika broker sends."""
    return [json.dumps(event, ensure_ascii=False).encode("utf-8") for event in events]
