"""What a message's entities may carry, checked before any action uses them.

Buttons send payloads such as ``/choose_faq{"faq_id": "12"}`` and ``/inform{"housing":
"rented"}``, and Rasa turns the JSON into entities as it is: anyone can send any value (a
list, a number, ``"²"`` — ``isdigit()`` is true, ``int()`` raises). These functions accept
only what the assistant's own buttons and extractors produce and turn everything else into
"unknown", so the actions answer with their normal fallback instead of raising (an exception
leaves the citizen without a reply and makes Rasa log the whole tracker).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from bot.dialogue.situation import entity_value, slot_value
from bot.policy.facts import FACTS

_ENTRY_ID = re.compile(r"[0-9]{1,18}", re.ASCII)
"""An entry id as the suggestion buttons write it: ASCII digits, within a 64-bit integer."""


def entities(message: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
    """``(entity name, value)`` of each well-formed entity in a parsed message."""
    found = message.get("entities")
    for entity in found if isinstance(found, list) else ():
        if isinstance(entity, Mapping) and isinstance(entity.get("entity"), str):
            yield entity["entity"], entity.get("value")


def entry_id(raw: object) -> int | None:
    """An FAQ entry id from a payload or slot (``"12"`` or ``12``); anything else ``None``.

    Only ASCII digits count: ``"²"``, ``"١"`` or ``"８"`` are no id a button sends, and
    booleans (``True`` is an ``int``) are not ids either.
    """
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw if 0 < raw < 2**63 else None
    if isinstance(raw, str) and _ENTRY_ID.fullmatch(raw):
        return int(raw) or None
    return None


def first_entity(message: Mapping[str, Any], name: str) -> Any:
    """The value of the first entity called ``name`` in ``message``, else ``None``."""
    return next((value for entity, value in entities(message) if entity == name), None)


def fact_entities(message: Mapping[str, Any]) -> list[tuple[str, str | None]]:
    """The facts stated in ``message``: each as its slot string, ``None`` if unusable.

    A fact entity whose value the engine would not accept (``{"housing": ["x"]}``) gives
    ``None``, so the slot Rasa already filled from it is reset to unknown.
    """
    facts = []
    for name, raw in entities(message):
        if name in FACTS:
            value = slot_value(name, raw)
            facts.append((name, None if value is None else entity_value(value)))
    return facts
