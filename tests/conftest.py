"""Shared fixtures: the knowledge base is loaded once per test session."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.policy import Knowledge, load_knowledge

BEFORE_EXPIRY = dt.date(2020, 1, 1)
AFTER_EXPIRY = dt.date(2026, 11, 27)


@pytest.fixture(scope="session")
def kb() -> Knowledge:
    return load_knowledge()
