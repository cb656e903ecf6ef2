from __future__ import annotations

from bot.dialogue.domain import DOMAIN_FILE, build, render
from bot.dialogue.situation import INTENT_GOALS, situation_from_slots, slot_value
from bot.policy.facts import FACTS


def test_generated_domain_is_current() -> None:
    assert DOMAIN_FILE.read_text(encoding="utf-8") == render(), "run: python -m bot.dialogue.domain"


def test_every_fact_is_an_entity_and_a_slot_filled_from_it() -> None:
    domain = build()
    assert domain["entities"] == list(FACTS)
    for name in FACTS:
        assert {"type": "from_entity", "entity": name} in domain["slots"][name]["mappings"]
    goal_intents = {m["intent"] for m in domain["slots"]["goal"]["mappings"] if "intent" in m}
    assert goal_intents == set(INTENT_GOALS)


def test_slot_values_become_fact_values() -> None:
    assert slot_value("veteran", "true") is True
    assert slot_value("veteran", "false") is False
    assert slot_value("veteran", "maybe") is None
    assert slot_value("housing", "rented") == "rented"
    assert slot_value("housing", "castle") is None
    situation = situation_from_slots({"goal": "settle_urban", "veteran": "false", "x": 1})
    assert situation.to_dict() == {"goal": "settle_urban", "veteran": False}


def test_parse_results_become_a_situation() -> None:
    from bot.dialogue.situation import situation_from_parse

    parse = {
        "intent": {"name": "want_settle_urban", "confidence": 0.9},
        "entities": [
            {"entity": "housing", "value": "rented"},
            {"entity": "urban_social_insurance", "value": "false"},
            {"entity": "not_a_fact", "value": "x"},
        ],
    }
    assert situation_from_parse(parse).to_dict() == {
        "goal": "settle_urban",
        "housing": "rented",
        "urban_social_insurance": False,
    }
    stated = {
        "intent": {"name": "want_settle_urban"},
        "entities": [{"entity": "goal", "value": "move_rural"}],
    }
    assert situation_from_parse(stated).get("goal") == "move_rural"  # stated beats intent
