"""An action package for the action server's tests: one action that fails on what it reads.

``action_read_number`` turns the citizen's last message into a number, as the button payload
``²`` once made ``action_choose_faq`` do (issue 19, item 3): its ``ValueError`` quotes the text.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action


class ReadNumber(Action):
    """Fails with an exception whose message is the citizen's text."""

    def name(self) -> str:
        return "action_read_number"

    def run(self, dispatcher: Any, tracker: Any, domain: Any) -> list[Any]:
        int(tracker.latest_message.get("text", ""))
        return []


def action_call(text: str) -> dict[str, Any]:
    """The body Rasa posts to ``/webhook`` to run :class:`ReadNumber` after ``text``."""
    message = {"text": text, "intent": {"name": "inform"}, "entities": []}
    return {
        "next_action": "action_read_number",
        "sender_id": "citizen",
        "version": "3.6.2",
        "domain": {},
        "tracker": {
            "sender_id": "citizen",
            "slots": {},
            "latest_message": message,
            "events": [{"event": "user", "text": text, "parse_data": message}],
        },
    }
