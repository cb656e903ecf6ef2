"""Nothing behind the gateway is open (issue 19, items 4 and 5): on one machine the action
server and the Rasa workers listen on loopback only, and the workers' HTTP API needs a token
that is new for each start, handed over in the private endpoints file, never on a command line.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.paths import ROOT
from bot.rasa_ext import server
from bot.stack.processes import Stack
from bot.stack.profile import Profile, ProfileError
from tests.support.failing_action import action_call
from tests.support.services import free_port
from tests.support.stub_service import StandInStack, started_stand_ins


def listening(port: int) -> set[str]:
    """The local addresses a TCP socket listens on for ``port`` (from /proc/net/tcp)."""
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        address, hex_port = local.split(":")
        if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
            found.add(".".join(str(int(address[i : i + 2], 16)) for i in (6, 4, 2, 0)))
    return found


@pytest.fixture(scope="module")
def action_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Stack, Path]]:
    """The real action server as the stack starts it, with one failing action; its log."""
    stack = Stack(action_port=free_port(), profile=Profile(actions="server"))
    stack.rasa_token = "t0ken-of-this-start"
    stack._endpoints = stack.profile.write_endpoints("http://unused/webhook", stack.rasa_token)
    command = stack.command("actions")
    # A package with one action that fails, so that the server starts in seconds.
    command[command.index("--actions") + 1] = "tests.support.failing_action"
    log = tmp_path_factory.mktemp("actions") / "actions.log"
    env = {**os.environ, **stack._environment("actions")}
    with log.open("wb") as out:
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while not listening(stack.action_port) and time.monotonic() < deadline:
            assert proc.poll() is None, f"the action server exited: {log.read_text()[-2000:]}"
            time.sleep(0.2)
        yield stack, log
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        stack._endpoints.unlink()


def post(url: str, body: object, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
    """POST JSON; the status and the JSON answer, also for an error status."""
    data = json.dumps(body).encode()
    request = urllib.request.Request(
        url, data=data, headers={"Content-Type": "application/json", **headers}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_the_action_server_listens_on_loopback_only(action_server: tuple[Stack, Path]) -> None:
    stack, _ = action_server
    assert listening(stack.action_port) == {"127.0.0.1"}


def test_the_action_server_runs_nothing_without_the_token(
    action_server: tuple[Stack, Path],
) -> None:
    stack, _ = action_server
    base = f"http://127.0.0.1:{stack.action_port}"
    call = action_call("12")
    assert post(f"{base}/webhook", call, {}) == (401, {"error": "unauthorized"})
    wrong = {"Authorization": "Bearer t0ken-of-another-start"}
    assert post(f"{base}/webhook", call, wrong)[0] == 401
    with pytest.raises(urllib.error.HTTPError, match="401"):
        urllib.request.urlopen(f"{base}/actions", timeout=10)
    with urllib.request.urlopen(f"{base}/health", timeout=10) as health:  # probes need none
        assert health.status == 200
    # Rasa sends exactly what the endpoints file says.
    headers = stack.profile.endpoints("", stack.rasa_token)["action_endpoint"]["headers"]
    assert post(f"{base}/webhook", call, headers) == (200, {"events": [], "responses": []})


def test_a_failed_action_answers_and_logs_nothing_of_the_conversation(
    action_server: tuple[Stack, Path],
) -> None:
    stack, log = action_server
    text = "我的身份证是110105194912310021，电话13800138000"
    headers = stack.profile.endpoints("", stack.rasa_token)["action_endpoint"]["headers"]
    status, answer = post(
        f"http://127.0.0.1:{stack.action_port}/webhook", action_call(text), headers
    )
    assert status == 500
    assert answer == {
        "error": "custom action 'action_read_number' failed",
        "action_name": "action_read_number",
    }
    time.sleep(0.5)  # the log line is written after the answer
    logged = log.read_text(encoding="utf-8", errors="replace")
    assert "custom action 'action_read_number' failed: ValueError at" in logged
    for personal in ("110105194912310021", "13800138000", "身份证"):
        assert personal not in logged


def test_the_action_server_does_not_start_without_a_token(tmp_path: Path) -> None:
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text('action_endpoint:\n  url: "http://unused/webhook"\n')
    stack = Stack(action_port=free_port(), profile=Profile(actions="server"))
    stack._endpoints = endpoints
    done = subprocess.run(stack.command("actions"), cwd=ROOT, capture_output=True, timeout=120)
    assert done.returncode != 0 and b"token" in done.stderr


def test_the_workers_and_the_gateway_listen_on_loopback() -> None:
    stack = Stack(web_port=8000, profile=Profile(workers=2))
    for name in ("rasa", "rasa-1"):
        command = stack.command(name)
        assert command[command.index("--interface") + 1] == "127.0.0.1"
        assert "--enable-api" in command and "--auth-token" not in command
    web = stack.command("web")
    assert web[web.index("--host") + 1] == "127.0.0.1"
    # uvicorn would otherwise rewrite the client's address from X-Forwarded-For itself.
    assert "--no-proxy-headers" in web


@pytest.fixture
def started(tmp_path: Path) -> Iterator[StandInStack]:
    yield from started_stand_ins(tmp_path, Profile(actions="in-process"))


def test_each_start_makes_a_new_token_for_the_workers_and_the_gateway(
    started: StandInStack,
) -> None:
    token = started.rasa_token
    assert len(token) >= 40
    endpoints = started._endpoints
    assert endpoints is not None and stat.S_IMODE(endpoints.stat().st_mode) == 0o600
    assert yaml.safe_load(endpoints.read_text(encoding="utf-8"))[server.TOKEN_KEY] == token
    assert started._environment("web")["HUKOU_RASA_TOKEN"] == token
    assert not any(token in arg for arg in started.command("rasa"))
    assert token not in repr(started)
    started.stop()
    started.start(timeout=30)
    assert started.rasa_token != token


def test_a_configured_token_is_used_and_checked() -> None:
    profile = Profile.from_env({"HUKOU_RASA_TOKEN": "from-the-vault_123"})
    assert profile.rasa_token == "from-the-vault_123"
    assert "from-the-vault" not in repr(profile)
    assert profile.endpoints("http://a:1/webhook")[server.TOKEN_KEY] == "from-the-vault_123"
    assert server.TOKEN_KEY not in Profile.from_env({}).endpoints("http://a:1/webhook")
    with pytest.raises(ProfileError, match="HUKOU_RASA_TOKEN"):
        Profile.from_env({"HUKOU_RASA_TOKEN": "a&b=c"})  # would break ?token=


def test_the_worker_hands_the_token_from_its_endpoints_file_to_rasa(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(server, "apply", lambda: None)  # keep Rasa unpatched here
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(
        f'action_endpoint:\n  url: "http://127.0.0.1:5055/webhook"\n{server.TOKEN_KEY}: t0k3n\n'
    )
    argv = [sys.argv[0], "run", "--endpoints", str(endpoints), "--enable-api"]
    server.prepare(argv)
    assert argv[-1] == "--auth-token=t0k3n"
    # One argument: a random token may start with "-", which rasa's argparse took for an
    # option ("expected one argument") and the worker did not start (a CI run met it).
    endpoints.write_text(f"{server.TOKEN_KEY}: -9OtQ_z9\n")
    dashed = [sys.argv[0], "run", "--endpoints", str(endpoints)]
    server.prepare(dashed)
    assert dashed[-1] == "--auth-token=-9OtQ_z9"
    given = [sys.argv[0], "run", "--endpoints", str(endpoints), "--auth-token", "other"]
    server.prepare(given)
    assert given.count("--auth-token") == 1  # one given on the command line wins
    assert not any(arg.startswith("--auth-token=") for arg in given)
    train = [sys.argv[0], "train", "--endpoints", str(endpoints)]
    server.prepare(train)
    assert "--auth-token" not in train
