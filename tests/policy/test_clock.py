"""Every "today" is Liling's day, not the server's (a UTC host is a day behind after 16:00)."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.policy import Situation, assess, clock, load_knowledge

# 16:30 UTC on the policy's last day is 00:30 the next morning in Liling.
JUST_AFTER_MIDNIGHT_IN_LILING = dt.datetime(2022, 7, 28, 16, 30, tzinfo=dt.timezone.utc)


class _FrozenDateTime(dt.datetime):
    """``datetime`` whose ``now`` is a fixed instant, seen from the time zone asked for."""

    @classmethod
    def now(cls, tz: dt.tzinfo | None = None) -> _FrozenDateTime:  # type: ignore[override]
        moment = JUST_AFTER_MIDNIGHT_IN_LILING.astimezone(tz)
        return cls.fromtimestamp(moment.timestamp(), tz)


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock.dt, "datetime", _FrozenDateTime)


@pytest.mark.usefixtures("frozen")
def test_the_day_is_liling_s_whatever_the_server_zone() -> None:
    assert clock.today() == dt.date(2022, 7, 29)


@pytest.mark.usefixtures("frozen")
def test_the_engine_judges_the_validity_on_liling_s_day() -> None:
    kb = load_knowledge()
    assert kb.meta.expires == dt.date(2022, 7, 28)
    assessment = assess(Situation.from_mapping({"goal": "settle_urban"}), kb)
    assert assessment.today == dt.date(2022, 7, 29)
    assert assessment.expired
