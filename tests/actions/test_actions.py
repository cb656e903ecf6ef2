"""The custom actions, run as Rasa runs them: ``await action.run(dispatcher, tracker, domain)``."""

from __future__ import annotations

import asyncio
import json
from typing import Any

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


def test_no_to_whom_one_joins_is_no_one() -> None:
    form = actions.ValidateSituationForm()
    trk = tracker({"goal": "move_rural", "requested_slot": "join_relative"}, intent="deny")
    events, _ = run(form, trk, {"forms": {"situation_form": {"required_slots": ["goal"]}}})
    assert SlotSet("join_relative", "none") in events


def test_an_answer_keeps_the_goal_the_classifier_read_into_it() -> None:
    # 不投靠 classified want_settle_urban: the slot mapping moved the goal; the form puts it back.
    form = actions.ValidateSituationForm()
    history = [
        {"event": "slot", "name": "goal", "value": "move_rural"},
        {"event": "user", "text": "不投靠"},
        {"event": "slot", "name": "goal", "value": "settle_urban"},
    ]
    trk = tracker(
        {"goal": "settle_urban", "requested_slot": "join_relative"},
        intent="want_settle_urban",
        entities=[{"entity": "join_relative", "value": "none"}],
        events=history,
    )
    events, _ = run(form, trk, {"forms": {"situation_form": {"required_slots": ["goal"]}}})
    assert SlotSet("goal", "move_rural") in events
    # A goal the words state (the fact rules' entity) still changes it.
    stated = tracker(
        {"goal": "settle_urban", "requested_slot": "join_relative"},
        intent="want_settle_urban",
        entities=[{"entity": "goal", "value": "settle_urban"}],
        events=history,
    )
    events, _ = run(form, stated, {"forms": {"situation_form": {"required_slots": ["goal"]}}})
    assert SlotSet("goal", "move_rural") not in events


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
    # 12345 is the general government line by name; no other number is given.
    assert not any(ch.isdigit() for ch in text.replace("12345政务服务便民热线", ""))
    assert "派出所" in text and "醴陵市公安局户政部门" in text
    # 人工咨询渠道 lists where people answer; it promises no person.
    assert text.startswith("人工咨询渠道") and "不能转接" in text
    question = next(m for m in messages if m.get("buttons"))
    assert question["buttons"] and all(
        b["payload"] != "/human_handoff" for b in question["buttons"]
    )


def test_validity_answer_states_the_dates() -> None:
    _, messages = run(actions.ActionPolicyValidity(), tracker(intent="ask_policy_validity"))
    text = next(m["text"] for m in messages if m.get("text"))
    assert "2017年7月5日签发" in text and "失效日期为2022年7月28日" in text
    assert payloads(messages)[0]["policy"]["expires"] == "2022-07-28"
    assert not payloads(messages)[0]["clauses"]  # no move named: the dates alone


def test_validity_of_a_named_move_quotes_its_clauses() -> None:
    """醴陵城镇落户的政策现在还在用吗: the dates, then what the document said about it."""
    asked = tracker(
        slots={"goal": "settle_urban"},
        intent="ask_policy_validity",
        entities=[{"entity": "goal", "value": "settle_urban"}],
    )
    _, messages = run(actions.ActionPolicyValidity(), asked)
    text = next(m["text"] for m in messages if m.get("text"))
    answer = payloads(messages)[0]
    assert "失效日期为2022年7月28日" in text and "该文件的相关条款" in text
    ids = [c["id"] for c in answer["clauses"]]
    assert ids and all(i.startswith("3.1") for i in ids)
    for clause in answer["clauses"]:
        assert f"原文：“{KB.clause(clause['id']).quote}”" in text


SPOUSE_SLOTS = {
    "goal": "settle_urban",
    "join_relative": "spouse",
    "marital_status": "married",
    "spouse_hukou_area": "liling_urban",
}


def _shown(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The messages as a tracker keeps them: ``bot`` events with the payload as data.custom."""
    return [
        {"event": "bot", "text": m.get("text"), "data": {"custom": m.get("custom")}}
        for m in messages
    ]


def test_ask_action_sends_the_card_first_and_the_question_last() -> None:
    ask = actions.ASK_ACTIONS["lives_with_relative"]()
    events, messages = run(ask, tracker(SPOUSE_SLOTS))
    texts = [m["text"] for m in messages if m.get("text")]
    assert texts[0].startswith("按2017年《醴陵市人民政府关于进一步推进户籍制度改革的实施意见》")
    assert "三(一)1" in texts[0] and "可能适用" in texts[0]
    # The first card of the conversation carries the full notice.
    assert "失效日期为2022年7月28日" in texts[0] and "派出所" in texts[0]
    card, asked = payloads(messages)
    assert messages.index(next(m for m in messages if m.get("custom") is card)) < messages.index(
        next(m for m in messages if m.get("buttons"))
    )
    # The question is the last bubble; only its payload (drawn as nothing) comes after it.
    bubbles = [m for m in messages if m.get("text")]
    assert bubbles[-1]["text"] == "您和要投靠的亲属是否共同居住生活？"
    assert [b["title"] for b in bubbles[-1]["buttons"]] == ["是", "否", "不清楚"]
    assert messages[-1]["custom"]["type"] == "question" and not messages[-1]["custom"].get(
        "clauses"
    )
    assert card["outcome"] == "undetermined" and card["notice"] == "full"
    assert asked["missing"][0] == "lives_with_relative"
    assert SlotSet("likely_clauses", ["3.1.1"]) in events


def test_a_question_turn_that_changes_nothing_repeats_no_card() -> None:
    ask = actions.ASK_ACTIONS["lives_with_relative"]()
    _, first = run(ask, tracker(SPOUSE_SLOTS))
    _, again = run(ask, tracker(SPOUSE_SLOTS, events=_shown(first)))
    assert [m["text"] for m in again if m.get("text")] == ["您和要投靠的亲属是否共同居住生活？"]
    assert [p["type"] for p in payloads(again)] == ["question"]
    # The question's payload names the answer in force, for readers of this turn alone.
    answer = payloads(again)[0]["answer"]
    assert answer["outcome"] == "undetermined" and answer["clauses"][0]["id"] == "3.1.1"
    assert answer["situation"]["join_relative"] == "spouse"


def test_a_turn_that_changes_the_answer_says_what_changed_with_a_short_tag() -> None:
    ask = actions.ASK_ACTIONS["lives_with_relative"]()
    _, first = run(ask, tracker(SPOUSE_SLOTS))
    slots = {**SPOUSE_SLOTS, "lives_with_relative": "true"}
    _, final = run(actions.ActionAssess(), tracker(slots, events=_shown(first)))
    text = next(m["text"] for m in final if m.get("text"))
    assert text.startswith("根据您补充的情况，改为：按2017年")
    assert "适用【三(一)1】" in text
    # The full notice was given once; now the short tag, which still names the expiry.
    assert "（依据2017年文件，已于2022年7月28日失效，请向派出所确认）" in text
    assert "现已过期。以上是该文件的规定" not in text
    (card,) = payloads(final)
    assert card["outcome"] == "eligible" and card["notice"] == "short"
    # The card shows its first notice: the short tag too, not the full notice again.
    assert card["notices"][0] == card["status_tag"] and "失效" in card["status_tag"]


def test_an_answer_equal_to_the_card_shown_is_not_sent_again() -> None:
    ask = actions.ASK_ACTIONS["lives_with_relative"]()
    _, first = run(ask, tracker(SPOUSE_SLOTS))
    _, final = run(actions.ActionAssess(), tracker(SPOUSE_SLOTS, events=_shown(first)))
    (data,) = payloads(final)
    assert data["type"] == "assessment_unchanged" and "clauses" not in data
    assert data["cited"] == ["3.1.1"]
    assert "没有变化" in next(m["text"] for m in final if m.get("text"))


def test_a_restart_forgets_what_was_shown() -> None:
    ask = actions.ASK_ACTIONS["lives_with_relative"]()
    _, first = run(ask, tracker(SPOUSE_SLOTS))
    events = [*_shown(first), {"event": "restart"}]
    _, again = run(ask, tracker(SPOUSE_SLOTS, events=events))
    card, _ = payloads(again)
    assert card["notice"] == "full"


def test_the_four_quick_replies_to_show_come_first() -> None:
    ask = actions.ASK_ACTIONS["goal"]()
    _, messages = run(ask, tracker({}))
    question = next(m for m in messages if m.get("buttons"))
    titles = [b["title"] for b in question["buttons"]]
    # The widget shows the first four and the rest behind 更多; 不清楚 is among the four.
    assert len(titles) == 8 and titles[3] == "不清楚"
    assert titles[:3] == ["在醴陵城镇地区落户", "把户口迁往醴陵农村地区", "给新生儿登记户口"]
    assert {"办理居住证", "了解政策"} <= set(titles[4:])
    # No clause to show yet: the assessment goes along for readers, with nothing to draw.
    first = payloads(messages)[0]
    assert first["type"] == "assessment" and first["clauses"] == [] and first["missing"]
    assert messages[-1]["custom"]["type"] == "question"


def test_settling_in_town_asks_who_then_housing() -> None:
    form = actions.ValidateSituationForm()
    slots = asyncio.run(
        form.required_slots([], CollectingDispatcher(), tracker({"goal": "settle_urban"}), {})
    )
    assert slots[:2] == ["join_relative", "housing"]
    alone = tracker({"goal": "settle_urban", "join_relative": "none"})
    slots = asyncio.run(form.required_slots([], CollectingDispatcher(), alone, {}))
    assert slots[0] == "housing"


def test_joining_a_spouse_is_not_asked_whether_married() -> None:
    form = actions.ValidateSituationForm()
    trk = tracker(
        {"goal": "settle_urban", "requested_slot": "join_relative"},
        entities=[{"entity": "join_relative", "value": "spouse"}],
    )
    events = asyncio.run(form.run(CollectingDispatcher(), trk, {}))
    assert SlotSet("marital_status", "married") in events
    assert "marital_status" not in asyncio.run(
        form.required_slots([], CollectingDispatcher(), trk, {})
    )


def test_a_correction_resets_what_it_takes_back() -> None:
    """哦我搞错了，社保是株洲那边交的: the insurance said in an earlier turn is unknown again."""
    form = actions.ValidateSituationForm()
    trk = tracker(
        {"goal": "settle_urban", "urban_social_insurance": "true", "housing": "owned"},
        entities=[{"entity": "housing", "value": "owned"}],
    )
    trk.latest_message["retracted"] = ["urban_social_insurance", "not_a_fact"]
    events = asyncio.run(form.run(CollectingDispatcher(), trk, {}))
    assert SlotSet("urban_social_insurance", None) in events
    assert SlotSet("housing", None) not in events and SlotSet("not_a_fact", None) not in events


def test_out_of_scope_names_where_to_go_and_offers_a_way_back() -> None:
    _, messages = run(actions.ActionOutOfScope(), tracker(intent="out_of_scope", text="护照怎么办"))
    text = next(m["text"] for m in messages if m.get("text"))
    assert "派出所" in text and "醴陵市公安局户政部门" in text and "12345政务服务便民热线" in text
    assert "相关部门" not in text
    buttons = next(m for m in messages if m.get("buttons"))["buttons"]
    assert [b["title"] for b in buttons][:2] == ["在醴陵城镇落户", "把户口迁往农村"]
    assert any(b["title"] == "人工咨询渠道" for b in buttons[4:])


def test_a_topic_answer_leads_with_the_key_sentence() -> None:
    _, messages = run(actions.ActionAnswerTopic(), tracker(intent="ask_schooling"))
    text = next(m["text"] for m in messages if m.get("text"))
    first, second = text.split("\n")[:2]
    assert first.startswith("按2017年")
    key = "结合随迁子女在当地连续就学年限等情况,享有随迁子女在当地参加中考和高考的资格。"
    assert second == f"“{key}”（四(二)）"
    # A conditional right says its condition right after it.
    assert "是有条件的" in text.split("\n")[2]
    (data,) = payloads(messages)
    for item in data["key_sentences"]:
        assert item["text"] in KB.text


def test_every_fact_has_an_ask_action() -> None:
    from bot.policy.facts import FACTS

    names = {cls().name() for cls in actions.AskFact.__subclasses__()}
    assert names == {f"action_ask_{fact}" for fact in FACTS}


NO_ROUTE = {
    "goal": "settle_urban",
    "join_relative": "none",
    "housing": "none",
    "employed_in_liling": "false",
    "fulltime_graduate": "false",
    "professional_qualification": "false",
    "transferred_or_recruited": "false",
    "investor_or_founder": "false",
}


def test_a_conditional_right_says_its_condition_and_staff_notes_stay_out() -> None:
    _, messages = run(actions.ActionAssess(), tracker(NO_ROUTE))
    (card,) = payloads(messages)
    assert card["outcome"] == "residence_permit"
    text = next(m["text"] for m in messages if m.get("text"))
    lines = text.split("\n")
    quote_at = next(i for i, line in enumerate(lines) if "中考和高考" in line)
    assert "是有条件的" in lines[quote_at + 1]
    assert "结合随迁子女在当地连续就学年限等情况" in lines[quote_at + 1]
    # Research notes and other cities' practice are for the hotline page, not the citizen.
    for staff_only in ("未找到", "上海", "天津", "长沙", "说明："):
        assert staff_only not in text
    assert any(c["conditional"] for c in card["clauses"] if c["id"] == "4.2")
    # One row per document, grouped, in the text as on the card.
    assert "本人证件：" in text and text.count("□ 申请表") == 1


def _asked(fact: str) -> list[dict[str, Any]]:
    """A question for ``fact`` shown, then the citizen's reply (a user event)."""
    return [
        {"event": "bot", "text": "…", "data": {"custom": {"type": "question", "fact": fact}}},
        {"event": "user", "text": "他户口在醴陵城区"},
    ]


def test_a_question_asked_again_says_why_and_a_third_time_is_skipped() -> None:
    ask = actions.ASK_ACTIONS["spouse_hukou_area"]()
    slots = {"goal": "settle_urban", "join_relative": "spouse", "marital_status": "married"}
    _, again = run(ask, tracker(slots, events=_asked("spouse_hukou_area")))
    question = next(m for m in again if m.get("buttons"))
    assert question["text"].startswith("这一点我没能从您的话里确定")
    assert question["text"].endswith("您配偶的户口在哪里？")
    # After two asks with no usable answer the form goes on without it.
    form = actions.ValidateSituationForm()
    twice = _asked("spouse_hukou_area") * 2
    trk = tracker({**slots, "requested_slot": "spouse_hukou_area"}, events=twice)
    events = asyncio.run(form.run(CollectingDispatcher(), trk, {}))
    assert SlotSet("skipped_facts", ["spouse_hukou_area"]) in events
    once = tracker({**slots, "requested_slot": "spouse_hukou_area"}, events=twice[:2])
    events = asyncio.run(form.run(CollectingDispatcher(), once, {}))
    assert not any(e.get("name") == "skipped_facts" for e in events)


RARE_LEFT = {
    "goal": "settle_urban",
    "join_relative": "none",
    "housing": "none",
    "employed_in_liling": "false",
}


def test_rare_statuses_are_asked_as_one_question_and_none_settles_them_all() -> None:
    ask = actions.ASK_ACTIONS["fulltime_graduate"]()
    _, messages = run(ask, tracker(RARE_LEFT))
    question = next(m for m in messages if m.get("buttons"))
    assert question["text"].startswith("您属于下面哪种情形？")
    titles = [b["title"] for b in question["buttons"]]
    assert titles[0] == "都不是" and titles[3] == "不清楚" and len(titles) == 6
    asked = messages[-1]["custom"]
    assert asked["facts"] == [
        "fulltime_graduate",
        "professional_qualification",
        "transferred_or_recruited",
        "investor_or_founder",
    ]
    none_of = question["buttons"][0]["payload"]
    entities = [
        {"entity": name, "value": value}
        for name, value in json.loads(none_of.removeprefix("/inform")).items()
    ]
    slots = {**RARE_LEFT, **{e["entity"]: e["value"] for e in entities}}
    _, answer = run(actions.ActionAssess(), tracker(slots))
    assert payloads(answer)[0]["outcome"] == "residence_permit"
    # 不是 to the combined question is 都不是.
    form = actions.ValidateSituationForm()
    shown = [{"event": "bot", "data": {"custom": asked}}, {"event": "user"}]
    trk = tracker({**RARE_LEFT, "requested_slot": "fulltime_graduate"}, intent="deny", events=shown)
    events = asyncio.run(form.run(CollectingDispatcher(), trk, {}))
    assert all(SlotSet(name, "false") in events for name in asked["facts"])
    # 不清楚 skips the whole combined question, not one status of it.
    trk = tracker(
        {**RARE_LEFT, "requested_slot": "fulltime_graduate"}, intent="dont_know", events=shown
    )
    events = asyncio.run(form.run(CollectingDispatcher(), trk, {}))
    assert SlotSet("skipped_facts", asked["facts"]) in events
