"""The cached action-response validation behaves exactly like ``jsonschema.validate``."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction

from bot.rasa_ext.server import apply, cached_validate

SPEC = RemoteAction.action_response_format_spec()


@pytest.mark.parametrize(
    "response",
    [
        {"events": [], "responses": []},
        {
            "events": [{"event": "slot", "name": "housing", "value": "rented"}],
            "responses": [
                {"text": "好", "buttons": [{"title": "是", "payload": "/affirm"}]},
                {"custom": {"type": "assessment", "clauses": []}},
            ],
        },
    ],
)
def test_valid_responses_pass(response: dict[str, Any]) -> None:
    jsonschema.validate(response, SPEC)
    cached_validate(response, SPEC)


@pytest.mark.parametrize(
    "response",
    [
        {"events": "not a list", "responses": []},
        {"events": [{"no_event_key": 1}], "responses": []},
    ],
)
def test_invalid_responses_fail_with_the_same_error(response: dict[str, Any]) -> None:
    with pytest.raises(jsonschema.ValidationError) as expected:
        jsonschema.validate(response, SPEC)
    with pytest.raises(jsonschema.ValidationError) as got:
        cached_validate(response, SPEC)
    assert got.value.message == expected.value.message
    assert list(got.value.path) == list(expected.value.path)


def test_apply_reaches_rasas_action_response_check() -> None:
    original = jsonschema.validate
    try:
        apply()
        action = RemoteAction("action_x", None)
        assert action._validate_action_result({"events": [], "responses": []})
        with pytest.raises(jsonschema.ValidationError, match="Failed to validate Action server"):
            action._validate_action_result({"events": "nope"})
        assert jsonschema.validate is cached_validate
    finally:
        jsonschema.validate = original


@pytest.mark.assistant  # loads the trained model
def test_the_fast_model_loader_gives_the_same_predictions() -> None:
    """Rasa's loader (one training step, then the weights) and ours (the weights only)."""
    import asyncio
    from pathlib import Path

    import yaml
    from rasa.core.agent import load_agent

    from bot.paths import MODEL, ROOT
    from bot.rasa_ext.server import restore

    cases = yaml.safe_load((ROOT / "tests" / "data" / "citizen_cases.yml").read_text())["cases"]
    texts = [case["text"] for case in cases]

    async def rankings() -> list[list[tuple[str, float]]]:
        agent = await load_agent(model_path=str(Path(MODEL)))
        out = []
        for text in texts:
            parsed = await agent.parse_message(text)
            out.append([(i["name"], round(i["confidence"], 6)) for i in parsed["intent_ranking"]])
        return out

    restore()
    stock = asyncio.run(rankings())
    apply()
    try:
        from rasa.utils.tensorflow.models import RasaModel

        from bot.rasa_ext.server import load_for_prediction

        assert RasaModel.load.__func__ is load_for_prediction  # the fast loader is the one used
        assert asyncio.run(rankings()) == stock
    finally:
        restore()
