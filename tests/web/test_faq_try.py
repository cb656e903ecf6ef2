"""试问一下 over HTTP: which entry the FAQ matcher would answer each wording with."""

# ruff: noqa: F811  (the desk fixture of test_faq_api is imported, then used as an argument)

from __future__ import annotations

import time
from typing import Any

from bot.turns.record import build_turn
from bot.turns.store import TurnLog
from tests.support.turns import answered, turn_events
from tests.web.test_faq_api import ENTRY, Desk, create, desk, step  # noqa: F401


def through_review(desk: Desk, *steps: str) -> dict[str, Any]:
    """An entry the editor wrote and submitted, taken through ``steps`` by the reviewer."""
    editor, csrf = desk.client_for("editor")
    entry = create(editor, csrf)
    assert step(editor, csrf, entry["id"], "submit").status_code == 200
    reviewer, rcsrf = desk.client_for("reviewer")
    for action in steps:
        assert step(reviewer, rcsrf, entry["id"], action).status_code == 200
    return entry


def published(desk: Desk) -> int:
    return int(through_review(desk, "approve", "publish")["id"])


def test_wordings_are_matched_against_the_entry_as_edited(desk: Desk) -> None:
    entry_id = published(desk)
    client, csrf = desk.client_for("editor")
    body = {
        "entry_id": entry_id,
        "question": ENTRY["question"],
        "paraphrases": ENTRY["paraphrases"],
        "wordings": ["进城落户以后宅基地还保留吗", "护照丢了去哪里补办", ""],
    }
    assert client.post("/api/faq/try", json=body).status_code == 403  # no CSRF token
    data = client.post("/api/faq/try", json=body, headers={"X-CSRF-Token": csrf}).json()
    land, passport, _ = data["results"]
    assert land["reaches_this"] and land["verdict"] == "answer"
    assert land["matches"][0]["score"] >= data["threshold"]
    assert passport["verdict"] == "none" and not passport["reaches_this"]
    assert data["usage"] == {"answered": 0, "not_useful": 0}

    # A new, unsaved entry: its own wordings are tried against it.
    new = {
        "question": "护照丢了怎么办",
        "paraphrases": ["护照补办"],
        "wordings": ["护照丢了去哪里补办"],
    }
    data = client.post("/api/faq/try", json=new, headers={"X-CSRF-Token": csrf}).json()
    assert data["results"][0]["reaches_this"] and data["usage"] is None


def test_the_entry_usage_comes_from_the_turn_log(desk: Desk) -> None:
    entry_id = published(desk)
    turn_log = TurnLog(desk.engine)
    records = [
        build_turn(
            turn_events(f"s{i}", "1", "宅基地", at=time.time(), payload=answered(faq=entry_id))
        )
        for i in range(3)
    ]
    turn_log.save(r for r in records if r is not None)
    assert records[0] is not None
    turn_log.attach_feedback(records[0].id, False, "没讲清楚")
    client, csrf = desk.client_for("editor")
    body = {"entry_id": entry_id, "question": ENTRY["question"], "wordings": ["宅基地"]}
    data = client.post("/api/faq/try", json=body, headers={"X-CSRF-Token": csrf}).json()
    assert data["usage"] == {"answered": 3, "not_useful": 1}


def test_bad_requests(desk: Desk) -> None:
    anonymous, _ = desk.client_for()
    assert anonymous.post("/api/faq/try", json={"wordings": ["x"]}).status_code == 401
    client, csrf = desk.client_for("editor")
    headers = {"X-CSRF-Token": csrf}
    empty = client.post("/api/faq/try", json={"wordings": [" "]}, headers=headers)
    assert empty.status_code == 422 and "至少输入一种问法" in empty.json()["detail"]
    many = client.post("/api/faq/try", json={"wordings": ["问"] * 21}, headers=headers)
    assert many.status_code == 422
