"""The published FAQ in whole conversations with the running assistant (Rasa + actions + model).

Entries are published in the assistant's own database (``assistant.database_url``) through the
real workflow, and archived again afterwards so that the other conversation tests see no FAQ.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest

from bot.faq.store import FaqStore
from bot.stack.processes import Stack
from tests.support.faq import desk, publish, publish_file
from tests.support.replay import play


@pytest.fixture(scope="module")
def faq(assistant: Stack) -> Iterator[FaqStore]:
    assert assistant.database_url
    store = desk(assistant.database_url)
    publish_file(store)
    yield store
    for entry in store.published():
        store.archive("reviewer", entry.id)


def _faq_key(store: FaqStore, payload: dict[str, object] | None) -> str | None:
    if not payload or payload.get("type") != "faq":
        return None
    faq = payload["faq"]
    assert isinstance(faq, dict)
    return store.get(int(faq["id"])).key


@pytest.mark.parametrize(
    ("message", "key"),
    [
        ("居住证到底有啥用处", "residence_permit_rights"),  # NLU: residence permit → the form
        ("政府会逼我们农民把户口迁进城吗", "not_forced"),  # NLU unsure → fallback
        ("进城以后承包的地要交回去吗", "land_rights"),  # NLU: a topic question
        ("農業戶口跟非農戶口現在還有區別嗎", "hukou_type"),  # traditional characters
        ("城里人能不能把户口放到乡下", "move_to_village"),  # NLU: move to the village
    ],
)
def test_general_questions_get_the_faq_answer(
    assistant_url: str, faq: FaqStore, message: str, key: str
) -> None:
    conversation = play(assistant_url, "faq", [message])
    assert _faq_key(faq, conversation.last_payload()) == key, conversation.turns[0].texts


def test_a_situation_description_gets_the_assessment(assistant_url: str, faq: FaqStore) -> None:
    conversation = play(assistant_url, "situation", ["我在城里租了房想把户口迁过来"])
    payload = conversation.last_payload() or {}
    assert payload.get("type") == "assessment"


def test_the_faq_answer_offers_the_assessment_next(assistant_url: str, faq: FaqStore) -> None:
    conversation = play(assistant_url, "faq-then-assess", ["居住证有什么用？"])
    buttons = conversation.turns[0].replies[0].get("buttons") or []
    assert [b["title"] for b in buttons] == ["按我的情况判断"]
    follow = play(assistant_url, "faq-then-assess", [buttons[0]["payload"]], conversation.sender)
    assert (follow.last_payload() or {}).get("type") == "assessment"


def test_a_suggestion_can_be_chosen(assistant_url: str, faq: FaqStore) -> None:
    # A question the classifier is unsure of (nlu_fallback) that two entries half fit.
    conversation = play(assistant_url, "suggest", ["农民一定要进城吗"])
    first = conversation.turns[0].replies[0]
    assert first["text"] == "您是想问下面的问题吗？"
    chosen = first["buttons"][0]["payload"]
    entry_id = int(json.loads(chosen.removeprefix("/choose_faq"))["faq_id"])
    answer = play(assistant_url, "suggest", [chosen], conversation.sender)
    payload = answer.last_payload() or {}
    assert payload.get("type") == "faq" and payload["faq"]["id"] == entry_id


def test_publish_and_archive_count_from_the_next_message(assistant_url: str, faq: FaqStore) -> None:
    question = "集体户口挂靠在哪里可以办"
    before = play(assistant_url, "new-entry", [question]).last_payload() or {}
    assert before.get("type") != "faq"
    entry = publish(
        faq,
        {
            "question": "集体户口可以挂靠在哪里？",
            "paraphrases": ["集体户口挂在哪个单位"],
            "answer": "本政策没有规定集体户口挂靠的单位，请向拟迁入地派出所咨询。",
            "clause_ids": ["3.1.5"],
        },
    )
    published_at = time.monotonic()
    after = play(assistant_url, "new-entry", [question])
    elapsed = time.monotonic() - published_at
    assert (after.last_payload() or {}).get("faq", {}).get("id") == entry.id
    assert elapsed < 5  # one chat turn; benchmarks/faq.py measures the latency itself
    faq.archive("reviewer", entry.id)
    gone = play(assistant_url, "new-entry", [question]).last_payload() or {}
    assert gone.get("type") != "faq"


def test_repeated_characters_are_not_understood_as_a_question(
    assistant_url: str, faq: FaqStore
) -> None:
    conversation = play(assistant_url, "noise", ["户" * 1000])
    payload = conversation.last_payload() or {}
    assert payload.get("type") == "fallback" and payload.get("stage") == "clarify"
