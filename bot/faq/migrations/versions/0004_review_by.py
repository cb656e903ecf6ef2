"""复核日期: the day by which an entry must be checked again (the policy itself expires).

Revision ID: 0004_review_by
Revises: 0003_unanswered
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_review_by"
down_revision = "0003_unanswered"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add ``faq_entries.review_by`` (a date, none by default)."""
    with op.batch_alter_table("faq_entries") as batch:
        batch.add_column(sa.Column("review_by", sa.Date))


def downgrade() -> None:
    """Drop it."""
    with op.batch_alter_table("faq_entries") as batch:
        batch.drop_column("review_by")
