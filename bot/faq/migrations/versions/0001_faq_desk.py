"""The FAQ desk's tables.

Staff accounts and sign-ins, entries and their versions, the audit log, unanswered questions
and the published-set revision counter.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

ROLES = "role IN ('editor', 'reviewer', 'admin')"
STATUSES = "status IN ('draft', 'in_review', 'approved', 'published', 'archived')"


def _created_at(name: str = "created_at") -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    """Create every table; the entry ↔ published-version foreign-key cycle is closed last."""
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        _created_at(),
        sa.CheckConstraint(ROLES, name="ck_users_role"),
        sa.UniqueConstraint("username", name="uq_users_username"),
    )
    op.create_table(
        "faq_entries",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("author_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("reviewer_id", sa.Integer, sa.ForeignKey("users.id")),
        sa.Column("published_version_id", sa.Integer),  # foreign key added below
        _created_at(),
        _created_at("updated_at"),
        sa.CheckConstraint(STATUSES, name="ck_faq_entries_status"),
        sa.UniqueConstraint("key", name="uq_faq_entries_key"),
    )
    op.create_table(
        "faq_entry_versions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("entry_id", sa.Integer, sa.ForeignKey("faq_entries.id"), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("question", sa.String(200), nullable=False),
        sa.Column("paraphrases", sa.JSON, nullable=False),
        sa.Column("answer", sa.Text, nullable=False),
        sa.Column("clause_ids", sa.JSON, nullable=False),
        sa.Column("tags", sa.JSON, nullable=False),
        sa.Column("editor_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("author_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("comment", sa.Text, nullable=False),
        _created_at(),
        sa.CheckConstraint(STATUSES, name="ck_faq_entry_versions_status"),
        sa.UniqueConstraint("entry_id", "number", name="uq_faq_entry_versions_entry_id"),
    )
    with op.batch_alter_table("faq_entries") as batch:
        batch.create_foreign_key(
            "fk_faq_entries_published_version_id_faq_entry_versions",
            "faq_entry_versions",
            ["published_version_id"],
            ["id"],
        )
    op.create_table(
        "faq_audit_log",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("entry_id", sa.Integer, sa.ForeignKey("faq_entries.id")),
        sa.Column("detail", sa.Text, nullable=False),
    )
    op.create_index("ix_faq_audit_log_entry_id", "faq_audit_log", ["entry_id"])
    op.create_table(
        "login_sessions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        _created_at(),
        _created_at("last_seen"),
        _created_at("expires_at"),
        sa.UniqueConstraint("token_hash", name="uq_login_sessions_token_hash"),
    )
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("client", sa.String(64), nullable=False),
    )
    for column in ("at", "username", "client"):
        op.create_index(f"ix_login_failures_{column}", "login_failures", [column])
    op.create_table(
        "faq_unanswered",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("text", sa.String(500), nullable=False),
        sa.Column("normalized", sa.String(500), nullable=False),
        sa.Column("reason", sa.String(32), nullable=False),
        _created_at(),
        sa.Column("handled", sa.Boolean, nullable=False),
        sa.Column("entry_id", sa.Integer, sa.ForeignKey("faq_entries.id")),
    )
    state = op.create_table(
        "faq_state",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.CheckConstraint("id = 1", name="ck_faq_state_single_row"),
    )
    op.bulk_insert(state, [{"id": 1, "revision": 0}])


def downgrade() -> None:
    """Drop every table (the foreign-key cycle is opened first)."""
    with op.batch_alter_table("faq_entries") as batch:
        batch.drop_constraint(
            "fk_faq_entries_published_version_id_faq_entry_versions", type_="foreignkey"
        )
    for table in (
        "faq_state",
        "faq_unanswered",
        "login_failures",
        "login_sessions",
        "faq_audit_log",
        "faq_entry_versions",
        "faq_entries",
        "users",
    ):
        op.drop_table(table)
