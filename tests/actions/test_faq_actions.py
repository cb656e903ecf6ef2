"""The actions answering from the published FAQ.

When the FAQ answers and when the assessment wins, suggestions, unanswered questions,
publish/archive taking effect at once, and a database that is down.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import actions
from bot.faq.service import FaqService
from bot.faq.store import FaqStore
from tests.support.faq import desk, publish, publish_file
from tests.support.policy_text import TEXT as POLICY_TEXT
from tests.support.trackers import payloads, run, tracker


@pytest.fixture
def store(empty_faq: str, monkeypatch: pytest.MonkeyPatch) -> FaqStore:
    """The test entries (tests/data/faq_entries.yml) published in the actions' database."""
    store = desk(empty_faq)
    publish_file(store)
    return store


def faq_payload(messages: list[dict[str, Any]]) -> dict[str, Any]:
    (payload,) = payloads(messages)
    assert payload["type"] == "faq", payload
    return payload


def key_of(store: FaqStore, payload: dict[str, Any]) -> str:
    return store.get(payload["faq"]["id"]).key


def entities(**facts: str) -> list[dict[str, Any]]:
    return [{"entity": name, "value": value} for name, value in facts.items()]


def test_unsure_nlu_gets_the_faq_answer_with_verbatim_quotes(store: FaqStore) -> None:
    trk = tracker(intent="nlu_fallback", text="政府会逼我们农民把户口迁进城吗")
    _, messages = run(actions.ActionClarify(), trk)
    payload = faq_payload(messages)
    assert key_of(store, payload) == "not_forced"
    assert payload["faq"]["question"] == "会不会强制把农村户口迁到城里？"
    assert [c["id"] for c in payload["clauses"]] == ["1.2.2"]
    for clause in payload["clauses"]:
        assert clause["quote"] in POLICY_TEXT
    text = messages[0]["text"]
    assert text.startswith("不会。政策要求尊重城乡居民自主定居意愿")
    assert "2022年7月28日" in text
    assert store.unanswered_groups() == []


def test_general_question_on_a_topic_gets_the_faq_rather_than_the_clause_list(
    store: FaqStore,
) -> None:
    trk = tracker(intent="ask_land_rights", text="我搬进城落户，家里的宅基地还保得住吗")
    _, messages = run(actions.ActionAnswerTopic(), trk)
    assert key_of(store, faq_payload(messages)) == "land_rights"


def test_topic_button_still_quotes_the_topic_clauses(store: FaqStore) -> None:
    _, messages = run(
        actions.ActionAnswerTopic(), tracker(intent="ask_land_rights", text="/ask_land_rights")
    )
    (payload,) = payloads(messages)
    assert payload["type"] == "clause" and payload["topics"] == ["land_rights"]


def test_general_question_that_starts_the_form_is_answered_from_the_faq(store: FaqStore) -> None:
    trk = tracker(
        intent="ask_residence_permit",
        text="居住证有什么用？",
        entities=entities(goal="residence_permit"),
    )
    trk.slots["goal"] = "residence_permit"
    form = actions.ValidateSituationForm()
    dispatcher = CollectingDispatcher()
    events = asyncio.run(form.run(dispatcher, trk, {"forms": {"situation_form": {}}}))
    (faq_set,) = [e for e in events if e.get("name") == actions.FAQ_SLOT]
    assert faq_set["value"] is not None
    assert asyncio.run(form.required_slots([], dispatcher, trk, {})) == []

    events, messages = run(actions.ActionAssess(), trk)
    payload = faq_payload(messages)
    assert key_of(store, payload) == "residence_permit_rights"
    assert events == [SlotSet(actions.FAQ_SLOT, None)]
    (button,) = messages[0]["buttons"]
    assert button["title"] == "按我的情况判断"
    assert json.loads(button["payload"].removeprefix("/inform")) == {"goal": "residence_permit"}


@pytest.mark.parametrize(
    ("text", "facts"),
    [
        ("没有准生证，孩子能上户口吗？", {"has_birth_permit": "false", "goal": "newborn"}),
        ("我能把户口迁回农村老家吗", {"goal": "move_rural", "origin_rural": "true"}),
    ],
)
def test_a_situation_description_gets_the_assessment_even_when_an_faq_fits(
    store: FaqStore, text: str, facts: dict[str, str]
) -> None:
    assert actions.FAQ.fit(text).answer or actions.FAQ.fit(text).suggestions  # both would fit
    trk = tracker(intent="ask_newborn", text=text, entities=entities(**facts))
    trk.slots.update(facts)
    form = actions.ValidateSituationForm()
    events = asyncio.run(form.run(CollectingDispatcher(), trk, {"forms": {"situation_form": {}}}))
    assert SlotSet(actions.FAQ_SLOT, None) in events
    _, messages = run(actions.ActionAssess(), trk)
    assert payloads(messages)[0]["type"] == "assessment"


def test_a_button_answer_never_goes_to_the_faq(store: FaqStore) -> None:
    trk = tracker(intent="inform", text='/inform{"goal": "residence_permit"}')
    trk.slots["goal"] = "residence_permit"
    events = asyncio.run(
        actions.ValidateSituationForm().run(CollectingDispatcher(), trk, {"forms": {}})
    )
    assert SlotSet(actions.FAQ_SLOT, None) in events


def test_a_near_miss_offers_the_entries_and_is_recorded(store: FaqStore) -> None:
    text = "户口迁到乡下去行不行，我是城里人"
    fit = actions.FAQ.fit(text)
    assert fit.answer is None and fit.suggestions, "the test needs a message in the suggest band"
    _, messages = run(actions.ActionClarify(), tracker(intent="nlu_fallback", text=text))
    assert messages[0]["text"] == "您是想问下面的问题吗？"
    buttons = messages[0]["buttons"]
    chosen = buttons[0]["payload"]
    assert chosen.startswith("/choose_faq")
    faq_id = json.loads(chosen.removeprefix("/choose_faq"))["faq_id"]
    assert buttons[-1]["payload"] == "/deny"
    (group,) = store.unanswered_groups()
    assert group.text == text and group.reasons == ("fallback",)

    chose = tracker(
        intent="choose_faq", text=chosen, entities=[{"entity": "faq_id", "value": faq_id}]
    )
    _, messages = run(actions.ActionAnswerFaq(), chose)
    assert faq_payload(messages)["faq"]["id"] == int(faq_id)


def test_choosing_an_entry_archived_meanwhile_says_so(store: FaqStore) -> None:
    entry = next(e for e in store.published() if e.key == "hukou_type")
    store.archive("reviewer", entry.id)
    chose = tracker(intent="choose_faq", entities=[{"entity": "faq_id", "value": str(entry.id)}])
    _, messages = run(actions.ActionAnswerFaq(), chose)
    assert messages[0]["text"].startswith("这条解答已经下线或不存在。")
    assert payloads(messages)[0]["type"] == "fallback"


def test_out_of_scope_is_recorded_with_personal_data_masked(store: FaqStore) -> None:
    text = "我叫张三，电话13812345678，护照丢了怎么补办"
    _, messages = run(actions.ActionOutOfScope(), tracker(intent="out_of_scope", text=text))
    assert payloads(messages)[0]["type"] == "out_of_scope"
    (group,) = store.unanswered_groups()
    assert "13812345678" not in group.text and "张三" not in group.text
    assert "护照丢了怎么补办" in group.text and group.reasons == ("out_of_scope",)


@pytest.mark.parametrize("text", ["asdfgh", "户" * 1000, "/out_of_scope"])
def test_noise_and_buttons_are_not_recorded(store: FaqStore, text: str) -> None:
    run(actions.ActionOutOfScope(), tracker(intent="out_of_scope", text=text))
    run(actions.ActionClarify(), tracker(intent="nlu_fallback", text=text))
    assert store.unanswered_groups() == []


def test_publishing_and_archiving_take_effect_on_the_next_message(empty_faq: str) -> None:
    store = desk(empty_faq)
    question = tracker(intent="nlu_fallback", text="异地迁入的人多久可以办集体户")
    _, messages = run(actions.ActionClarify(), question)
    assert payloads(messages)[0]["type"] == "fallback"
    entry = publish(
        store,
        {
            "question": "外地人迁入能不能落集体户口？",
            "paraphrases": ["异地迁入人员可以办集体户吗"],
            "answer": "政策对集体户的办理时间没有规定，请向派出所咨询。",
            "clause_ids": ["3.1.5"],
        },
    )
    _, messages = run(actions.ActionClarify(), question)
    assert faq_payload(messages)["faq"]["id"] == entry.id
    store.archive("reviewer", entry.id)
    _, messages = run(actions.ActionClarify(), question)
    assert payloads(messages)[0]["type"] == "fallback"


def test_a_database_that_is_down_leaves_the_assistant_working(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    down = FaqService(actions.KB.clauses.keys(), "postgresql+psycopg2://hukou@127.0.0.1:9/none")
    monkeypatch.setattr(actions, "FAQ", down)
    _, messages = run(
        actions.ActionClarify(), tracker(intent="nlu_fallback", text="居住证有什么用")
    )
    assert payloads(messages)[0]["type"] == "fallback"
    _, messages = run(actions.ActionOutOfScope(), tracker(intent="out_of_scope", text="护照怎么办"))
    assert payloads(messages)[0]["type"] == "out_of_scope"
    chose = tracker(intent="choose_faq", entities=[{"entity": "faq_id", "value": "1"}])
    _, messages = run(actions.ActionAnswerFaq(), chose)
    assert messages[0]["text"].startswith("这条解答已经下线或不存在。")


def test_an_faq_answer_after_the_full_notice_carries_the_short_tag(store: FaqStore) -> None:
    shown = [
        {"event": "bot", "text": "…", "data": {"custom": {"type": "policy", "notice": "full"}}}
    ]
    trk = tracker(intent="nlu_fallback", text="政府会逼我们农民把户口迁进城吗", events=shown)
    _, messages = run(actions.ActionClarify(), trk)
    payload = faq_payload(messages)
    text = messages[0]["text"]
    assert payload["notice"] == "short" and "（依据2017年文件，已于2022年7月28日失效" in text
    assert "现已过期。以上内容依据该文件原文" not in text
