"""Unanswered questions at scale: a group can be ignored, marked done or merged into another.

Revision ID: 0003_unanswered
Revises: 0002_turn_log
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_unanswered"
down_revision = "0002_turn_log"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """``resolution`` (draft / done / ignored) of handled questions; ``merged_into``."""
    with op.batch_alter_table("faq_unanswered") as batch:
        batch.add_column(sa.Column("resolution", sa.String(16)))
        batch.add_column(sa.Column("merged_into", sa.Integer))
    op.create_index("ix_faq_unanswered_created_at", "faq_unanswered", ["created_at"])


def downgrade() -> None:
    """Drop the two columns and the index."""
    op.drop_index("ix_faq_unanswered_created_at", "faq_unanswered")
    with op.batch_alter_table("faq_unanswered") as batch:
        batch.drop_column("merged_into")
        batch.drop_column("resolution")
