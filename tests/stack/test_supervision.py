"""``hukou serve`` supervises (issue 19, item 6): a dead process is restarted with backoff,
the others keep running, and the gateway serves its pages while Rasa is down.

The processes here are stand-ins (:mod:`tests.support.stub_service`) started by the real
:class:`~bot.stack.processes.Stack` and :class:`~bot.stack.processes.Supervisor`, so a crash
and its restart take a second, not the minute a Rasa worker needs to load the model.
"""

from __future__ import annotations

import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bot.stack.processes import Backoff, Supervisor
from bot.stack.profile import Profile
from bot.web.app import create_app
from bot.web.settings import Settings
from tests.support.services import free_ports
from tests.support.stub_service import StandInStack, started_stand_ins


def answers(port: int | None, path: str = "/") -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[StandInStack]:
    yield from started_stand_ins(tmp_path, Profile(workers=2, actions="server"))


def test_a_killed_worker_comes_back_and_nothing_else_stops(stack: StandInStack) -> None:
    lines: list[str] = []
    supervisor = Supervisor(stack, Backoff(first=0.2, longest=1.0), report=lines.append)
    others = {name: stack.process(name).pid for name in ("actions", "rasa-1", "web")}
    killed = stack.process("rasa").pid
    stack.kill_worker(0)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        supervisor.check()
        # The gateway and the other processes never stop while the worker is away.
        assert answers(stack.web_port, "/healthz")
        if stack.process("rasa").pid != killed and answers(stack.rasa_port, "/status"):
            break
        time.sleep(0.05)
    else:
        pytest.fail(f"the killed worker did not come back: {lines}")
    assert {name: stack.process(name).pid for name in others} == others
    assert all(stack.process(name).poll() is None for name in stack.names)
    assert supervisor.restarts == {"rasa": 1}
    assert "rasa 意外退出" in lines[0] and "其他服务照常运行" in lines[0]
    # One entry per process: the dead one was replaced, not kept beside the new one.
    assert sorted(name for name, _ in stack.procs) == sorted(stack.names)


class FakeProcess:
    def __init__(self) -> None:
        self.returncode: int | None = None
        self.pid = 1

    def poll(self) -> int | None:
        return self.returncode


class FakeStack:
    """Just what the supervisor uses: names, the latest process of each, and spawn."""

    names = ("rasa", "web")

    def __init__(self) -> None:
        self.latest = {name: FakeProcess() for name in self.names}
        self.spawned: list[str] = []

    def process(self, name: str) -> FakeProcess:
        return self.latest[name]

    def spawn(self, name: str) -> FakeProcess:
        self.spawned.append(name)
        self.latest[name] = FakeProcess()
        return self.latest[name]


def test_restarts_back_off_and_start_over_after_a_stable_run() -> None:
    now = [0.0]
    fake = FakeStack()
    supervisor = Supervisor(
        fake,  # type: ignore[arg-type]
        Backoff(first=1, longest=4, stable=60),
        clock=lambda: now[0],
        report=lambda _line: None,
    )

    def crash_and_time_the_restart() -> float:
        fake.latest["rasa"].returncode = -9
        crashed_at, before = now[0], len(fake.spawned)
        while len(fake.spawned) == before:
            supervisor.check()
            now[0] += 0.25
        return now[0] - 0.25 - crashed_at

    # Crashing again at once: 1, 2, 4, then at most 4 s between tries.
    assert [crash_and_time_the_restart() for _ in range(4)] == [1, 2, 4, 4]
    now[0] += 61  # ran a minute: the next crash is a first one again
    assert crash_and_time_the_restart() == 1
    assert fake.spawned == ["rasa"] * 5  # the web gateway was never touched


def test_the_gateway_serves_pages_faq_lookup_and_search_while_rasa_is_down(
    tmp_path: Path,
) -> None:
    port = free_ports(1)  # nothing listens there: Rasa is down
    settings = Settings(
        rasa_url=f"http://127.0.0.1:{port}",
        action_url="",
        database_url=f"sqlite:///{tmp_path / 'faq.sqlite3'}",
    )
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        for path in ("/", "/staff", "/faq", "/admin", "/api/faq/published", "/api/clauses"):
            assert client.get(path).status_code == 200, path
        assert client.get("/api/search", params={"q": "落户"}).json()["hits"]
        lookup = client.post("/api/lookup", json={"text": "我在城里租了房子，想把户口迁过来"})
        assert lookup.status_code == 200 and lookup.json()["clauses"]
        health = client.get("/healthz")
        assert health.status_code == 503
        assert health.json()["rasa"].startswith("down") and health.json()["knowledge"].startswith(
            "ok"
        )
        chat = client.post("/api/chat", json={"sender": "down", "message": "你好"})
        assert chat.status_code == 503 and "暂时" in chat.json()["detail"]
