"""The turn log: one row per answered message, the clauses it cited, citizens' feedback.

Revision ID: 0002_turn_log
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_turn_log"
down_revision = "0001"
branch_labels = None
depends_on = None

OUTCOMES = "outcome IN ('answered', 'asked_more', 'fallback', 'out_of_scope')"
REVIEW = "reviewed_at IS NULL AND (useful = false OR (outcome = 'answered' AND confidence < 0.6))"
WITH_ENTRY = "faq_entry_id IS NOT NULL"


def upgrade() -> None:
    """Create the three tables and the indexes the dashboard's queries scan.

    ``useful`` on ``turns`` and ``turn_clauses`` copies the feedback's verdict, so that 没用
    rates and the 复核 list (a partial index) need no join (``bot/turns/models.py``).
    """
    op.create_table(
        "turns",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("conversation", sa.String(32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
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
        sa.Column("reviewed_at", sa.DateTime(timezone=True)),
        sa.CheckConstraint(OUTCOMES, name="ck_turns_outcome"),
    )
    op.create_index("ix_turns_conversation", "turns", ["conversation"])
    op.create_index("ix_turns_at", "turns", ["at"])
    op.create_index("ix_turns_day_outcome", "turns", ["day", "outcome"])
    op.create_index("ix_turns_day_intent", "turns", ["day", "intent"])
    op.create_index(
        "ix_turns_day_faq_entry_id",
        "turns",
        ["day", "faq_entry_id", "useful"],
        postgresql_where=sa.text(WITH_ENTRY),
        sqlite_where=sa.text(WITH_ENTRY),
    )
    op.create_index(
        "ix_turns_review",
        "turns",
        ["at"],
        postgresql_where=sa.text(REVIEW),
        sqlite_where=sa.text(REVIEW),
    )
    op.create_table(
        "turn_clauses",
        sa.Column("turn_id", sa.String(32), primary_key=True),
        sa.Column("clause_id", sa.String(64), primary_key=True),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("useful", sa.Boolean),
    )
    op.create_index("ix_turn_clauses_day_clause_id", "turn_clauses", ["day", "clause_id", "useful"])
    op.create_table(
        "turn_feedback",
        sa.Column("turn_id", sa.String(32), primary_key=True),
        sa.Column("useful", sa.Boolean, nullable=False),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("comment", sa.String(500), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_turn_feedback_at", "turn_feedback", ["at"])


def downgrade() -> None:
    """Drop the turn log."""
    for table in ("turn_feedback", "turn_clauses", "turns"):
        op.drop_table(table)
