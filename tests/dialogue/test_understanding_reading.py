"""The understanding evaluation reads a turn that asks by the answer its question names."""

from __future__ import annotations

from benchmarks.understanding import read_payloads


def test_a_question_turn_names_the_answer_in_force() -> None:
    question = {
        "type": "question",
        "fact": "origin_rural",
        "answer": {
            "outcome": "undetermined",
            "clauses": [{"id": "3.2.2"}, {"id": "3.2"}],
            "possible": [{"id": "3.2.7"}],
            "situation": {"goal": "move_rural", "veteran": True},
        },
    }
    reading = read_payloads([question])
    assert reading.named == ["3.2.2", "3.2", "3.2.7"] and reading.applicable == []
    assert reading.facts == {"goal": "move_rural", "veteran": True}


def test_an_unchanged_answer_names_what_it_cites() -> None:
    unchanged = {"type": "assessment_unchanged", "outcome": "eligible", "cited": ["3.1.5"]}
    reading = read_payloads([unchanged])
    assert reading.named == ["3.1.5"] and reading.applicable == ["3.1.5"]
