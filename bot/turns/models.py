"""The turn log's tables: one row per answered message, the clauses it cited, its feedback.

They share the FAQ desk's database and :data:`bot.faq.models.metadata` (one migration history,
``bot/faq/migrations``), so the desk's dashboard reads them beside the entries they count.

``day`` is the turn's calendar day in China (UTC+8), stored so that "questions per day" and the
date-range filter are plain index scans over a million rows instead of a time-zone conversion
per row. Clause citations have their own table (one row per clause) for the same reason: "by
clause" is then a ``GROUP BY`` on an index, on SQLite and PostgreSQL alike. Feedback has no
foreign key to ``turns``: a citizen may tap 没用 before the consumer has written the turn.

The verdict (``useful``) is also copied onto the turn (:meth:`bot.turns.store.TurnLog.
attach_feedback`, and :meth:`~bot.turns.store.TurnLog.save` for feedback that came first), so
that the 复核 list is one partial index (``ix_turns_review``).

The dashboard reads ``turn_counts``: per day, how many turns had each outcome, intent, clause
and FAQ entry, how many of them got feedback and how many were 没用. The store keeps it up to
date in the transaction that writes a turn or its feedback (a turn is counted once: the ones
already kept are left out), so a date range is a sum over at most a few hundred rows a day.
Counting a million turns directly took 150–1,000 ms a query on this 2-core machine (the first
run of ``reports/dashboard-benchmark.md``); the sums take a few milliseconds.
"""

from __future__ import annotations

import sqlalchemy as sa

from bot.faq.models import UtcDateTime, metadata

OUTCOMES = ("answered", "asked_more", "fallback", "out_of_scope")
"""What the assistant did with a message: answered it, asked a question back, did not
understand it (clarify, suggestions, referral), or declined it as outside the policy."""

LOW_CONFIDENCE = 0.6
"""Answers given with a lower intent confidence go to the 复核 list (a partial index below)."""

OUTCOME_NAMES = {
    "answered": "已解答",
    "asked_more": "追问情况",
    "fallback": "未理解",
    "out_of_scope": "超出范围",
}

REVIEW_WHERE = (
    "reviewed_at IS NULL AND (useful = false OR "
    f"(outcome = 'answered' AND confidence < {LOW_CONFIDENCE}))"
)
"""The 复核 list: not yet looked at, and marked 没用 or answered with low confidence."""

turns = sa.Table(
    "turns",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("conversation", sa.String(32), nullable=False, index=True),
    sa.Column("at", UtcDateTime, nullable=False, index=True),
    sa.Column("day", sa.Date, nullable=False),
    sa.Column("channel", sa.String(32), nullable=False),
    sa.Column("text", sa.String(500), nullable=False),
    sa.Column("reply", sa.Text, nullable=False),
    sa.Column("intent", sa.String(64)),
    sa.Column("confidence", sa.Float),
    sa.Column("outcome", sa.String(16), nullable=False),
    sa.Column("faq_entry_id", sa.Integer),
    sa.Column("faq_key", sa.String(64)),
    sa.Column("latency_ms", sa.Integer),
    sa.Column("useful", sa.Boolean),
    sa.Column("reviewed_at", UtcDateTime),
    sa.CheckConstraint(
        "outcome IN ({})".format(", ".join(f"'{o}'" for o in OUTCOMES)), name="ck_turns_outcome"
    ),
    sa.Index("ix_turns_day", "day"),
    sa.Index(
        "ix_turns_review",
        "at",
        postgresql_where=sa.text(REVIEW_WHERE),
        sqlite_where=sa.text(REVIEW_WHERE),
    ),
)

turn_clauses = sa.Table(
    "turn_clauses",
    metadata,
    sa.Column("turn_id", sa.String(32), primary_key=True),
    sa.Column("clause_id", sa.String(64), primary_key=True),
    sa.Column("day", sa.Date, nullable=False, index=True),
)

COUNT_KINDS = ("outcome", "intent", "clause", "entry")
"""What ``turn_counts`` counts by; ``key`` is the outcome, the intent (``""``: none), the
clause id or the FAQ entry id (as text)."""

turn_counts = sa.Table(
    "turn_counts",
    metadata,
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("kind", sa.String(8), primary_key=True),
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("n", sa.Integer, nullable=False),
    sa.Column("rated", sa.Integer, nullable=False),
    sa.Column("not_useful", sa.Integer, nullable=False),
)

turn_feedback = sa.Table(
    "turn_feedback",
    metadata,
    sa.Column("turn_id", sa.String(32), primary_key=True),
    sa.Column("useful", sa.Boolean, nullable=False),
    sa.Column("reason", sa.String(32), nullable=False),
    sa.Column("comment", sa.String(500), nullable=False),
    sa.Column("at", UtcDateTime, nullable=False, index=True),
)
