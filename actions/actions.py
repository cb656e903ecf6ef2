"""Custom actions: thin adapters between Rasa and :mod:`bot.policy` / :mod:`bot.dialogue`.

No eligibility rule lives here: the form asks what the engine says is missing, and the
answers are built by the engine and the presentation layer. Each answer is sent as text
(with quick replies) plus a JSON payload (``json_message``, ``custom`` on the REST channel).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.dialogue.answers import (
    GOAL_BUTTONS,
    Answer,
    clarify_answer,
    handoff_answer,
    not_covered,
    out_of_scope_answer,
    topic_answer,
    validity_answer,
)
from bot.dialogue.domain import ask_action, button
from bot.dialogue.situation import (
    LIKELY_SLOT,
    SKIPPED_SLOT,
    TOPIC_INTENTS,
    entity_value,
    situation_from_slots,
    slot_value,
    still_to_ask,
)
from bot.policy import Outcome, assess, load_knowledge
from bot.policy.facts import FACTS
from bot.policy.present import payload, question, render_text

KB = load_knowledge()
"""The knowledge base, loaded and validated once when the action server starts."""

AFTER_ANSWER_BUTTONS = [
    {"title": "重新开始", "payload": "/restart"},
    {"title": "转人工", "payload": "/human_handoff"},
]
TOPIC_BUTTONS = [
    {"title": "农业和非农业户口", "payload": "/ask_hukou_type"},
    {"title": "哪些地方算城镇", "payload": "/ask_urban_area"},
    {"title": "进城后的土地权益", "payload": "/ask_land_rights"},
    {"title": "子女上学、中考高考", "payload": "/ask_schooling"},
    {"title": "社保医保接续", "payload": "/ask_social_insurance"},
    {"title": "住房保障", "payload": "/ask_housing_security"},
]


def today() -> dt.date:
    """The date answers are given on (a function so tests can pin it)."""
    return dt.date.today()


def _latest_intent(tracker: Tracker) -> str | None:
    intent = tracker.latest_message.get("intent") or {}
    name = intent.get("name")
    return str(name) if name else None


def _send(dispatcher: CollectingDispatcher, answer: Answer, buttons: list[Any]) -> None:
    text, data = answer
    # The REST channel splits a text at blank lines into several bubbles; keep one answer
    # in one bubble (the widget's cards come from the payload).
    dispatcher.utter_message(text=re.sub(r"\n{2,}", "\n", text), buttons=buttons)
    dispatcher.utter_message(json_message=data)


def _has_chinese(text: str) -> bool:
    return any("\u4e00" <= char <= "\u9fff" for char in text)


class ValidateSituationForm(FormValidationAction):
    """Ask only what the engine still needs, accept skips, yes/no answers and corrections."""

    def name(self) -> str:
        """Return the action's name."""
        return "validate_situation_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        """The engine's missing facts, in asking order, minus those the citizen skipped."""
        skipped = tracker.get_slot(SKIPPED_SLOT) or []
        if "goal" in skipped:
            return []
        missing = assess(situation_from_slots(tracker.slots), KB, today()).missing
        return still_to_ask(missing, skipped)

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Turn 不知道 / 是 / 没有 into answers to the pending question, then validate."""
        # Facts stated in this message count as answers even when they repeat a known
        # value, so the form re-asks its question instead of rejecting the turn.
        events: list[EventType] = [
            SlotSet(entity["entity"], entity["value"])
            for entity in tracker.latest_message.get("entities") or []
            if entity.get("entity") in FACTS
        ]
        requested = tracker.get_slot("requested_slot")
        intent = _latest_intent(tracker)
        if requested in FACTS and tracker.get_slot(requested) is None:
            if intent == "dont_know":
                skipped = [*(tracker.get_slot(SKIPPED_SLOT) or []), requested]
                events.append(SlotSet(SKIPPED_SLOT, skipped))
            elif intent in ("affirm", "deny") and FACTS[requested].is_bool:
                events.append(SlotSet(requested, entity_value(intent == "affirm")))
        for event in events:
            tracker.slots[event["name"]] = event["value"]
        return events + await super().run(dispatcher, tracker, domain)

    async def get_extraction_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """No custom extraction: facts come from the fact extractor's entities."""
        return []

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Reset any fact slot whose value the engine would not accept (kept unknown)."""
        events = await super().get_validation_events(dispatcher, tracker, domain)
        for name in FACTS:
            raw = tracker.get_slot(name)
            if raw is not None and slot_value(name, raw) is None:
                events.append(SlotSet(name, None))
        return events


class AskFact(Action):
    """Ask for one fact: first say what the answers so far point to, then the question."""

    fact = ""

    def name(self) -> str:
        """Return the action's name (``action_ask_<fact>``)."""
        return ask_action(self.fact)

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Send the interim summary (when it changed), the question and the payload."""
        result = assess(situation_from_slots(tracker.slots), KB, today())
        likely = [finding.clause.id for finding in result.likely]
        events: list[EventType] = []
        if likely and likely != (tracker.get_slot(LIKELY_SLOT) or []):
            names = "、".join(f"【{f.clause.label}】{f.clause.title}" for f in result.likely)
            dispatcher.utter_message(text=f"根据您说的情况，可能适用{names}。还需要确认几点。")
            events.append(SlotSet(LIKELY_SLOT, likely))
        asked = question(self.fact)
        dispatcher.utter_message(
            text=asked["question"],
            buttons=[button(self.fact, option) for option in asked["options"]],
        )
        dispatcher.utter_message(json_message=payload(result, KB))
        return events


ASK_ACTIONS: dict[str, type[AskFact]] = {
    # One ask action per fact, as Rasa looks them up by name (action_ask_<slot>). Kept in
    # this dict so the classes live as long as the module (the SDK finds them as subclasses).
    fact: type(f"Ask_{fact}", (AskFact,), {"fact": fact, "__module__": __name__})
    for fact in FACTS
}


class ActionAssess(Action):
    """Answer with the assessment: clause, quote, why, documents, where to go, notices."""

    def name(self) -> str:
        """Return the action's name."""
        return "action_assess"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Assess the conversation's facts and send text and payload."""
        result = assess(situation_from_slots(tracker.slots), KB, today())
        buttons: list[Any] = list(AFTER_ANSWER_BUTTONS)
        if result.outcome is Outcome.NEED_GOAL:
            buttons = [{"title": t, "payload": p} for t, p in GOAL_BUTTONS]
        elif result.outcome is Outcome.INFORMATION:
            buttons = list(TOPIC_BUTTONS)
        _send(dispatcher, (render_text(result, KB), payload(result, KB)), buttons)
        return []


class AnswerAction(Action):
    """An action that sends one prepared answer (text, buttons, payload) and sets nothing.

    Subclasses override :meth:`answer`; this base says the policy is silent and refers the
    citizen onwards, which is also what it sends if ever run under its own name.
    """

    action_name = "action_not_covered"

    def name(self) -> str:
        """Return the action's name."""
        return self.action_name

    def answer(self, tracker: Tracker) -> tuple[Answer, list[Any]]:
        """Build the answer and its quick-reply buttons for this turn."""
        return not_covered(KB, today()), []

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Send the answer."""
        answer, buttons = self.answer(tracker)
        _send(dispatcher, answer, buttons)
        return []


class ActionAnswerTopic(AnswerAction):
    """Answer a direct question (land rights, schooling …) by quoting its clauses."""

    action_name = "action_answer_topic"

    def answer(self, tracker: Tracker) -> tuple[Answer, list[Any]]:
        """Quote the clauses for the latest intent's topic."""
        topics = TOPIC_INTENTS.get(_latest_intent(tracker) or "", ())
        return topic_answer(topics, KB, today()), []


class ActionPolicyValidity(AnswerAction):
    """Say when the policy was issued and when it is marked to expire."""

    action_name = "action_policy_validity"

    def answer(self, tracker: Tracker) -> tuple[Answer, list[Any]]:
        """The validity answer."""
        return validity_answer(KB, today()), []


class ActionHandoff(AnswerAction):
    """Refer the citizen to people (派出所, 公安局户政部门) without inventing numbers."""

    action_name = "action_handoff"

    def answer(self, tracker: Tracker) -> tuple[Answer, list[Any]]:
        """The referral."""
        return handoff_answer(KB, today()), []


class ActionOutOfScope(AnswerAction):
    """Decline questions outside the policy plainly; never guess a clause."""

    action_name = "action_out_of_scope"

    def answer(self, tracker: Tracker) -> tuple[Answer, list[Any]]:
        """The decline; keyboard noise without any Chinese gets a clarifying question."""
        if not _has_chinese(str(tracker.latest_message.get("text") or "")):
            clarify = clarify_answer(KB, today(), second_time=False)
            return clarify, clarify[1].get("options", [])
        return out_of_scope_answer(KB, today()), []


class ActionClarify(AnswerAction):
    """Low confidence: ask which topic once; if still unclear, say so and refer onwards."""

    action_name = "action_clarify"

    def answer(self, tracker: Tracker) -> tuple[Answer, list[Any]]:
        """A clarifying question, or the honest referral on the second miss in a row."""
        user_intents = [
            (event.get("parse_data") or {}).get("intent", {}).get("name")
            for event in tracker.events
            if event.get("event") == "user"
        ]
        second_time = len(user_intents) >= 2 and user_intents[-2] == "nlu_fallback"
        clarify = clarify_answer(KB, today(), second_time)
        return clarify, [] if second_time else clarify[1].get("options", [])
