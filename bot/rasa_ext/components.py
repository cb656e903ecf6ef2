"""Rasa graph components: the text normaliser and the policy fact extractor.

``TextNormalizer`` runs before the tokenizer so that jieba, the featurizers, the intent
classifier and the fact rules all see simplified, half-width text. ``PolicyFactExtractor``
turns the rule matches of :class:`bot.nlu.extractor.FactExtractor` into entities named after
the engine's facts (``housing: rented``, ``urban_social_insurance: false``); slots of the same
names pick them up.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.dialogue.situation import INTENT_GOALS, TOPIC_INTENTS, entity_value
from bot.nlu.attribution import Attribution
from bot.nlu.extractor import FactExtractor, FactMention
from bot.nlu.normalize import is_noise, normalize
from bot.nlu.topics import topic_questions
from bot.policy.facts import MOVE_GOALS

EXTRACTOR_NAME = "PolicyFactExtractor"
OTHER_CITY = "other_city"
"""Message property: ``{"place", "facts"}`` when the message asks about settling elsewhere."""
ASKED = "asked"
"""Message property: the facts the words ask about without stating them (see FactExtractor.read)."""
RETRACTED = "retracted"
"""Message property: facts a correction in the message takes back (slots reset to unknown)."""
APPLICANT = "applicant"
"""Message property: whom the facts are about, the speaker (``self``) or the relative asked
for (``spouse``, ``child``, ``parent``, ``sibling``, ``grandchild``, ``other``): the hotline page
names the applicant by it."""


def _longest_free_run(start: int, end: int, taken: set[int]) -> tuple[int, int] | None:
    best: tuple[int, int] | None = None
    run_start: int | None = None
    for index in range(start, end + 1):
        free = index < end and index not in taken
        if free and run_start is None:
            run_start = index
        elif not free and run_start is not None:
            if best is None or index - run_start > best[1] - best[0]:
                best = (run_start, index)
            run_start = None
    return best


def disjoint_spans(mentions: Iterable[FactMention]) -> list[tuple[FactMention, tuple[int, int]]]:
    """Give each mention a character span that overlaps no other one.

    Rasa annotates entities inline (``[租的房]{"entity": "housing"}``), so spans may not
    overlap. A rule match can cover another (``我老公…城区…投靠他`` holds the spouse's area
    and the relative joined): shorter matches keep their span, longer ones keep the longest
    stretch left over. A match left with nothing is dropped (two rules on the same words).
    """
    taken: set[int] = set()
    placed: list[tuple[FactMention, tuple[int, int]]] = []
    for mention in sorted(mentions, key=lambda m: (m.end - m.start, m.start)):
        best = _longest_free_run(mention.start, mention.end, taken)
        if best is None:
            # The same words state two facts (迁回村里: the goal and the rural origin): split
            # the longest span already placed over them and give this fact its second half.
            overlapping = [
                (index, span)
                for index, (_, span) in enumerate(placed)
                if span[0] < mention.end and mention.start < span[1] and span[1] - span[0] >= 2
            ]
            if not overlapping:
                continue
            index, (start, end) = max(overlapping, key=lambda item: item[1][1] - item[1][0])
            middle = (start + end) // 2
            placed[index] = (placed[index][0], (start, middle))
            best = (middle, end)
        taken.update(range(*best))
        placed.append((mention, best))
    placed.sort(key=lambda item: item[1][0])
    return placed


class _Stateless(GraphComponent):
    """A component with no configuration, nothing to train and nothing to persist."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> GraphComponent:
        """Create the component."""
        return cls()


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER], is_trainable=False)
class TextNormalizer(_Stateless):
    """Fold traditional characters, full-width forms, emoji and tags out of the text."""

    @staticmethod
    def _normalize(message: Message) -> None:
        text = message.get(TEXT)
        if isinstance(text, str) and not text.startswith("/"):
            message.set(TEXT, normalize(text))

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Normalise every training example (so training sees what prediction sees)."""
        for example in training_data.training_examples:
            self._normalize(example)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        """Normalise incoming messages."""
        for message in messages:
            self._normalize(message)
        return messages


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class PolicyFactExtractor(GraphComponent, EntityExtractorMixin):
    """Extract the facts a citizen states, negations included, as entities."""

    def __init__(self, extractor: FactExtractor) -> None:
        """Wrap a loaded :class:`FactExtractor`."""
        self.extractor = extractor

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> PolicyFactExtractor:
        """Load the rules from ``data/facts/patterns.yml`` and build the spaCy pipeline."""
        return cls(FactExtractor())

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Nothing to learn: the rules are data."""
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        """Add one entity per stated fact (the winning statement when there are several).

        The facts only asked about go in the ``asked`` property: they rank clauses, they are
        not slots.
        """
        for message in messages:
            text = message.get(TEXT)
            if not isinstance(text, str) or not text or text.startswith("/"):
                continue
            chosen, asked, applicant = self.extractor.understand(text)
            entities = [
                {
                    "entity": mention.fact,
                    "value": entity_value(mention.value),
                    "start": start,
                    "end": end,
                    "confidence": 1.0,
                }
                for mention, (start, end) in disjoint_spans(chosen.values())
            ]
            entities = self.add_extractor_name(entities)
            message.set(ENTITIES, message.get(ENTITIES, []) + entities, add_to_output=True)
            message.set(ASKED, sorted(asked), add_to_output=True)
            message.set(APPLICANT, applicant, add_to_output=True)
            message.set(
                RETRACTED, sorted(self.extractor.retracted(text, chosen)), add_to_output=True
            )
            elsewhere = self.extractor.other_city(text)
            if elsewhere is not None:
                place, facts = elsewhere
                message.set(
                    OTHER_CITY,
                    {"place": place, "facts": {k: entity_value(v) for k, v in facts.items()}},
                    add_to_output=True,
                )
        return messages


GOAL_INTENTS = {goal: intent for intent, goal in INTENT_GOALS.items()}


@lru_cache(maxsize=1)
def _people() -> Attribution:
    """Who the words name (loaded once per process, on the first message)."""
    return Attribution()


RESCUED_GOALS = frozenset({*MOVE_GOALS, "newborn", "no_hukou", "death"})
"""Goals of 三 and 四(一) that, stated with another fact, outweigh an ``out_of_scope`` guess."""

PERSONAL_FACTS = frozenset(
    {
        "marital_status",
        "spouse_hukou_area",
        "current_hukou_area",
        "relative_hukou_area",
        "lives_with_relative",
        "is_minor",
        "join_relative",
    }
)
"""Facts a newborn's question states too (the parents' hukou): no sign of a move of one's own."""

WHERE_AND_WHAT = frozenset({"ask_where_to_apply", "ask_documents"})
"""Where to go and what to bring: for a move; with no move stated, maybe a topic's question."""

KEEP_INTENTS = frozenset({*TOPIC_INTENTS, "ask_policy_validity"})
"""Questions answered from the clauses wherever the citizen is: never turned into a decline."""


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class FactBackedIntent(_Stateless):
    """Rescue low-confidence messages that clearly state policy facts; route other cities.

    Runs after the ``FallbackClassifier``. A message the classifier is unsure about, but in
    which the fact rules found a goal (城区落户) or other facts (法人代表), is a citizen
    describing their situation: it becomes the goal's intent, or ``inform``, instead of a
    clarifying question. Messages without any stated fact keep ``nlu_fallback``. A message
    that asks about settling in another city (``other_city``) becomes ``out_of_scope``. A
    story read as ``inform`` (or not understood, or as a move the words do not state) that asks
    a topic question becomes that topic's intent (:mod:`bot.nlu.topics`).
    """

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Nothing to learn."""
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        """Replace ``nlu_fallback`` by the stated goal's intent or ``inform``.

        A message that is one character repeated (:func:`~bot.nlu.normalize.is_noise`) and
        states no fact becomes ``nlu_fallback`` whatever the classifier guessed.
        """
        for message in messages:
            intent = message.get(INTENT) or {}
            facts = {
                entity["entity"]: entity["value"]
                for entity in message.get(ENTITIES, [])
                if entity.get("extractor") == EXTRACTOR_NAME
            }
            if not facts and is_noise(str(message.get(TEXT) or "")):
                message.set(INTENT, {"name": "nlu_fallback", "confidence": 1.0}, add_to_output=True)
                continue
            if message.get(OTHER_CITY) and intent.get("name") not in KEEP_INTENTS:
                # Another city's rules are not this policy's: declined, with Liling's rule
                # for the same situation (action_out_of_scope reads the property).
                message.set(INTENT, {"name": "out_of_scope", "confidence": 1.0}, add_to_output=True)
                continue
            birth = (
                _people().names_a_birth(normalize(str(message.get(TEXT) or "")))
                if INTENT_GOALS.get(str(intent.get("name"))) == "newborn"
                and facts.get("goal") != "newborn"
                else True
            )
            routes = set(facts) - PERSONAL_FACTS
            if birth is False or (birth is None and routes):
                # 买房了能上户口不: 上户口 with no child or birth named, beside a route of one's
                # own, is the speaker's own move; 孙子6岁…迁到我们户口本上 is a child's move, not
                # a birth. The facts stated say which (or the form asks). Where the parents'
                # hukou is (老婆是农村户口，在哪里上户口) is what a birth question states.
                fallback = "inform" if facts or birth is False else None
                name = GOAL_INTENTS.get(str(facts.get("goal")), fallback)
                if name is not None:
                    message.set(
                        INTENT,
                        {"name": name, "confidence": intent.get("confidence", 0.0)},
                        add_to_output=True,
                    )
                    intent = message.get(INTENT) or {}
            if (
                intent.get("name") == "out_of_scope"
                and facts.get("goal") in RESCUED_GOALS
                and (len(facts) > 1)
            ):
                # A move of one's own with a route fact (买房落户…面积), or a birth with where
                # the parents' hukou is (在长沙医院生的孩子…想上在我老婆那边村里), is this
                # policy's question however the classifier scored it: answered, not declined.
                message.set(
                    INTENT,
                    {
                        "name": GOAL_INTENTS[str(facts["goal"])],
                        "confidence": intent.get("confidence", 0.0),
                    },
                    add_to_output=True,
                )
                continue
            if (
                intent.get("name") in ("inform", "nlu_fallback")
                or (
                    INTENT_GOALS.get(str(intent.get("name"))) in MOVE_GOALS
                    and facts.get("goal") not in MOVE_GOALS
                )
                or (intent.get("name") in WHERE_AND_WHAT and "goal" not in facts)
            ):
                # 我一直填的农业户口…是不是政策改了？: a story with a topic question in it is
                # the topic's question (data/facts/topic_questions.yml); a question about a
                # move is not. A move also stated is assessed in the topic's answer; a move
                # intent with no move in the words (佢可唔可以喺醴陵考高中) was a guess, and so
                # is "where / what papers" with no move (户籍改革方面的信访归哪里管).
                topic = topic_questions().asked(str(message.get(TEXT) or ""))
                if topic is not None:
                    message.set(
                        INTENT,
                        {"name": topic, "confidence": intent.get("confidence", 0.0)},
                        add_to_output=True,
                    )
                    continue
            if intent.get("name") != "nlu_fallback" or not facts:
                continue
            name = GOAL_INTENTS.get(str(facts.get("goal")), "inform")
            message.set(
                INTENT,
                {"name": name, "confidence": intent.get("confidence", 0.0)},
                add_to_output=True,
            )
        return messages
