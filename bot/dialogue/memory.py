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
    """What changes the answer in a card: outcome, the clauses it rests on, checklist rows.

    A route shown as not applying (a near miss) is explanation, not the answer: it coming or
    going alone is no reason to send the card again.
    """
    clauses = tuple(str(c.get("id")) for c in _dicts(card.get("clauses")) if not c.get("ruled_out"))
    checklist = card.get("checklist")
    groups = _dicts(checklist.get("groups")) if isinstance(checklist, Mapping) else []
    rows = tuple(
        (str(item.get("id")), item.get("condition"))
        for group in groups
        for item in _dicts(group.get("items"))
    )
    return (card.get("outcome"), clauses, rows)


def answer_summary(card: Mapping[str, Any]) -> dict[str, Any]:
    """The answer in force, in brief, for a question's payload (the card may not be resent).

    Readers of one turn (the turn log, the evaluation) find there what the card shown for
    this answer names: its clauses (ids and labels, in the card's order), the possible ones,
    the outcome and the situation.
    """
    keep = ("id", "label", "ruled_out", "overview")
    return {
        "outcome": card.get("outcome"),
        "clauses": [{k: c[k] for k in keep if k in c} for c in _dicts(card.get("clauses"))],
        "possible": [
            {"id": c.get("id"), "label": c.get("label")} for c in _dicts(card.get("possible"))
        ],
        "situation": dict(card.get("situation") or {}),
    }


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


def times_asked(events: Sequence[Mapping[str, Any]], fact: str) -> int:
    """How many times in a row, up to now, the assistant's last questions asked for ``fact``."""
    count = 0
    for payload in reversed(shown_payloads(events)):
        if payload.get("type") != "question":
            continue
        if payload.get("fact") != fact:
            break
        count += 1
    return count


def last_question_facts(events: Sequence[Mapping[str, Any]]) -> list[str]:
    """The facts the last question asked (several for a combined question), if any."""
    for payload in reversed(shown_payloads(events)):
        if payload.get("type") == "question":
            facts = payload.get("facts")
            if isinstance(facts, list) and all(isinstance(f, str) for f in facts):
                return list(facts)
            return [str(payload.get("fact"))]
    return []


def replied_this_turn(events: Sequence[Mapping[str, Any]]) -> bool:
    """Whether the assistant already said something since the citizen's last message."""
    for event in reversed(this_conversation(events)):
        if event.get("event") == "user":
            return False
        if event.get("event") == "bot":
            return True
    return False


def _dicts(value: Any) -> list[Mapping[str, Any]]:
    items: Iterable[Any] = value if isinstance(value, list) else ()
    return [item for item in items if isinstance(item, Mapping)]
