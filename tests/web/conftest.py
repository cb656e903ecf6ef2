"""Headless Chromium for the browser tests (Debian's, driven by Playwright), and the FAQ desk's
gateway on a temporary database that several browser test modules open."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from bot.faq.auth import Auth
from bot.faq.db import make_engine
from bot.faq.store import FaqStore
from bot.policy import load_knowledge
from bot.web.app import create_app
from bot.web.settings import Settings
from tests.support.browser import Gateway
from tests.support.faq import FAST_HASHER, PASSWORD
from tests.support.loopback import serving

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One browser per test module (Playwright's sync API keeps its own event loop)."""
    assert Path(CHROMIUM).exists(), "install Debian's chromium (.ci/run does)"
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield instance
        instance.close()


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    """The gateway with the FAQ desk on a new database and four accounts (Rasa unreachable)."""
    database = f"sqlite:///{tmp_path_factory.mktemp('faq-desk') / 'faq.sqlite3'}"
    app = create_app(
        Settings(
            database_url=database, rasa_url="http://127.0.0.1:9", action_url="http://127.0.0.1:9"
        )
    )
    engine = make_engine(database)
    auth = Auth(engine, hasher=FAST_HASHER)
    for username, role in (
        ("editor", "editor"),
        ("editor2", "editor"),
        ("reviewer", "reviewer"),
        ("admin", "admin"),
    ):
        auth.create_user(username, PASSWORD, role)
    try:
        with serving(app) as url:
            yield Gateway(url, FaqStore(engine, load_knowledge().clauses), database)
    finally:
        engine.dispose()
