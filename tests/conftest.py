"""Shared fixtures: the knowledge base is loaded once per test session, the assistant once.

The slow groups are marked here, from the fixtures a test uses (directly or through other
fixtures), so that using the fixture is enough: ``assistant`` (the running assistant, which
needs the trained model), ``services`` (this machine's PostgreSQL, Redis, RabbitMQ) and
``browser`` (headless Chromium). ``make test-fast`` leaves the three out. A test that reaches
a service without one of these fixtures is marked where it is written (``pytestmark``, or
``pytest.param(..., marks=...)`` for a parametrised fixture).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.policy import Knowledge, load_knowledge
from bot.stack.processes import Stack
from tests.support import logscan
from tests.support.services import free_port

pytest_plugins = ("tests.support.logscan",)
"""The log scan: no personal number the tests send may reach a log (fails the run)."""

MARKS_BY_FIXTURE = {
    "assistant": ("assistant",),
    "production": ("assistant", "services"),
    "production_profile": ("services",),
    "postgres": ("services",),
    "browser": ("browser",),
}
"""The markers a test gets for using a fixture, directly or through another fixture."""


@pytest.hookimpl(tryfirst=True)  # before ``-m`` deselects by marker
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test by the slow fixtures it uses (:data:`MARKS_BY_FIXTURE`)."""
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        for fixture, marks in MARKS_BY_FIXTURE.items():
            if fixture in used:
                for mark in marks:
                    item.add_marker(mark)


@pytest.fixture(scope="session", autouse=True)
def default_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``DATABASE_URL`` for code that uses the default: a temporary file, never var/."""
    import os

    url = f"sqlite:///{tmp_path_factory.mktemp('default-db') / 'hukou.sqlite3'}"
    before = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = url
    yield url
    if before is None:
        del os.environ["DATABASE_URL"]
    else:
        os.environ["DATABASE_URL"] = before


@pytest.fixture(scope="session")
def kb() -> Knowledge:
    return load_knowledge()


@pytest.fixture(scope="session")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The whole assistant (action server + Rasa with the trained model), started once.

    Its FAQ desk uses a fresh SQLite database (``assistant.database_url``) that tests may
    write to: the action server and the gateway read the same file.

    The model is trained by ``make train`` before the tests; if it is missing or older than
    its data, it is trained here (slow, but never a stale model under test).
    """
    import subprocess

    from bot.paths import ROOT
    from bot.stack.training import model_is_stale, train_command

    if model_is_stale():
        subprocess.run(train_command(), cwd=ROOT, check=True)
    stack = Stack(
        rasa_port=free_port(),
        action_port=free_port(),
        web_port=free_port(),
        log_dir=ROOT / "artifacts" / "logs",
        database_url=f"sqlite:///{tmp_path_factory.mktemp('faq') / 'faq.sqlite3'}",
    )
    try:
        stack.start(timeout=420)
        logscan.watch(stack.rasa_token)
        yield stack
    finally:
        stack.stop()


@pytest.fixture(scope="session")
def assistant_url(assistant: Stack) -> str:
    """The running Rasa server's base URL."""
    return f"http://127.0.0.1:{assistant.rasa_port}"


@pytest.fixture(scope="session")
def gateway_url(assistant: Stack) -> str:
    """The running web gateway's base URL (widget at /, staff page at /staff)."""
    return f"http://127.0.0.1:{assistant.web_port}"
