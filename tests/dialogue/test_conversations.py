"""Whole conversations against the running assistant (Rasa + action server + model)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.policy import load_knowledge
from tests.support.replay import load_scenarios, meets, play

CASES = yaml.safe_load(
    (Path(__file__).resolve().parents[1] / "data" / "citizen_cases.yml").read_text(encoding="utf-8")
)["cases"]
SCENARIOS = load_scenarios()


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s["name"] for s in SCENARIOS])
def test_scenario(assistant_url: str, scenario: dict[str, Any]) -> None:
    conversation = play(assistant_url, scenario["name"], scenario["messages"])
    assert meets(conversation, scenario.get("expect")), [t.texts for t in conversation.turns]


def _lands(assistant_url: str, case: dict[str, Any]) -> bool:
    conversation = play(assistant_url, "case", [case["text"]])
    payload = conversation.last_payload() or {}
    if case["clause"] == "out_of_scope":
        # Another city's question is declined too: referred there, with Liling's rule for the
        # same case and nothing given as applicable.
        return payload.get("type") in ("out_of_scope", "other_city") and "outcome" not in payload
    cited = [c["id"] for c in payload.get("clauses", [])]
    return case["clause"] in cited


def test_citizen_messages_land_on_the_right_clause(assistant_url: str) -> None:
    """One message each, no follow-up questions answered: the first answer's clause."""
    results = [(case, _lands(assistant_url, case)) for case in CASES]
    missed = [case["text"] for case, ok in results if not ok]
    rate = 1 - len(missed) / len(results)
    assert rate >= 0.9, f"{rate:.0%} landed; missed: {missed}"
    declined = [ok for case, ok in results if case["clause"] == "out_of_scope"]
    assert all(declined), "every out-of-scope question is declined"


def test_every_quote_in_a_conversation_is_verbatim(assistant_url: str) -> None:
    text = load_knowledge().text
    for scenario in SCENARIOS[:10]:
        conversation = play(assistant_url, scenario["name"], scenario["messages"])
        for turn in conversation.turns:
            for payload in turn.payloads:
                for clause in payload.get("clauses", []):
                    assert clause["quote"] in text


@pytest.mark.parametrize(
    "message",
    ["", " ", "a" * 5000, "😀😀😀", "<script>alert('x')</script>", "請問我在醴陵租房可以落戶嗎"],
    ids=["empty", "blank", "5000 chars", "emoji", "script", "traditional"],
)
def test_bad_input_gets_an_answer(assistant_url: str, message: str) -> None:
    conversation = play(assistant_url, "bad input", [message])
    replies = conversation.turns[0].replies
    if message.strip():
        assert replies, "every real message gets a reply"
    for reply in replies:
        assert "<script>" not in str(reply.get("text", ""))


def test_restart_clears_the_conversation(assistant_url: str) -> None:
    conversation = play(
        assistant_url,
        "restart",
        ["我在醴陵城里租了房子想把户口迁过来", "/restart", "退伍回来了想把户口迁回村里"],
    )
    payload = conversation.last_payload() or {}
    assert [c["id"] for c in payload.get("clauses", [])] == ["3.2.2"]
    assert "housing" not in payload.get("situation", {}), "facts from before the restart are gone"


def test_a_negated_fact_is_never_taken_as_true(assistant_url: str) -> None:
    conversation = play(assistant_url, "negation", ["我想在醴陵城里落户，在厂里上班但没交社保"])
    payload = conversation.last_payload() or {}
    assert payload.get("situation", {}).get("urban_social_insurance") is False
    # 三(一)6 is what the words were about: shown as not applying, never as applicable.
    assert payload.get("outcome") != "eligible"
    assert all(c.get("ruled_out") for c in payload.get("clauses", []) if c["id"] == "3.1.6")
