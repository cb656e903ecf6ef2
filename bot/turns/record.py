"""From Rasa's events to turn records: the one code path both profiles use.

Rasa publishes a conversation's events one at a time (``{"sender_id": …, "event": "user",
…}``, then ``action``, ``bot``, ``slot`` … up to the ``action_listen`` that waits for the
next message). :class:`TurnAssembler` collects them per sender and hands back a finished turn
when that ``action_listen`` arrives (or a new ``user`` event, or after a while without
events); :func:`build_turn` makes the :class:`TurnRecord` of one turn. The production consumer
(:mod:`bot.turns.consumer`, events from RabbitMQ) and the embedded profile's in-process broker
(:mod:`bot.rasa_ext.turn_broker`) both go through these two.

A record holds nothing a citizen typed unmasked: the message and the reply go through
:func:`bot.privacy.masking.mask_pii` (the gateway masks before Rasa already; this is the
second line, for channels that reach Rasa another way), and the sender id is kept only as a
hash (:func:`conversation_id`), which still groups a conversation's turns.

The record's id (:func:`turn_id`) is derived from the sender and Rasa's ``message_id``, so a
turn delivered twice (a consumer killed before its acknowledgement) is the same row. Rasa's REST
channel makes a new random ``message_id`` and never tells the client, so the web gateway sends
its own reference in the message's metadata (``{"turn_ref": <32 hex>}``, :data:`TURN_REF`,
stored by Rasa on the ``user`` event) and answers the chat with ``turn_id(sender, ref)``: the
widget then names the turn its 有用 / 没用 is about, even before the turn is written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from bot.policy.clock import CHINA
from bot.privacy.masking import mask_pii

TEXT_MAX = 500
REPLY_MAX = 4000

_ASKING = frozenset({"undetermined", "need_goal", "information"})
"""Assessment outcomes that ask the citizen something rather than answer."""


class EventError(ValueError):
    """An event that cannot be part of any turn (the message says why, for the parking lot)."""


def _hash(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]


def conversation_id(sender_id: str) -> str:
    """The stored stand-in for a sender id (a hash: the id itself may identify a person)."""
    return _hash("conversation", sender_id)


def turn_id(sender_id: str, message_id: str) -> str:
    """The id of the turn that answered ``message_id`` (Rasa's id of the user's message).

    ``message_id`` is the channel's :data:`TURN_REF` when it sent one (:func:`message_key`).
    """
    return _hash("turn", sender_id, message_id)


TURN_REF = "turn_ref"
"""The user message's metadata key under which a channel names its turn (32 hex digits)."""

_REF = re.compile(r"[0-9a-f]{32}")


def new_turn_ref() -> str:
    """A fresh reference for one chat turn (random: a turn id cannot be guessed from it)."""
    return secrets.token_hex(16)


def message_key(user: Mapping[str, Any]) -> str:
    """What a ``user`` event's turn id is made from: the channel's reference, else Rasa's id.

    A turn with neither (events replayed from an old store) falls back to its timestamp.
    """
    metadata = user.get("metadata")
    ref = metadata.get(TURN_REF) if isinstance(metadata, Mapping) else None
    if isinstance(ref, str) and _REF.fullmatch(ref):
        return ref
    message_id = user.get("message_id")
    return str(message_id) if message_id else repr(float(user["timestamp"]))


def _clean(text: str, limit: int) -> str:
    """Masked, control characters dropped, runs of space collapsed, cut to ``limit``."""
    printable = "".join(
        char if char.isprintable() or char == "\n" else " " for char in mask_pii(text)
    )
    lines = (" ".join(line.split()) for line in printable.splitlines())
    return "\n".join(line for line in lines if line)[:limit]


@dataclass(frozen=True)
class TurnRecord:
    """One answered message, as the turn log stores it (masked)."""

    id: str
    conversation: str
    at: dt.datetime
    channel: str
    text: str
    reply: str
    intent: str | None
    confidence: float | None
    outcome: str
    clause_ids: tuple[str, ...] = ()
    faq_entry_id: int | None = None
    faq_key: str | None = None
    latency_ms: int | None = None

    @property
    def day(self) -> dt.date:
        """The calendar day in China on which the message came."""
        return self.at.astimezone(CHINA).date()


def check_event(event: object) -> Mapping[str, Any]:
    """``event`` if it is an event of some conversation, else :class:`EventError`."""
    if not isinstance(event, Mapping):
        raise EventError("消息不是 JSON 对象")
    if not isinstance(event.get("sender_id"), str) or not event["sender_id"]:
        raise EventError("缺少 sender_id")
    if not isinstance(event.get("event"), str):
        raise EventError("缺少 event 类型")
    if event["event"] == "user" and not isinstance(event.get("timestamp"), (int, float)):
        raise EventError("用户消息缺少 timestamp")
    return event


def _payloads(bots: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    found = []
    for bot in bots:
        data = bot.get("data")
        custom = data.get("custom") if isinstance(data, Mapping) else None
        if isinstance(custom, Mapping) and isinstance(custom.get("type"), str):
            found.append(custom)
    return found


def outcome_of(
    payload: Mapping[str, Any] | None, intent: str | None, actions: Sequence[str]
) -> str:
    """What the assistant did: ``answered``, ``asked_more``, ``fallback`` or ``out_of_scope``.

    Read from the turn's last answer payload (its ``type``; an assessment that still lists
    missing facts asks more); a turn without one (a greeting) counts as answered unless Rasa
    fell back or declined.
    """
    if payload is None:
        if "action_out_of_scope" in actions:
            return "out_of_scope"
        return "fallback" if intent == "nlu_fallback" else "answered"
    kind = payload.get("type")
    if kind == "question":  # the turn ends with a question (its payload follows it)
        return "asked_more"
    if kind == "out_of_scope":
        return "out_of_scope"
    if kind == "fallback":
        return "fallback"
    if kind == "assessment" and (payload.get("missing") or payload.get("outcome") in _ASKING):
        return "asked_more"
    return "answered"


def _clause_ids(payload: Mapping[str, Any] | None) -> tuple[str, ...]:
    clauses = payload.get("clauses") if payload else None
    ids: Any = (
        (c.get("id") for c in clauses if isinstance(c, Mapping))
        if isinstance(clauses, list)
        else ()
    )
    cited = payload.get("cited") if payload else None
    if not isinstance(clauses, list) and isinstance(cited, list):
        ids = cited  # an answer that repeats the card shown before names its clauses so
    return tuple(dict.fromkeys(i for i in ids if isinstance(i, str) and 0 < len(i) <= 64))


def _faq(payload: Mapping[str, Any] | None) -> tuple[int | None, str | None]:
    faq = payload.get("faq") if payload else None
    if not isinstance(faq, Mapping):
        return None, None
    entry, key = faq.get("id"), faq.get("key")
    entry = entry if isinstance(entry, int) and not isinstance(entry, bool) else None
    return entry, key[:64] if isinstance(key, str) else None


def build_turn(events: Sequence[Mapping[str, Any]]) -> TurnRecord | None:
    """The record of one turn: its ``user`` event and the events that answered it.

    ``None`` when there is no ``user`` event (events between turns: a session start).
    """
    user = next((e for e in events if e.get("event") == "user"), None)
    if user is None:
        return None
    sender = str(user["sender_id"])
    started = float(user["timestamp"])
    parse = user.get("parse_data")
    parse = parse if isinstance(parse, Mapping) else {}
    intent_data = parse.get("intent")
    intent_data = intent_data if isinstance(intent_data, Mapping) else {}
    intent = intent_data.get("name") if isinstance(intent_data.get("name"), str) else None
    confidence = intent_data.get("confidence")
    bots = [e for e in events if e.get("event") == "bot"]
    actions = [str(e.get("name")) for e in events if e.get("event") == "action"]
    payloads = _payloads(bots)
    last = payloads[-1] if payloads else None
    # What the turn cites is its answer card, not the question's payload that follows it.
    answers = [p for p in payloads if p.get("type") != "question"]
    card = answers[-1] if answers else None
    if card is None and last is not None and isinstance(last.get("answer"), Mapping):
        card = last["answer"]  # the card was not resent: the question names the answer
    entry, key = _faq(card)
    stamps = [float(e["timestamp"]) for e in events if isinstance(e.get("timestamp"), (int, float))]
    channel = user.get("input_channel")
    return TurnRecord(
        id=turn_id(sender, message_key(user)),
        conversation=conversation_id(sender),
        at=dt.datetime.fromtimestamp(started, dt.timezone.utc),
        channel=channel[:32] if isinstance(channel, str) and channel else "unknown",
        text=_clean(str(user.get("text") or ""), TEXT_MAX),
        reply=_clean("\n".join(str(b["text"]) for b in bots if b.get("text")), REPLY_MAX),
        intent=intent[:64] if intent else None,
        confidence=float(confidence) if isinstance(confidence, (int, float)) else None,
        outcome=outcome_of(last, intent, actions),
        clause_ids=_clause_ids(card),
        faq_entry_id=entry,
        faq_key=key,
        latency_ms=max(0, round((max(stamps) - started) * 1000)) if stamps else None,
    )


Tag = TypeVar("Tag")


@dataclass
class Finished(Generic[Tag]):
    """A finished turn (``record`` ``None``: events outside any turn) and its events' tags.

    The tags are the consumer's messages, to acknowledge once the record is kept.
    """

    record: TurnRecord | None
    tags: list[Tag]


@dataclass
class _Pending(Generic[Tag]):
    events: list[Mapping[str, Any]] = field(default_factory=list)
    tags: list[Tag] = field(default_factory=list)
    last_seen: float = 0.0


class TurnAssembler(Generic[Tag]):
    """Collects each sender's events into turns.

    A turn starts with a ``user`` event and ends with the next ``action_listen``; a new
    ``user`` event, or ``idle`` seconds without events for that sender (an action that
    failed), ends it too. Events outside any turn come back at once as record-less
    :class:`Finished` so their tags can be acknowledged.
    """

    def __init__(self, idle: float = 30.0, clock: Callable[[], float] = time.monotonic) -> None:
        """Assemble turns; a turn idle for ``idle`` seconds is finished by :meth:`expired`."""
        self.idle = idle
        self.clock = clock
        self._pending: dict[str, _Pending[Tag]] = {}

    def __len__(self) -> int:
        """The number of turns still open."""
        return len(self._pending)

    def add(self, event: Mapping[str, Any], tag: Tag) -> list[Finished[Tag]]:
        """Take one event (checked by :func:`check_event`); return the turns it finished."""
        sender = str(event["sender_id"])
        kind = event.get("event")
        pending = self._pending.get(sender)
        finished: list[Finished[Tag]] = []
        if kind == "user":
            if pending is not None:
                finished.append(self._finish(sender))
            pending = self._pending[sender] = _Pending()
        elif pending is None:
            return [Finished(None, [tag])]
        pending.events.append(event)
        pending.tags.append(tag)
        pending.last_seen = self.clock()
        if kind == "action" and event.get("name") == "action_listen":
            finished.append(self._finish(sender))
        return finished

    def expired(self) -> list[Finished[Tag]]:
        """Finish the turns that saw no event for ``idle`` seconds."""
        limit = self.clock() - self.idle
        stale = [sender for sender, p in self._pending.items() if p.last_seen <= limit]
        return [self._finish(sender) for sender in stale]

    def _finish(self, sender: str) -> Finished[Tag]:
        pending = self._pending.pop(sender)
        return Finished(build_turn(pending.events), pending.tags)
