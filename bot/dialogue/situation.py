"""Translate between the conversation (intents, slots, entities) and the engine's facts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.policy.facts import FACTS, FactValue
from bot.policy.situation import Situation

INTENT_GOALS: dict[str, str] = {
    "want_settle_urban": "settle_urban",
    "want_move_rural": "move_rural",
    "ask_newborn": "newborn",
    "ask_no_hukou": "no_hukou",
    "ask_death_cancellation": "death",
    "ask_residence_permit": "residence_permit",
}
"""Intents that say what the citizen wants to do; they set the ``goal`` slot."""

TOPIC_INTENTS: dict[str, tuple[str, ...]] = {
    "ask_hukou_type": ("hukou_type",),
    "ask_urban_area": ("urban_area",),
    "ask_land_rights": ("land_rights",),
    "ask_schooling": ("schooling",),
    "ask_social_insurance": ("social_insurance",),
    "ask_housing_security": ("housing_security",),
    "ask_employment_support": ("employment_support",),
    "ask_social_assistance": ("social_assistance",),
    "ask_reform_work": ("reform_work",),
}
"""Direct questions answered from the clause data by topic (see ``topics`` in clauses.yml)."""

ASSESSMENT_INTENTS = (*INTENT_GOALS, "inform", "ask_documents", "ask_where_to_apply")
"""Intents that start (or continue) the situation form and end in an assessment."""

SKIPPED_SLOT = "skipped_facts"
"""Slot listing the facts the citizen said they do not know (never asked again)."""

LIKELY_SLOT = "likely_clauses"
"""Slot with the clause ids last shown as "may apply", so they are not repeated each turn."""


def slot_value(fact: str, raw: Any) -> FactValue | None:
    """Turn a slot or entity value into a fact value; anything unusable is unknown.

    Boolean facts arrive as ``"true"``/``"false"`` strings from entities and buttons.
    """
    spec = FACTS[fact]
    if raw is None:
        return None
    if spec.is_bool:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in ("true", "yes", "1", "是", "有"):
            return True
        if text in ("false", "no", "0", "否", "没有", "不是"):
            return False
        return None
    text = str(raw).strip()
    return text if text in spec.values else None


def situation_from_slots(slots: Mapping[str, Any]) -> Situation:
    """Build the engine's situation from conversation slots (unset slots are unknown)."""
    known: dict[str, FactValue] = {}
    for name in FACTS:
        value = slot_value(name, slots.get(name))
        if value is not None:
            known[name] = value
    return Situation(known)


def situation_from_parse(parse: Mapping[str, Any]) -> Situation:
    """The facts a parsed message states: its fact entities, and the goal its intent names.

    Read the same way everywhere a message is understood (the hotline lookup, ``hukou ask``);
    the chat reaches the same facts through slots filled from the same entities.
    """
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


def entity_value(value: FactValue) -> str:
    """Encode a fact value as an entity/slot string (``"true"``, ``"false"``, ``"rented"``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


IMPLIED: dict[tuple[str, str], tuple[str, str]] = {
    ("join_relative", "spouse"): ("marital_status", "married"),
}
"""A stated fact that says another: joining one's spouse means being married, so "我想投靠我
老公" is not followed by "您的婚姻状况是？"."""


def implied_facts(slots: Mapping[str, Any]) -> dict[str, str]:
    """Facts the stated ones imply that are still unknown, as slot strings."""
    found: dict[str, str] = {}
    for (fact, value), (implied, implied_value) in IMPLIED.items():
        if slot_value(fact, slots.get(fact)) == value and slots.get(implied) is None:
            found[implied] = implied_value
    return found
