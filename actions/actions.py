"""Custom actions: thin adapters between Rasa and :mod:`bot.policy` / :mod:`bot.dialogue`.

No eligibility rule lives here: the form asks what the engine says is missing, and the
answers are built by the engine and the presentation layer. Each answer is sent as text
(with quick replies) plus a JSON payload (``json_message``, ``custom`` on the REST channel).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.dialogue.answers import (
    GOAL_BUTTONS,
    HANDOFF_TITLE,
    Answer,
    clarify_answer,
    faq_answer,
    faq_suggestion,
    handoff_answer,
    not_covered,
    one_bubble,
    other_city_answer,
    out_of_scope_answer,
    scope_buttons,
    topic_answer,
    validity_answer,
)
from bot.dialogue.asking import (
    asked_together,
    asking_order,
    together_buttons,
    together_question,
)
from bot.dialogue.domain import ask_action, button
from bot.dialogue.memory import (
    NOTICE_FULL,
    answer_summary,
    card_key,
    is_card,
    last_card,
    last_question_facts,
    notice_given,
    replied_this_turn,
    times_asked,
)
from bot.dialogue.payloads import entry_id, fact_entities, first_entity
from bot.dialogue.quick_replies import ordered_buttons
from bot.dialogue.reply import asked_of, other_city_of, retracted_of
from bot.dialogue.situation import (
    LIKELY_SLOT,
    SKIPPED_SLOT,
    TOPIC_INTENTS,
    entity_value,
    implied_facts,
    situation_from_parse,
    situation_from_slots,
    slot_value,
)
from bot.faq.records import PublishedEntry
from bot.faq.service import FaqService
from bot.nlu.normalize import is_noise
from bot.paths import policy_dir
from bot.policy import Outcome, Situation, assess, load_knowledge
from bot.policy.clock import today as liling_today
from bot.policy.engine import Assessment
from bot.policy.facts import FACTS
from bot.policy.present import headline, payload, question, render_text, status_notice

KB = load_knowledge(policy_dir())
"""The knowledge base, loaded and validated once when the action server starts."""

FAQ = FaqService(KB.clauses.keys())
"""The published FAQ (``DATABASE_URL``), opened on first use; without it the bot goes on."""

FAQ_SLOT = "faq_entry"
"""Set when the message that started the form was a general question the FAQ answers."""

AFTER_ANSWER_BUTTONS = [
    {"title": "重新开始", "payload": "/restart"},
    {"title": HANDOFF_TITLE, "payload": "/human_handoff"},
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
    return liling_today()


def _move_in_these_words(tracker: Tracker) -> Situation | None:
    """The conversation's situation when the latest message states a goal, else ``None``.

    Only a goal stated in these words counts, not one from before: a question asked later in
    a conversation about something else is answered on its own.
    """
    stated = situation_from_parse({"entities": tracker.latest_message.get("entities") or []})
    return situation_from_slots(tracker.slots) if stated.get("goal") else None


def _latest_intent(tracker: Tracker) -> str | None:
    intent = tracker.latest_message.get("intent") or {}
    name = intent.get("name")
    return str(name) if name else None


def _goal_before_this_turn(tracker: Tracker) -> Any:
    """The goal slot's value before the latest message (its intent mapping may have set it)."""
    events = list(tracker.events)
    users = [i for i, e in enumerate(events) if e.get("event") == "user"]
    before = events[: users[-1]] if users else events
    for event in reversed(before):
        if event.get("event") == "slot" and event.get("name") == "goal":
            return event.get("value")
    return None


CHANGED = "根据您补充的情况，改为："
"""Before an answer that replaces the one shown earlier in the conversation."""

UNCHANGED = "上面列出的条款和材料就是按您说的情况得出的结论，没有变化。"


def _send(dispatcher: CollectingDispatcher, answer: Answer, buttons: list[Any]) -> None:
    """One answer: its text with its quick replies (the four to show first), then its payload."""
    text, data = answer
    # One answer, one bubble (the widget's cards come from the payload).
    dispatcher.utter_message(text=one_bubble(text), buttons=ordered_buttons(buttons))
    dispatcher.utter_message(json_message=data)


def _full_notice(tracker: Tracker) -> bool:
    """Whether this answer carries the full expiry notice: once per conversation."""
    return not notice_given(tracker.events)


def _assessment_answer(tracker: Tracker, result: Assessment) -> Answer:
    """The assessment as text and card, said as a change when it replaces an earlier card.

    A result that changes nothing about the card already shown repeats nothing: a short line
    and a payload without clauses (no second card).
    """
    card = payload(result, KB)
    previous = last_card(tracker.events)
    full = _full_notice(tracker)
    if previous is not None and is_card(card) and card_key(previous) == card_key(card):
        text = "\n".join([headline(result, KB), UNCHANGED, status_notice(KB, result.today, full)])
        kept = {
            k: card[k]
            for k in ("outcome", "headline", "status_tag", "situation", "policy", "as_of")
        }
        # ``cited``: the card's clauses by id, for readers of the turn (the turn log, the
        # evaluation); not ``clauses``, which would draw the same card again.
        cited = [c["id"] for c in card["clauses"] if not (c.get("ruled_out") or c.get("overview"))]
        return text, {
            "type": "assessment_unchanged",
            **kept,
            "cited": cited,
            "notice": _notice(full),
        }
    text = render_text(result, KB, full_notice=full, for_citizen=True)
    if previous is not None and is_card(card):
        text = CHANGED + text
    return text, _noticed(card, full)


def _noticed(card: dict[str, Any], full: bool) -> dict[str, Any]:
    """The card marked with the notice its turn gave.

    After the full one, the card's first notice (the one the widget shows) is the short tag.
    """
    notices = list(card.get("notices") or [])
    if not full and notices:
        notices[0] = card["status_tag"]
    return {**card, "notices": notices, "notice": _notice(full)}


def _notice(full: bool) -> str:
    return NOTICE_FULL if full else "short"


def _has_chinese(text: str) -> bool:
    return any("\u4e00" <= char <= "\u9fff" for char in text)


def _typed_text(tracker: Tracker) -> str:
    """The latest message as the citizen typed it; ``""`` for a button's ``/intent`` payload."""
    text = str(tracker.latest_message.get("text") or "").strip()
    return "" if text.startswith("/") else text


def _entry_answer(
    entry: PublishedEntry, tracker: Tracker, buttons: list[Any] | None = None
) -> tuple[Answer, list[Any]]:
    answer = faq_answer(
        KB,
        today(),
        question=entry.question,
        answer=entry.answer,
        clause_ids=entry.clause_ids,
        entry_id=entry.id,
        key=entry.key,
        version=entry.version,
        full_notice=_full_notice(tracker),
    )
    return answer, buttons or []


def _faq_reply(tracker: Tracker, reason: str | None) -> tuple[Answer, list[Any]] | None:
    """The FAQ's answer to the typed message, or entries to choose from, or ``None``.

    With a ``reason`` (``fallback``, ``out_of_scope``), a message the FAQ does not answer
    outright is recorded, masked, for the FAQ desk's unanswered report.
    """
    text = _typed_text(tracker)
    if not text:
        return None
    fit = FAQ.fit(text)
    if fit.answer is not None:
        return _entry_answer(fit.answer, tracker)
    if reason is not None and _has_chinese(text) and not is_noise(text):
        FAQ.record_unanswered(text, reason)
    if fit.suggestions and reason is not None:
        answer = faq_suggestion([(e.id, e.question) for e in fit.suggestions], KB, today())
        return answer, answer[1]["options"]
    return None


def _general_question(tracker: Tracker) -> PublishedEntry | None:
    """The FAQ entry answering the message that is starting the form, if it is a question.

    A message stating any fact besides the goal (租的房, 没有准生证) describes a situation and
    gets the assessment; one that only names a topic (“居住证有什么用？”) and matches a
    published entry gets the FAQ's answer.
    """
    facts = [name for name, _ in fact_entities(tracker.latest_message)]
    text = _typed_text(tracker)
    if not text or any(fact != "goal" for fact in facts):
        return None
    return FAQ.fit(text).answer


ASK_AT_MOST = 2
"""A question whose answers could not be used this many times in a row is not asked again."""

ASKED_AGAIN = "这一点我没能从您的话里确定，请点下面的选项回答，不清楚也可以跳过："


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
        if "goal" in skipped or tracker.get_slot(FAQ_SLOT) is not None:
            return []
        return asking_order(assess(situation_from_slots(tracker.slots), KB, today()), skipped)

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Turn 不知道 / 是 / 没有 into answers to the pending question, then validate."""
        # Facts stated in this message count as answers even when they repeat a known
        # value, so the form re-asks its question instead of rejecting the turn. A value
        # the engine would not accept (a crafted payload) is set to unknown, never kept.
        events: list[EventType] = [
            SlotSet(name, value) for name, value in fact_entities(tracker.latest_message)
        ]
        requested = tracker.get_slot("requested_slot")
        intent = _latest_intent(tracker)
        stated = dict(fact_entities(tracker.latest_message))
        # 哦我搞错了，社保是株洲那边交的: what a correction takes back without saying again is
        # no longer known (asked again if it matters), not kept from the turn before.
        events.extend(
            SlotSet(name, None)
            for name in sorted(retracted_of(tracker.latest_message))
            if name not in stated and tracker.get_slot(name) is not None
        )
        earlier = _goal_before_this_turn(tracker)
        # An answer to another question (不投靠) keeps the goal: the classifier may read a goal
        # into a short answer (投靠 → want_settle_urban), and the slot's intent mapping would
        # then move a citizen going to the countryside into town. A goal the words state
        # (the fact rules' entity) still changes it.
        kept_goal = requested not in (None, "goal") and "goal" not in stated
        if kept_goal and earlier is not None and tracker.get_slot("goal") != earlier:
            events.append(SlotSet("goal", earlier))
        if requested is None:
            entry = _general_question(tracker)
            events.append(SlotSet(FAQ_SLOT, None if entry is None else entry.id))
        if requested in FACTS and tracker.get_slot(requested) is None:
            asked = [f for f in last_question_facts(tracker.events) if f in FACTS] or [requested]
            answered = intent in ("affirm", "deny") and FACTS[requested].is_bool
            if answered and len(asked) > 1 and requested in asked:
                # 不是 to 您属于下面哪种情形？ is 都不是; 是 names none of them: asked again.
                if intent == "deny":
                    events.extend(SlotSet(f, "false") for f in asked if not tracker.get_slot(f))
            elif answered:
                events.append(SlotSet(requested, entity_value(intent == "affirm")))
            elif intent == "deny" and "none" in FACTS[requested].values:
                # 您是想投靠哪位亲属落户？ — 不是 / 没有: no one (不投靠亲属).
                events.append(SlotSet(requested, "none"))
            elif intent == "dont_know" or times_asked(tracker.events, requested) >= ASK_AT_MOST:
                # 不知道, or asked twice already without a usable answer: go on without it
                # (the answer lists it under 还需要确认) rather than ask a third time. A
                # combined question (您属于下面哪种情形？) is skipped as a whole.
                asked = [f for f in last_question_facts(tracker.events) if f in FACTS] or [
                    requested
                ]
                previous = tracker.get_slot(SKIPPED_SLOT) or []
                skipped = [*previous, *(f for f in asked if f not in previous)]
                events.append(SlotSet(SKIPPED_SLOT, skipped))
        for event in events:
            tracker.slots[event["name"]] = event["value"]
        # 投靠我老公 says 已婚 too: never ask what the citizen already said in other words.
        for name, value in implied_facts(tracker.slots).items():
            events.append(SlotSet(name, value))
            tracker.slots[name] = value
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
        """Send what changed (a card, when the answer so far changed), then the question.

        The question is the turn's last bubble, its quick replies ordered so that the four
        the widget shows first are the likely ones and 不清楚; its payload (``type:
        question``, drawn as nothing) follows it.
        """
        result = assess(
            situation_from_slots(tracker.slots), KB, today(), asked_of(tracker.latest_message)
        )
        likely = [finding.clause.id for finding in result.likely]
        events: list[EventType] = []
        if likely and likely != (tracker.get_slot(LIKELY_SLOT) or []):
            events.append(SlotSet(LIKELY_SLOT, likely))
        card = payload(result, KB)
        previous = last_card(tracker.events)
        if is_card(card) and (previous is None or card_key(previous) != card_key(card)):
            full = _full_notice(tracker)
            lead = headline(result, KB)
            if previous is not None:
                lead = CHANGED + lead
            dispatcher.utter_message(text=f"{lead}\n{status_notice(KB, result.today, full)}")
            dispatcher.utter_message(json_message=_noticed(card, full))
        elif not is_card(card) and previous is None:
            # Nothing to show yet (no clause): the payload still goes to readers of the turn
            # (possible routes, missing facts); the widget draws no card without clauses.
            dispatcher.utter_message(json_message=card)
        asked = question(self.fact)
        skipped = tracker.get_slot(SKIPPED_SLOT) or []
        to_ask = asking_order(result, skipped)
        together = asked_together(self.fact, to_ask)
        if len(together) > 1:
            text = together_question(together)
            buttons = together_buttons(together)
        else:
            text = asked["question"]
            buttons = [button(self.fact, option) for option in asked["options"]]
        shown = ordered_buttons(buttons)
        if times_asked(tracker.events, self.fact) and not replied_this_turn(tracker.events):
            # Asked again because the words gave no answer: say so, not the bare question.
            text = f"{ASKED_AGAIN}\n{text}"
        dispatcher.utter_message(text=text, buttons=shown)
        dispatcher.utter_message(
            json_message={
                "type": "question",
                "fact": self.fact,
                "facts": list(together),
                "question": asked,
                "missing": to_ask,
                "outcome": result.outcome.value,
                "answer": answer_summary(card),
            }
        )
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
        """Assess the conversation's facts and send text and payload.

        When the form ended at once because its first message was a general question the
        FAQ answers, send that answer instead, with a button to have the situation assessed.
        """
        faq_id = tracker.get_slot(FAQ_SLOT)
        # Set by validate_situation_form, but checked anyway: the tracker comes over HTTP.
        wanted = entry_id(faq_id)
        entry = FAQ.entry(wanted) if wanted is not None else None
        reset: list[EventType] = [] if faq_id is None else [SlotSet(FAQ_SLOT, None)]
        if entry is not None:
            goal = tracker.get_slot("goal")
            assess_button = (
                []
                if goal is None
                else [
                    {"title": "按我的情况判断", "payload": '/inform{"goal": "' + str(goal) + '"}'}
                ]
            )
            _send(dispatcher, *_entry_answer(entry, tracker, assess_button))
            return reset
        result = assess(
            situation_from_slots(tracker.slots), KB, today(), asked_of(tracker.latest_message)
        )
        buttons: list[Any] = list(AFTER_ANSWER_BUTTONS)
        if result.outcome is Outcome.NEED_GOAL:
            buttons = [{"title": t, "payload": p} for t, p in GOAL_BUTTONS]
        elif result.outcome is Outcome.INFORMATION:
            buttons = list(TOPIC_BUTTONS)
        _send(dispatcher, _assessment_answer(tracker, result), buttons)
        return reset


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
        """The FAQ's answer when one fits the typed question, else the topic's clauses."""
        reply = _faq_reply(tracker, None)
        if reply is not None:
            return reply
        topics = TOPIC_INTENTS.get(_latest_intent(tracker) or "", ())
        # The same words may also describe the citizen's own move (…安置到城区，孩子上学呢):
        # then the clauses for that situation follow the answer, as on the hotline page.
        situation = _move_in_these_words(tracker)
        asked = asked_of(tracker.latest_message)
        full = _full_notice(tracker)
        question = str(tracker.latest_message.get("text") or "")
        answer = topic_answer(
            topics, KB, today(), situation, asked, full_notice=full, question=question
        )
        return answer, []


class ActionPolicyValidity(AnswerAction):
    """Say when the policy was issued and when it is marked to expire."""

    action_name = "action_policy_validity"

    def answer(self, tracker: Tracker) -> tuple[Answer, list[Any]]:
        """The validity answer, with the clauses for a move the question names."""
        situation = _move_in_these_words(tracker)
        return validity_answer(KB, today(), situation, asked_of(tracker.latest_message)), []


class ActionHandoff(AnswerAction):
    """Refer the citizen to people (派出所, 公安局户政部门) without inventing numbers."""

    action_name = "action_handoff"

    def answer(self, tracker: Tracker) -> tuple[Answer, list[Any]]:
        """The channels, and buttons back to what the assistant can do."""
        buttons = [b for b in scope_buttons() if b["payload"] != "/human_handoff"]
        return handoff_answer(KB, today()), buttons


class ActionOutOfScope(AnswerAction):
    """Decline questions outside the policy plainly; never guess a clause."""

    action_name = "action_out_of_scope"

    def answer(self, tracker: Tracker) -> tuple[Answer, list[Any]]:
        """The FAQ's answer if one fits; else the decline (recorded as unanswered).

        Keyboard noise without any Chinese gets a clarifying question instead.
        """
        reply = _faq_reply(tracker, "out_of_scope")
        if reply is not None:
            return reply
        if not _has_chinese(str(tracker.latest_message.get("text") or "")):
            clarify = clarify_answer(KB, today(), second_time=False)
            return clarify, clarify[1].get("options", [])
        elsewhere = other_city_of(tracker.latest_message)
        if elsewhere is not None:
            asked = asked_of(tracker.latest_message)
            full = _full_notice(tracker)
            return other_city_answer(*elsewhere, KB, today(), asked, full_notice=full), []
        return out_of_scope_answer(KB, today()), scope_buttons()


class ActionClarify(AnswerAction):
    """Low confidence: ask which topic once; if still unclear, say so and refer onwards."""

    action_name = "action_clarify"

    def answer(self, tracker: Tracker) -> tuple[Answer, list[Any]]:
        """The FAQ's answer or suggestions, else a clarifying question.

        On the second miss in a row, the honest referral. Misses are recorded as unanswered.
        """
        reply = _faq_reply(tracker, "fallback")
        if reply is not None:
            return reply
        user_intents = [
            (event.get("parse_data") or {}).get("intent", {}).get("name")
            for event in tracker.events
            if event.get("event") == "user"
        ]
        second_time = len(user_intents) >= 2 and user_intents[-2] == "nlu_fallback"
        clarify = clarify_answer(KB, today(), second_time)
        return clarify, [] if second_time else clarify[1].get("options", [])


class ActionAnswerFaq(AnswerAction):
    """Answer with the FAQ entry the citizen chose from the suggestions."""

    action_name = "action_answer_faq"

    def answer(self, tracker: Tracker) -> tuple[Answer, list[Any]]:
        """The chosen entry's answer; the referral if it is no longer published.

        A malformed ``faq_id`` (anything but an id the suggestion buttons send) gets the
        same referral as an entry that was archived meanwhile.
        """
        wanted = entry_id(first_entity(tracker.latest_message, "faq_id"))
        entry = FAQ.entry(wanted) if wanted is not None else None
        if entry is None:
            text, data = not_covered(KB, today())
            return ("这条解答已经下线或不存在。" + text, data), []
        return _entry_answer(entry, tracker)
