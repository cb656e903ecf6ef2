"""The sentence-only count-vector featurizer (:mod:`bot.rasa_ext.featurizer`) against Rasa's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import (
    CountVectorsFeaturizer,
)
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, FEATURE_TYPE_SEQUENCE, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.rasa_ext.featurizer import SentenceCountVectorsFeaturizer

TRAINING = ["我 想 落户", "买房 落户 要 什么", "你好", "租房 可以 落户 吗"]


def tokenised(text: str, intent: str | None = None) -> Message:
    """A message already split into tokens, as the Jieba tokenizer leaves it."""
    message = Message(data={TEXT: text.replace(" ", ""), **({"intent": intent} if intent else {})})
    tokens, at = [], 0
    for word in text.split():
        tokens.append(Token(word, at))
        at += len(word)
    message.set("text_tokens", tokens)
    return message


def trained(kind: type[CountVectorsFeaturizer], path: Path, **config: Any) -> Any:
    path.mkdir(parents=True, exist_ok=True)
    storage = LocalModelStorage(path)
    context = ExecutionContext(GraphSchema({}), node_name="words")
    featurizer = kind.create(
        {**kind.get_default_config(), **config}, storage, Resource("words"), context
    )
    data = TrainingData(training_examples=[tokenised(t, "x") for t in TRAINING])
    featurizer.train(data)
    return featurizer


@pytest.mark.parametrize(
    "config",
    [{}, {"analyzer": "char_wb", "min_ngram": 1, "max_ngram": 3}],
    ids=["words", "characters"],
)
def test_the_same_sentence_features_as_rasa_and_no_sequence(
    tmp_path: Path, config: dict[str, Any]
) -> None:
    ours = trained(SentenceCountVectorsFeaturizer, tmp_path / "ours", **config)
    rasa = trained(CountVectorsFeaturizer, tmp_path / "rasa", **config)
    for text in ["我 想 买房 落户", "租房 吗", "完全 陌生 的 话"]:
        mine, theirs = tokenised(text), tokenised(text)
        ours.process([mine])
        rasa.process([theirs])
        assert [f.type for f in mine.features] == [FEATURE_TYPE_SENTENCE]
        expected = [f for f in theirs.features if f.type == FEATURE_TYPE_SENTENCE]
        assert {f.type for f in theirs.features} == {FEATURE_TYPE_SENTENCE, FEATURE_TYPE_SEQUENCE}
        assert (mine.features[0].features != expected[0].features).nnz == 0
        assert mine.features[0].features.shape == expected[0].features.shape


def test_a_message_without_tokens_gets_no_features(tmp_path: Path) -> None:
    ours = trained(SentenceCountVectorsFeaturizer, tmp_path)
    empty = Message(data={TEXT: ""})
    empty.set("text_tokens", [])
    ours.process([empty])
    assert empty.features == []
