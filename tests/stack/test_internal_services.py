"""Nothing behind the gateway is open (issue 19, items 4 and 5): on one machine the action
server and the Rasa workers listen on loopback only, and the workers' HTTP API needs a token
that is new for each start, handed over in the private endpoints file, never on a command line.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from bot.paths import ROOT
from bot.rasa_ext import server
from bot.stack.processes import Stack
from bot.stack.profile import Profile, ProfileError
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


def test_the_action_server_listens_on_loopback_only(tmp_path: Path) -> None:
    stack = Stack(action_port=free_port(), profile=Profile(actions="server"))
    command = stack.command("actions")
    # The real rasa_sdk server, with a module without actions so that it starts in seconds.
    command[command.index("--actions") + 1] = "tests.support.stub_service"
    env = {**os.environ, **stack._environment("actions")}
    proc = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 60
        while not listening(stack.action_port) and time.monotonic() < deadline:
            assert proc.poll() is None, "the action server exited"
            time.sleep(0.2)
        assert listening(stack.action_port) == {"127.0.0.1"}
    finally:
        proc.terminate()
        proc.wait(timeout=10)


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
    assert argv[-2:] == ["--auth-token", "t0k3n"]
    given = [sys.argv[0], "run", "--endpoints", str(endpoints), "--auth-token", "other"]
    server.prepare(given)
    assert given.count("--auth-token") == 1  # one given on the command line wins
    train = [sys.argv[0], "train", "--endpoints", str(endpoints)]
    server.prepare(train)
    assert "--auth-token" not in train
