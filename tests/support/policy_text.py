"""The policy document under test: its text, and dates on either side of its validity."""

from __future__ import annotations

import datetime as dt

from bot.paths import ROOT

POLICY_DIR = ROOT / "policy_text"
"""This checkout's ``policy_text/`` (not ``HUKOU_POLICY_DIR``: the tests check this copy)."""
TEXT = (POLICY_DIR / "liling-2017-6.txt").read_text(encoding="utf-8")
"""The cleaned policy text, of which every quote must be a verbatim span."""
BEFORE_EXPIRY = dt.date(2020, 1, 1)
"""A day while the policy was in force."""
AFTER_EXPIRY = dt.date(2026, 11, 27)
"""A day after the policy's stated validity ended."""
