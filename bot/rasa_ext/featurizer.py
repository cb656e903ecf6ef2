"""Rasa's count-vector featurizer, making only the sentence features the pipeline reads.

Rasa's ``CountVectorsFeaturizer`` makes two feature matrices per message: one row per token
(sequence features, for DIET and TED) and one for the whole message (sentence features).
This pipeline's classifier (:mod:`bot.rasa_ext.classifier`) reads only the sentence features
and no policy featurizes NLU features (the RulePolicy works on intents and slots), so the
per-token transform was work thrown away on every message: with two such featurizers (words
and character n-grams) it was the largest share of a parse after the fact rules (issue 20's
and issue 15's profiles). The sentence features are computed exactly as Rasa computes them
(the tokens joined by spaces, through the same trained vectorizer), so the classifier sees the
same numbers; the vocabulary, training and persistence are Rasa's own.

A pipeline that brings back DIET or TED (or an end-to-end policy) needs Rasa's own
``CountVectorsFeaturizer`` again: they read the per-token rows, and the intent and action-name
features this one no longer makes. ``_create_features`` is Rasa 3.6's (pinned in ``uv.lock``).
"""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.constants import DENSE_FEATURIZABLE_ATTRIBUTES
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import (
    CountVectorsFeaturizer,
)
from scipy.sparse import spmatrix


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=True)
class SentenceCountVectorsFeaturizer(CountVectorsFeaturizer):
    """A ``CountVectorsFeaturizer`` that adds sentence features only (no per-token rows)."""

    def _create_features(
        self, attribute: str, all_tokens: list[list[str]]
    ) -> tuple[list[spmatrix | None], list[spmatrix | None]]:
        """No sequence features; each message's sentence features as Rasa makes them."""
        vectorizer = self.vectorizers.get(attribute)
        if not vectorizer:
            return [None], [None]
        sentences: list[spmatrix | None] = []
        for tokens in all_tokens:
            if not tokens or attribute not in DENSE_FEATURIZABLE_ATTRIBUTES:
                sentences.append(None)
                continue
            vector = vectorizer.transform([" ".join(tokens)])
            vector.sort_indices()
            sentences.append(vector.tocoo())
        return [None] * len(sentences), sentences
