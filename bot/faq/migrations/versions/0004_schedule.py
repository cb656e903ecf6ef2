"""Scheduling: 复核日期 (check again from this day) and 定时发布 (publish at a time).

Revision ID: 0004_schedule
Revises: 0003_unanswered
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_schedule"
down_revision = "0003_unanswered"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """``review_by``; ``publish_at`` with the version it publishes and who scheduled it."""
    with op.batch_alter_table("faq_entries") as batch:
        batch.add_column(sa.Column("review_by", sa.Date))
        batch.add_column(sa.Column("publish_at", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("publish_version", sa.Integer))
        batch.add_column(
            sa.Column(
                "scheduled_by_id",
                sa.Integer,
                sa.ForeignKey("users.id", name="fk_faq_entries_scheduled_by_id_users"),
            )
        )


def downgrade() -> None:
    """Drop them."""
    with op.batch_alter_table("faq_entries") as batch:
        batch.drop_constraint("fk_faq_entries_scheduled_by_id_users", type_="foreignkey")
        for column in ("scheduled_by_id", "publish_version", "publish_at", "review_by"):
            batch.drop_column(column)
