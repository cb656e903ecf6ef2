"""The intent classifier (:mod:`bot.rasa_ext.classifier`) on hand-made features."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, FEATURE_TYPE_SEQUENCE, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import coo_matrix

from bot.rasa_ext.classifier import SparseIntentClassifier

WORDS = ["落户", "买房", "你好", "谢谢"]


def featured(text: str, intent: str | None = None) -> Message:
    """A message with a bag-of-words sentence feature (and a sequence feature to be ignored)."""
    counts = np.array([[float(text.count(word)) for word in WORDS]])
    message = Message(data={TEXT: text, **({"intent": intent} if intent else {})})
    message.add_features(Features(coo_matrix(counts), FEATURE_TYPE_SENTENCE, TEXT, "words"))
    message.add_features(
        Features(coo_matrix(np.ones((3, 7))), FEATURE_TYPE_SEQUENCE, TEXT, "words")
    )
    return message


def make(tmp_path: Path, **config: object) -> SparseIntentClassifier:
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(GraphSchema({}), node_name="intents")
    defaults = SparseIntentClassifier.get_default_config()
    return SparseIntentClassifier.create(
        {**defaults, "solver": "liblinear", **config}, storage, Resource("intents"), context
    )


@pytest.fixture
def trained(tmp_path: Path) -> SparseIntentClassifier:
    examples = [featured(t, "settle") for t in ("落户", "买房落户", "落户落户", "买房")]
    examples += [featured(t, "greet") for t in ("你好", "你好你好", "谢谢你好", "谢谢")]
    # A training example that no featurizer reached must not break the matrix.
    examples.append(Message(data={TEXT: "🙂", "intent": "greet"}))
    classifier = make(tmp_path, C=10.0)
    classifier.train(TrainingData(training_examples=examples))
    return classifier


def test_c_is_taken_from_the_config(tmp_path: Path) -> None:
    assert make(tmp_path, C=3.0).clf.get_params()["C"] == 3.0
    assert make(tmp_path).clf.get_params()["C"] == 1.0


def test_a_message_with_features_is_classified(trained: SparseIntentClassifier) -> None:
    message = featured("我想买房落户")
    trained.process([message])
    assert message.get("intent")["name"] == "settle"
    assert message.get("intent_ranking")[0]["name"] == "settle"


def test_a_featureless_message_gets_no_intent_and_the_rest_are_still_classified(
    trained: SparseIntentClassifier,
) -> None:
    empty, words = Message(data={TEXT: "🙂🙂"}), featured("你好")
    trained.process([empty, words])
    assert empty.get("intent") == {"name": None, "confidence": 0.0}
    assert empty.get("intent_ranking") == []
    assert words.get("intent")["name"] == "greet"


def test_an_untrained_classifier_refuses_to_guess(tmp_path: Path) -> None:
    # What Rasa's load() returns when the stored classifier cannot be read.
    with pytest.raises(RuntimeError, match="not trained"):
        make(tmp_path).process([featured("落户")])


def test_the_stored_classifier_loads_with_its_settings(
    trained: SparseIntentClassifier, tmp_path: Path
) -> None:
    context = ExecutionContext(GraphSchema({}), node_name="intents")
    loaded = SparseIntentClassifier.load(
        {**SparseIntentClassifier.get_default_config(), "C": 10.0},
        trained._model_storage,
        Resource("intents"),
        context,
    )
    assert type(loaded) is SparseIntentClassifier
    assert loaded.clf.get_params()["C"] == 10.0
    assert list(loaded.clf.classes_) == ["greet", "settle"]
    message = featured("买房落户")
    loaded.process([message])
    assert message.get("intent")["name"] == "settle"
