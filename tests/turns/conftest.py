"""The turn-log tests run on SQLite and on this machine's PostgreSQL (the desk's fixtures)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from bot.turns.store import TurnLog
from tests.faq.conftest import engine, postgres, postgres_url  # noqa: F401  (shared fixtures)
from tests.support.faq import Clock


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def turn_log(engine: sa.engine.Engine, clock: Clock) -> TurnLog:  # noqa: F811
    return TurnLog(engine, now=clock)
