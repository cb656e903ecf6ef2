"""The action server's FAQ, pointed at a throw-away database for every test."""

from __future__ import annotations

from pathlib import Path

import pytest

from actions import actions
from bot.faq.db import make_engine, migrate
from bot.faq.service import FaqService


@pytest.fixture(autouse=True)
def empty_faq(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    """An empty, migrated FAQ database (no published entry) as the actions' ``FAQ``."""
    url = f"sqlite:///{tmp_path}/faq.sqlite3"
    engine = make_engine(url)
    migrate(engine)
    engine.dispose()
    monkeypatch.setattr(actions, "FAQ", FaqService(actions.KB.clauses.keys(), url))
    return url
