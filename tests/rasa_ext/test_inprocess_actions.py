"""Custom actions run inside the Rasa worker answer exactly as the action server would."""

from __future__ import annotations

import asyncio
import json
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException
from rasa.utils.endpoints import ClientResponseError, EndpointConfig
from rasa_sdk import Action
from rasa_sdk import ActionExecutionRejection as SdkRejection

from bot.paths import ROOT
from bot.rasa_ext import inprocess_actions, server
from bot.rasa_ext.inprocess_actions import IN_PROCESS_URL, LocalActions
from bot.stack.processes import Stack

DOMAIN = Domain.load(str(ROOT / "bot" / "domain"))
SHARED_PAYLOAD: dict[str, Any] = {"type": "test", "items": [1, 2, 3]}


class RejectingAction(Action):
    """Rejects its execution, as a form validation may."""

    def name(self) -> str:
        return "test_rejecting_action"

    def run(self, dispatcher: Any, tracker: Any, domain: Any) -> list[Any]:
        raise SdkRejection("test_rejecting_action", "不适用")


class FailingAction(Action):
    """Fails with a bug."""

    def name(self) -> str:
        return "test_failing_action"

    def run(self, dispatcher: Any, tracker: Any, domain: Any) -> list[Any]:
        raise RuntimeError("a bug")


class SharingAction(Action):
    """Sends a module-level object."""

    def name(self) -> str:
        return "test_sharing_action"

    def run(self, dispatcher: Any, tracker: Any, domain: Any) -> list[Any]:
        dispatcher.utter_message(json_message=SHARED_PAYLOAD)
        return []


def tracker() -> DialogueStateTracker:
    """A citizen who rents in town and wants to settle there, mid-form."""
    return DialogueStateTracker.from_events(
        "citizen",
        [
            ActionExecuted("action_listen"),
            UserUttered(
                "我在城里租房，想把户口迁过来",
                intent={"name": "want_settle_urban", "confidence": 0.9},
                entities=[{"entity": "housing", "value": "rented"}],
            ),
            SlotSet("goal", "settle_urban"),
            SlotSet("housing", "rented"),
        ],
        slots=DOMAIN.slots,
    )


def body(action: str) -> dict[str, Any]:
    """The request Rasa sends for ``action`` (built by Rasa itself)."""
    endpoint = EndpointConfig("http://unused/webhook")
    return RemoteAction(action, endpoint)._action_call_format(tracker(), DOMAIN)


@pytest.fixture(scope="module")
def local() -> LocalActions:
    return LocalActions("actions")


@pytest.mark.parametrize(
    "action", ["validate_situation_form", "action_assess", "action_ask_current_hukou_area"]
)
def test_the_same_answer_as_the_action_server(
    action: str, local: LocalActions, assistant: Stack
) -> None:
    request = urllib.request.Request(
        f"http://127.0.0.1:{assistant.action_port}/webhook",
        data=json.dumps(body(action)).encode(),
        headers={
            "Content-Type": "application/json",
            **assistant.profile.endpoints("", assistant.rasa_token)["action_endpoint"]["headers"],
        },
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        over_http = json.loads(response.read())
    in_process = asyncio.run(local.call(body(action)))
    assert in_process == over_http
    assert in_process["responses"] or in_process["events"]  # something was answered


def test_errors_are_reported_as_the_action_server_reports_them(local: LocalActions) -> None:
    with pytest.raises(ClientResponseError) as rejected:
        asyncio.run(local.call(body("test_rejecting_action")))
    assert rejected.value.status == 400
    assert json.loads(rejected.value.text) == {
        "error": "不适用",
        "action_name": "test_rejecting_action",
    }
    with pytest.raises(ClientResponseError) as failed:
        asyncio.run(local.call(body("test_failing_action")))
    assert failed.value.status == 500
    # Rasa logs this body at ERROR: the action's name, nothing of the conversation.
    assert json.loads(failed.value.text) == {
        "error": "custom action 'test_failing_action' failed",
        "action_name": "test_failing_action",
    }
    with pytest.raises(ClientResponseError) as unknown:
        asyncio.run(local.call(body("action_nobody_wrote")))
    assert unknown.value.status == 404


def test_the_answer_shares_nothing_with_the_action(local: LocalActions) -> None:
    answer = asyncio.run(local.call(body("test_sharing_action")))
    sent = answer["responses"][0]["custom"]
    assert sent == SHARED_PAYLOAD and sent is not SHARED_PAYLOAD
    assert sent["items"] is not SHARED_PAYLOAD["items"]


def run_remote(action: str) -> list[Any]:
    """Rasa's own ``RemoteAction.run`` against the in-process endpoint."""
    remote = RemoteAction(action, EndpointConfig(IN_PROCESS_URL))
    nlg = TemplatedNaturalLanguageGenerator(DOMAIN.responses)
    return asyncio.run(remote.run(CollectingOutputChannel(), nlg, tracker(), DOMAIN))


def test_rasa_runs_actions_in_process_with_its_own_error_handling(
    local: LocalActions, monkeypatch: pytest.MonkeyPatch
) -> None:
    inprocess_actions.apply()
    monkeypatch.setattr(inprocess_actions, "_LOCAL", local)
    events = run_remote("action_ask_current_hukou_area")
    assert any(getattr(e, "text", None) for e in events)  # the question was uttered
    with pytest.raises(ActionExecutionRejection):  # a form goes on to its next step
        run_remote("test_rejecting_action")
    with pytest.raises(RasaException, match="test_failing_action"):
        run_remote("test_failing_action")


def test_a_worker_loads_the_actions_when_its_endpoints_say_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(inprocess_actions, "_LOCAL", None)
    monkeypatch.setattr(server, "apply", lambda: None)  # keep Rasa unpatched here
    remote = tmp_path / "remote.yml"
    remote.write_text('action_endpoint:\n  url: "http://127.0.0.1:5055/webhook"\n')
    assert not server.prepare(["rasa", "run", "--endpoints", str(remote)])
    assert inprocess_actions._LOCAL is None
    assert not server.prepare(["rasa", "run"])
    inside = tmp_path / "inside.yml"
    inside.write_text(f'action_endpoint:\n  url: "{IN_PROCESS_URL}"\n')
    assert server.prepare(["rasa", "run", f"--endpoints={inside}"])
    assert isinstance(inprocess_actions._LOCAL, LocalActions)


def test_a_failed_action_logs_nothing_of_the_conversation(
    local: LocalActions, caplog: pytest.LogCaptureFixture
) -> None:
    call = body("test_failing_action")
    call["tracker"]["latest_message"]["text"] = "我的电话13800138000"
    with caplog.at_level("DEBUG"), pytest.raises(ClientResponseError):
        asyncio.run(local.call(call))
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "custom action 'test_failing_action' failed: RuntimeError at" in logged
    assert "13800138000" not in logged and "a bug" not in logged
    assert all(record.exc_info is None for record in caplog.records)  # no traceback text


def test_a_failure_repeats_no_text_from_the_request_as_the_actions_name() -> None:
    from bot.rasa_ext.action_server import failure_body

    assert failure_body("action_assess")["action_name"] == "action_assess"
    assert failure_body("电话 13800138000") == {
        "error": "custom action None failed",
        "action_name": None,
    }
