"""The custom actions, run as Rasa runs them: ``await action.run(dispatcher, tracker, domain)``."""

from __future__ import annotations

import asyncio

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import actions
from bot.policy import load_knowledge
from tests.support.trackers import payloads, run, tracker

KB = load_knowledge()


def test_assess_sends_text_and_payload_for_a_route() -> None:
    _, messages = run(
        actions.ActionAssess(), tracker({"goal": "settle_urban", "housing": "rented"})
    )
    (payload,) = payloads(messages)
    assert payload["type"] == "assessment" and payload["outcome"] == "eligible"
    assert [c["id"] for c in payload["clauses"]] == ["3.1.5"]
    text = next(m["text"] for m in messages if m.get("text"))
    assert "三(一)5" in text and "房屋租赁合同" in text and "2022年7月28日" in text
    assert "\n\n" not in text  # one bubble on the REST channel
    assert all(set(d) >= {"name", "for"} for d in payload["documents"])


def test_assess_reads_boolean_slots_as_strings() -> None:
    slots = {
        "goal": "settle_urban",
        "employed_in_liling": "true",
        "urban_social_insurance": "false",
    }
    _, messages = run(actions.ActionAssess(), tracker(slots))
    (payload,) = payloads(messages)
    assert "3.1.6" in [c["id"] for c in payload["ruled_out"]]
    # Shown as the route asked about, marked as not applying; never as applicable.
    assert payload["outcome"] != "eligible"
    assert all(c["ruled_out"] for c in payload["clauses"] if c["id"] == "3.1.6")


def test_assess_without_goal_offers_the_goals() -> None:
    _, messages = run(actions.ActionAssess(), tracker({}))
    buttons = next(m["buttons"] for m in messages if m.get("text"))
    assert any('"goal": "settle_urban"' in b["payload"] for b in buttons)


def test_form_asks_only_what_the_engine_needs() -> None:
    form = actions.ValidateSituationForm()
    trk = tracker({"goal": "settle_urban", "join_relative": "none"})
    slots = asyncio.run(form.required_slots([], CollectingDispatcher(), trk, {}))
    assert "join_relative" not in slots and "relative_hukou_area" not in slots
    assert "housing" in slots and slots[0] != "goal"


def test_form_needs_nothing_once_a_route_applies() -> None:
    form = actions.ValidateSituationForm()
    trk = tracker({"goal": "move_rural", "veteran": "true", "origin_rural": "true"})
    assert asyncio.run(form.required_slots([], CollectingDispatcher(), trk, {})) == []


def test_dont_know_skips_the_question_for_good() -> None:
    form = actions.ValidateSituationForm()
    trk = tracker({"goal": "settle_urban", "requested_slot": "join_relative"}, intent="dont_know")
    events, _ = run(form, trk, {"forms": {"situation_form": {"required_slots": ["goal"]}}})
    assert SlotSet("skipped_facts", ["join_relative"]) in events
    next_slot = [e for e in events if e["name"] == "requested_slot"]
    assert next_slot and next_slot[-1]["value"] != "join_relative"


@pytest.mark.parametrize(("intent", "value"), [("affirm", "true"), ("deny", "false")])
def test_yes_and_no_answer_a_yes_no_question(intent: str, value: str) -> None:
    form = actions.ValidateSituationForm()
    trk = tracker({"goal": "move_rural", "requested_slot": "veteran"}, intent=intent)
    events, _ = run(form, trk, {"forms": {"situation_form": {"required_slots": ["goal"]}}})
    assert SlotSet("veteran", value) in events


def test_yes_does_not_answer_a_choice_question() -> None:
    form = actions.ValidateSituationForm()
    trk = tracker({"goal": "settle_urban", "requested_slot": "housing"}, intent="affirm")
    events, _ = run(form, trk, {"forms": {"situation_form": {"required_slots": ["goal"]}}})
    assert not [e for e in events if e["name"] == "housing"]


def test_invalid_slot_values_are_reset_to_unknown() -> None:
    form = actions.ValidateSituationForm()
    trk = tracker({"goal": "settle_urban", "housing": "castle"})
    events = asyncio.run(form.get_validation_events(CollectingDispatcher(), trk, {}))
    assert SlotSet("housing", None) in events


def test_topic_answer_quotes_the_clause() -> None:
    _, messages = run(actions.ActionAnswerTopic(), tracker(intent="ask_land_rights"))
    (payload,) = payloads(messages)
    assert payload["type"] == "clause"
    assert [c["id"] for c in payload["clauses"]] == ["5.1"]
    assert payload["clauses"][0]["quote"] in KB.text


def test_out_of_scope_is_declined_without_a_clause() -> None:
    _, messages = run(
        actions.ActionOutOfScope(), tracker(intent="out_of_scope", text="办护照要什么")
    )
    (payload,) = payloads(messages)
    assert payload["type"] == "out_of_scope" and payload["clauses"] == []


def test_keyboard_noise_gets_a_clarifying_question() -> None:
    _, messages = run(actions.ActionOutOfScope(), tracker(intent="out_of_scope", text="asdfgh"))
    (payload,) = payloads(messages)
    assert payload["type"] == "fallback" and payload["stage"] == "clarify"


def test_second_fallback_in_a_row_refers_onwards() -> None:
    user = {"event": "user", "parse_data": {"intent": {"name": "nlu_fallback"}}}
    _, first = run(actions.ActionClarify(), tracker(intent="nlu_fallback", events=[user]))
    _, second = run(actions.ActionClarify(), tracker(intent="nlu_fallback", events=[user, user]))
    assert payloads(first)[0]["stage"] == "clarify"
    assert payloads(second)[0]["stage"] == "refer"
    assert "派出所" in next(m["text"] for m in second if m.get("text"))


def test_handoff_never_invents_a_phone_number() -> None:
    _, messages = run(actions.ActionHandoff(), tracker(intent="human_handoff"))
    text = next(m["text"] for m in messages if m.get("text"))
    assert not any(ch.isdigit() for ch in text)
    assert "派出所" in text


def test_validity_answer_states_the_dates() -> None:
    _, messages = run(actions.ActionPolicyValidity(), tracker(intent="ask_policy_validity"))
    text = next(m["text"] for m in messages if m.get("text"))
    assert "2017年7月5日签发" in text and "失效日期为2022年7月28日" in text
    assert payloads(messages)[0]["policy"]["expires"] == "2022-07-28"


def test_ask_action_says_what_may_apply_then_asks() -> None:
    ask = actions.ASK_ACTIONS["lives_with_relative"]()
    slots = {
        "goal": "settle_urban",
        "join_relative": "spouse",
        "marital_status": "married",
        "spouse_hukou_area": "liling_urban",
    }
    events, messages = run(ask, tracker(slots))
    texts = [m["text"] for m in messages if m.get("text")]
    assert "三(一)1" in texts[0] and "可能适用" in texts[0]
    assert texts[1] == "您和要投靠的亲属是否共同居住生活？"
    question = next(m for m in messages if m.get("buttons"))
    assert [b["title"] for b in question["buttons"]] == ["是", "否", "不清楚"]
    (payload,) = payloads(messages)
    assert payload["outcome"] == "undetermined" and payload["missing"][0] == "lives_with_relative"
    assert SlotSet("likely_clauses", ["3.1.1"]) in events
    # The same likely clause is not announced again on the next question.
    _, again = run(ask, tracker({**slots, "likely_clauses": ["3.1.1"]}))
    assert [m["text"] for m in again if m.get("text")] == ["您和要投靠的亲属是否共同居住生活？"]


def test_every_fact_has_an_ask_action() -> None:
    from bot.policy.facts import FACTS

    names = {cls().name() for cls in actions.AskFact.__subclasses__()}
    assert names == {f"action_ask_{fact}" for fact in FACTS}
