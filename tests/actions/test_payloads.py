"""Crafted button payloads (issue 19, item 3): every entity value is checked by the actions.

A citizen's browser sends ``/choose_faq{"faq_id": "12"}`` or ``/inform{"housing": "rented"}``;
anyone can send any JSON in its place. Whatever arrives, the action answers (the normal
fallback when the value is unknown or malformed) and never raises: an exception gives the
citizen an empty reply and makes Rasa log the whole tracker.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from rasa_sdk.executor import CollectingDispatcher

from actions import actions
from bot.dialogue.situation import slot_value
from bot.faq.store import FaqStore
from bot.policy.facts import FACTS
from tests.support.faq import desk, publish_file
from tests.support.trackers import payloads, run, tracker

FORM_DOMAIN = {"forms": {"situation_form": {"required_slots": ["goal"]}}}
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=6,
)
"""Any value a JSON payload can carry."""
DIGITS_ELSEWHERE = st.text(st.characters(whitelist_categories=("Nd", "No")), min_size=1)
"""Digits that are not ASCII (², ١, ８ …): ``isdigit()`` may be true, ``int()`` may raise."""
FUZZ = settings(
    max_examples=150,
    deadline=None,
    # The database is only read: sharing one per test function across examples is fine.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@pytest.fixture
def store(empty_faq: str) -> FaqStore:
    """The test entries published in the actions' database."""
    store = desk(empty_faq)
    publish_file(store)
    return store


def button_id(value: Any) -> int | None:
    """What the buttons send, decided here independently of the code under test."""
    if type(value) is int:
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 19:
        return int(value)
    return None


def answered(messages: list[dict[str, Any]]) -> dict[str, Any]:
    """The reply's payload, once checked that there is a reply with text."""
    assert any(str(m.get("text") or "").strip() for m in messages), messages
    (payload,) = payloads(messages)
    return payload


@FUZZ
@given(value=JSON | DIGITS_ELSEWHERE)
@example(value="²")
@example(value="٣")
@example(value="８")
@example(value="9" * 5000)
@example(value="-1")
@example(value=" 1")
@example(value="1.0")
@example(value=True)
@example(value=[1])
def test_a_malformed_faq_id_gets_the_fallback(store: FaqStore, value: Any) -> None:
    published = {entry.id for entry in store.published()}
    chose = tracker(intent="choose_faq", entities=[{"entity": "faq_id", "value": value}])
    payload = answered(run(actions.ActionAnswerFaq(), chose)[1])
    if button_id(value) in published:
        assert payload["type"] == "faq" and payload["faq"]["id"] == int(value)
    else:
        assert payload["type"] == "fallback"


def test_a_well_formed_faq_id_still_answers(store: FaqStore) -> None:
    entry = store.published()[0]
    for value in (str(entry.id), entry.id):
        chose = tracker(intent="choose_faq", entities=[{"entity": "faq_id", "value": value}])
        assert answered(run(actions.ActionAnswerFaq(), chose)[1])["faq"]["id"] == entry.id


@FUZZ
@given(value=JSON | DIGITS_ELSEWHERE)
@example(value="²")
def test_a_malformed_faq_slot_gets_the_assessment(store: FaqStore, value: Any) -> None:
    published = {entry.id for entry in store.published()}
    trk = tracker({"faq_entry": value, "goal": "settle_urban"})
    _, messages = run(actions.ActionAssess(), trk)
    payload = answered(messages)
    if button_id(value) not in published:
        assert payload["type"] != "faq"


@FUZZ
@given(
    facts=st.dictionaries(st.sampled_from(sorted(FACTS)), JSON | DIGITS_ELSEWHERE, max_size=4),
    extra=st.lists(st.dictionaries(st.sampled_from(["entity", "value", "x"]), JSON), max_size=2),
)
def test_malformed_fact_entities_are_dropped(
    facts: dict[str, Any], extra: list[dict[str, Any]]
) -> None:
    entities = [{"entity": name, "value": value} for name, value in facts.items()]
    trk = tracker({"requested_slot": None}, text="/inform", entities=[*entities, *extra])
    events = asyncio.run(
        actions.ValidateSituationForm().run(CollectingDispatcher(), trk, FORM_DOMAIN)
    )
    for event in events:
        if event.get("event") == "slot" and event["name"] in FACTS:
            value = event["value"]
            assert value is None or slot_value(event["name"], value) is not None, event
    _, messages = run(actions.ActionAssess(), trk)
    answered(messages)
