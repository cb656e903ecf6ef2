"""Running a custom action as Rasa runs it: a tracker, ``await action.run(…)``, the messages."""

from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher


def tracker(
    slots: dict[str, Any] | None = None,
    intent: str = "inform",
    text: str = "",
    entities: list[dict[str, Any]] | None = None,
    events: list[dict[str, Any]] | None = None,
) -> Tracker:
    """The tracker the action server builds for a message with ``intent`` and ``slots``."""
    return Tracker.from_dict(
        {
            "sender_id": "test",
            "slots": {"requested_slot": None, "skipped_facts": [], **(slots or {})},
            "latest_message": {
                "text": text,
                "intent": {"name": intent, "confidence": 0.9},
                "entities": entities or [],
            },
            "events": events or [],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        }
    )


def run(
    action: Any, trk: Tracker, domain: dict[str, Any] | None = None
) -> tuple[list[Any], list[dict[str, Any]]]:
    """Run ``action`` on ``trk``: the events it returns and the messages it sent."""
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, trk, domain or {}))
    return events, dispatcher.messages


def payloads(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The custom (JSON) payloads among ``messages``."""
    return [m["custom"] for m in messages if m.get("custom")]
