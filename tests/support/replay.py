"""Play scripted conversations against a running assistant and check the answers.

Used three ways: ``python -m tests.support.replay`` checks the scenarios and (with
``--record``) writes them as Rasa test stories; the integration tests call :func:`play`.
Talks HTTP to Rasa's REST channel only; no Rasa import.
"""

from __future__ import annotations

import argparse
import json
import os
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "tests" / "stories" / "scenarios.yml"
STORIES = ROOT / "tests" / "stories" / "test_stories.yml"


@dataclass
class Turn:
    """One user message and the assistant's replies to it."""

    message: str
    replies: list[dict[str, Any]]

    @property
    def payloads(self) -> list[dict[str, Any]]:
        """The JSON payloads (``custom``) among the replies."""
        return [r["custom"] for r in self.replies if isinstance(r.get("custom"), dict)]

    @property
    def texts(self) -> list[str]:
        """The text bubbles among the replies."""
        return [str(r["text"]) for r in self.replies if r.get("text")]


@dataclass
class Conversation:
    """A played scenario."""

    name: str
    sender: str
    turns: list[Turn] = field(default_factory=list)

    def last_payload(self) -> dict[str, Any] | None:
        """The last answer payload the assistant sent, if any.

        A question's own payload (``type: question``, sent after the question since issue 14)
        and an answer that repeats the card already shown (``assessment_unchanged``) are not
        answers of their own: the card before them is.
        """
        for turn in reversed(self.turns):
            for payload in reversed(turn.payloads):
                if payload.get("type") not in ("question", "assessment_unchanged"):
                    return payload
        return None


def _post(url: str, body: dict[str, Any], timeout: float = 30.0) -> Any:
    request = urllib.request.Request(
        url,
        data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read().decode("utf-8"))


def play(base_url: str, name: str, messages: list[str], sender: str | None = None) -> Conversation:
    """Send ``messages`` one by one through the REST channel, as ``sender`` or a new one."""
    sender = sender or f"replay-{uuid.uuid4().hex[:12]}"
    conversation = Conversation(name, sender)
    for message in messages:
        replies = _post(f"{base_url}/webhooks/rest/webhook", {"sender": sender, "message": message})
        conversation.turns.append(Turn(message, list(replies)))
    return conversation


def meets(conversation: Conversation, expect: str | None) -> bool:
    """Whether the last answer is what the scenario expects (a clause id or a payload type)."""
    if expect is None:
        return all(turn.replies for turn in conversation.turns)
    payload = conversation.last_payload()
    if payload is None:
        return False
    if expect[0].isdigit():
        return expect in [clause["id"] for clause in payload.get("clauses", [])]
    return payload.get("type") == expect


def story(base_url: str, conversation: Conversation, token: str = "") -> dict[str, Any]:
    """Fetch the conversation as a Rasa story (``GET /conversations/{id}/story``).

    ``token`` is the worker's ``--auth-token`` (``HUKOU_RASA_TOKEN``), which this route needs.
    """
    url = f"{base_url}/conversations/{conversation.sender}/story"
    if token:
        url += f"?token={token}"
    with urllib.request.urlopen(url, timeout=30) as response:
        data = yaml.safe_load(response.read().decode("utf-8"))
    recorded = dict(data["stories"][0])
    recorded["story"] = conversation.name
    return recorded


def load_scenarios(path: Path = SCENARIOS) -> list[dict[str, Any]]:
    """Read the scenarios file."""
    return list(yaml.safe_load(path.read_text(encoding="utf-8"))["scenarios"])


def main() -> None:
    """Play every scenario, report, and optionally record the test stories."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default="http://127.0.0.1:5005")
    parser.add_argument("--record", action="store_true", help=f"write {STORIES.name}")
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument(
        "--token",
        default=os.environ.get("HUKOU_RASA_TOKEN", ""),
        help="the Rasa API token (default: HUKOU_RASA_TOKEN; run `hukou serve` with it set)",
    )
    args = parser.parse_args()
    stories = []
    failed = 0
    for scenario in load_scenarios():
        conversation = play(args.url, scenario["name"], scenario["messages"])
        ok = meets(conversation, scenario.get("expect"))
        failed += not ok
        payload = conversation.last_payload() or {}
        got = [c["id"] for c in payload.get("clauses", [])] or payload.get("type")
        mark = "ok  " if ok else "FAIL"
        print(f"{mark} {scenario['name']}: expected {scenario.get('expect')}, got {got}")
        if args.verbose or not ok:
            for turn in conversation.turns:
                print(f"     > {turn.message}")
                for text in turn.texts:
                    print(f"       {text[:100]!r}")
        stories.append(story(args.url, conversation, args.token))
    if args.record:
        header = (
            "# Recorded by `python -m tests.support.replay --record` from scenarios.yml; "
            "reviewed.\n"
        )
        body = yaml.safe_dump(
            {"version": "3.1", "stories": stories}, allow_unicode=True, sort_keys=False, width=100
        )
        STORIES.write_text(header + body, encoding="utf-8")
        print(f"wrote {STORIES}")
    raise SystemExit(1 if failed else 0)


if __name__ == "__main__":
    main()
