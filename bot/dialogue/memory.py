"""What the conversation has already shown, read from the tracker's own events.

The chat repeated the whole clause card on every question turn (two turns in, two identical
nine-document cards) and the full expiry notice in every bubble. What was shown is already in
the tracker: each bot message's JSON payload is kept as ``data.custom`` of its ``bot`` event.
Reading it back, instead of keeping slots for it, needs no domain change (and no retraining),
and a restart forgets it with everything else.

Pure: no Rasa import; the events are the tracker's plain dicts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

CARD_TYPES = frozenset({"assessment"})
"""Payload types that are an answer's card (a situation's clauses and checklist)."""

NOTICE_FULL = "full"
"""``notice`` of a payload whose text carried the full expiry notice."""

_RESET_EVENTS = frozenset({"restart", "session_started"})


def this_conversation(events: Sequence[Mapping[str, Any]]) -> Sequence[Mapping[str, Any]]:
    """The events since the last restart or new session (what the citizen still sees)."""
    for index in range(len(events) - 1, -1, -1):
        if events[index].get("event") in _RESET_EVENTS:
            return events[index + 1 :]
    return events


def shown_payloads(events: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The JSON payloads the assistant sent in this conversation, oldest first."""
    found = []
    for event in this_conversation(events):
        if event.get("event") != "bot":
            continue
        data = event.get("data")
        custom = data.get("custom") if isinstance(data, Mapping) else None
        if isinstance(custom, Mapping):
            found.append(custom)
    return found


def card_key(card: Mapping[str, Any]) -> tuple[Any, ...]:
    """What a citizen would notice changing in a card: outcome, clauses, checklist rows."""
    clauses = tuple(
        (str(c.get("id")), bool(c.get("ruled_out"))) for c in _dicts(card.get("clauses"))
    )
    checklist = card.get("checklist")
    groups = _dicts(checklist.get("groups")) if isinstance(checklist, Mapping) else []
    rows = tuple(
        (str(item.get("id")), item.get("condition"))
        for group in groups
        for item in _dicts(group.get("items"))
    )
    return (card.get("outcome"), clauses, rows)


def last_card(events: Sequence[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The last answer card shown in this conversation, if any."""
    cards = [p for p in shown_payloads(events) if is_card(p)]
    return cards[-1] if cards else None


def is_card(payload: Mapping[str, Any]) -> bool:
    """Whether a payload is an answer card the widget draws (it cites clauses)."""
    return payload.get("type") in CARD_TYPES and bool(_dicts(payload.get("clauses")))


def notice_given(events: Sequence[Mapping[str, Any]]) -> bool:
    """Whether this conversation already carried the full expiry notice."""
    return any(p.get("notice") == NOTICE_FULL for p in shown_payloads(events))


def _dicts(value: Any) -> list[Mapping[str, Any]]:
    items: Iterable[Any] = value if isinstance(value, list) else ()
    return [item for item in items if isinstance(item, Mapping)]
