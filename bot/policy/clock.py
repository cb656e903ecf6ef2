"""Liling's calendar: the one place the assistant asks what day it is.

The policy's validity, the later measures in effect, the FAQ's publish and review dates and
the dashboard's days are all days in Liling (UTC+8, no daylight saving). A server's own
clock is often UTC: from 16:00 to 24:00 UTC its ``date.today()`` is still yesterday in
Liling, so an answer given at 00:30 on the day a measure takes effect would leave it out.
"""

from __future__ import annotations

import datetime as dt

CHINA = dt.timezone(dt.timedelta(hours=8))
"""China Standard Time: a fixed offset, so no time-zone database is needed."""


def today() -> dt.date:
    """Today's date in Liling, whatever the server's time zone."""
    return dt.datetime.now(CHINA).date()
