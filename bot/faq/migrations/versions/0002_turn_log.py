"""The turn log: one row per answered message, the clauses it cited, feedback, daily counts.

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


def upgrade() -> None:
    """Create the three tables and the indexes the dashboard's queries scan.

    ``useful`` on ``turns`` copies the feedback's verdict for the 复核 list (a partial index);
    ``turn_counts`` holds the dashboard's daily counts (``bot/turns/models.py``).
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
    op.create_index("ix_turns_day", "turns", ["day"])
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
    )
    op.create_index("ix_turn_clauses_day", "turn_clauses", ["day"])
    op.create_table(
        "turn_counts",
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("kind", sa.String(8), primary_key=True),
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("n", sa.Integer, nullable=False),
        sa.Column("rated", sa.Integer, nullable=False),
        sa.Column("not_useful", sa.Integer, nullable=False),
    )
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
    for table in ("turn_counts", "turn_feedback", "turn_clauses", "turns"):
        op.drop_table(table)
