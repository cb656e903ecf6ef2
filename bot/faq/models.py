"""The FAQ desk's tables, mapped onto plain dataclasses.

Each model is a dataclass mapped (declaratively) onto the ``Table`` written out just above it,
so attribute types are ordinary Python types for mypy and the schema reads like the migration
in ``bot/faq/migrations/versions``; a test checks the two agree. Queries name columns through
the tables (``entries.c.key``): to mypy, ``Entry.key`` is only a ``str``.

Datetimes are timezone-aware UTC everywhere (:class:`UtcDateTime`). Users are never deleted,
only deactivated, so every foreign key to ``users`` stays valid.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import registry

# The roles and statuses (and their Chinese names) sit with the workflow rules.
from bot.faq.workflow import ROLES, STATUSES

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)
mapper_registry = registry(metadata=metadata)


def utcnow() -> dt.datetime:
    """The current time, timezone-aware UTC (the default clock)."""
    return dt.datetime.now(dt.timezone.utc)


class UtcDateTime(sa.types.TypeDecorator):  # type: ignore[misc]
    """A timezone-aware UTC datetime on every database.

    PostgreSQL keeps the offset (``timestamptz``); SQLite has no time zones, so the value is
    stored as naive UTC, which also keeps its text form ordered. Naive input is refused.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        """Convert to UTC before storing (naive on SQLite)."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: use timezone-aware UTC")
        value = value.astimezone(dt.timezone.utc)
        return value if dialect.name == "postgresql" else value.replace(tzinfo=None)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        """Return the stored value as aware UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.timezone.utc)
        return value.astimezone(dt.timezone.utc)


def _one_of(column: str, values: tuple[str, ...], name: str) -> Any:
    allowed = ", ".join(f"'{value}'" for value in values)
    return sa.CheckConstraint(f"{column} IN ({allowed})", name=name)


users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("username", sa.String(64), nullable=False, unique=True),
    sa.Column("password_hash", sa.String(255), nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    _one_of("role", ROLES, "role"),
)


@mapper_registry.mapped
@dataclass(eq=False)
class User:
    """A member of staff who signs in to the FAQ desk."""

    __table__ = users

    username: str
    password_hash: str
    role: str
    created_at: dt.datetime
    active: bool = True
    id: int = field(init=False)


entries = sa.Table(
    "faq_entries",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("key", sa.String(64), nullable=False, unique=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Column("author_id", sa.ForeignKey("users.id"), nullable=False),
    sa.Column("reviewer_id", sa.ForeignKey("users.id")),
    sa.Column(
        "published_version_id",
        sa.ForeignKey("faq_entry_versions.id", use_alter=True),
    ),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.Column("review_by", sa.Date),
    sa.Column("publish_at", UtcDateTime),
    sa.Column("publish_version", sa.Integer),
    sa.Column("scheduled_by_id", sa.ForeignKey("users.id")),
    _one_of("status", STATUSES, "status"),
)


@mapper_registry.mapped
@dataclass(eq=False)
class Entry:
    """One FAQ entry; its content lives in its versions.

    ``status`` is the state of the latest version. ``published_version_id`` points at the
    version citizens are served, which may be older than the latest one: editing a published
    entry starts a new draft while the published version stays live until the new one is
    published. ``revision`` grows by one on every change (optimistic concurrency: SQLAlchemy
    adds ``WHERE revision = <the revision read>`` to every UPDATE). ``author_id`` is who wrote
    the current content, ``reviewer_id`` who approved it (cleared when the content changes).
    """

    __table__ = entries
    __mapper_args__ = {  # noqa: RUF012  (read by SQLAlchemy once, at mapping time)
        "version_id_col": entries.c.revision,
        "version_id_generator": False,
    }

    key: str
    status: str
    author_id: int
    created_at: dt.datetime
    updated_at: dt.datetime
    revision: int = 1
    reviewer_id: int | None = None
    published_version_id: int | None = None
    review_by: dt.date | None = None
    """复核日期: from this day the entry is listed for review (not versioned: not content)."""
    publish_at: dt.datetime | None = None
    """定时发布: when version ``publish_version`` is to be published, on behalf of
    ``scheduled_by_id``; any later change of the entry makes the schedule void."""
    publish_version: int | None = None
    scheduled_by_id: int | None = None
    id: int = field(init=False)


entry_versions = sa.Table(
    "faq_entry_versions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("entry_id", sa.ForeignKey("faq_entries.id"), nullable=False),
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("action", sa.String(16), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("question", sa.String(200), nullable=False),
    sa.Column("paraphrases", sa.JSON, nullable=False),
    sa.Column("answer", sa.Text, nullable=False),
    sa.Column("clause_ids", sa.JSON, nullable=False),
    sa.Column("tags", sa.JSON, nullable=False),
    sa.Column("editor_id", sa.ForeignKey("users.id"), nullable=False),
    sa.Column("author_id", sa.ForeignKey("users.id"), nullable=False),
    sa.Column("comment", sa.Text, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.UniqueConstraint("entry_id", "number"),
    _one_of("status", STATUSES, "status"),
)


@mapper_registry.mapped
@dataclass(eq=False)
class EntryVersion:
    """A snapshot of an entry after one change: content, state, who did it and why.

    Every change appends one (edits and workflow steps alike), so the versions are the entry's
    complete history. ``editor_id`` is who made the change, ``author_id`` who wrote the content
    (they differ for workflow steps and restores); ``action`` names the change.
    """

    __table__ = entry_versions

    entry_id: int
    number: int
    action: str
    status: str
    question: str
    answer: str
    editor_id: int
    author_id: int
    created_at: dt.datetime
    paraphrases: list[str] = field(default_factory=list)
    clause_ids: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    comment: str = ""
    id: int = field(init=False)


audit_log = sa.Table(
    "faq_audit_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", UtcDateTime, nullable=False),
    sa.Column("username", sa.String(64), nullable=False),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("entry_id", sa.ForeignKey("faq_entries.id"), index=True),
    sa.Column("detail", sa.Text, nullable=False),
)


@mapper_registry.mapped
@dataclass(eq=False)
class AuditLog:
    """Who did what, when: one row per action on the desk (entries, users, sign-ins)."""

    __table__ = audit_log

    at: dt.datetime
    username: str
    action: str
    entry_id: int | None = None
    detail: str = ""
    id: int = field(init=False)


login_sessions = sa.Table(
    "login_sessions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("user_id", sa.ForeignKey("users.id"), nullable=False),
    sa.Column("csrf_token", sa.String(64), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("last_seen", UtcDateTime, nullable=False),
    sa.Column("expires_at", UtcDateTime, nullable=False),
)


@mapper_registry.mapped
@dataclass(eq=False)
class LoginSession:
    """A signed-in browser. Only the SHA-256 of the session token is stored."""

    __table__ = login_sessions

    token_hash: str
    user_id: int
    csrf_token: str
    created_at: dt.datetime
    last_seen: dt.datetime
    expires_at: dt.datetime
    id: int = field(init=False)


login_failures = sa.Table(
    "login_failures",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", UtcDateTime, nullable=False, index=True),
    sa.Column("username", sa.String(64), nullable=False, index=True),
    sa.Column("client", sa.String(64), nullable=False, index=True),
)


@mapper_registry.mapped
@dataclass(eq=False)
class LoginFailure:
    """A failed sign-in, kept for a while to rate-limit guessing per username and per client."""

    __table__ = login_failures

    at: dt.datetime
    username: str
    client: str
    id: int = field(init=False)


unanswered = sa.Table(
    "faq_unanswered",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("text", sa.String(500), nullable=False),
    sa.Column("normalized", sa.String(500), nullable=False),
    sa.Column("reason", sa.String(32), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False, index=True),
    sa.Column("handled", sa.Boolean, nullable=False),
    sa.Column("entry_id", sa.ForeignKey("faq_entries.id")),
    sa.Column("resolution", sa.String(16)),
    sa.Column("merged_into", sa.Integer),
)


@mapper_registry.mapped
@dataclass(eq=False)
class Unanswered:
    """A citizen's question the assistant could not answer, PII masked before it is stored.

    A handled question says how (``resolution``: ``draft``, ``done`` or ``ignored``);
    ``merged_into`` puts it in the group of another question that staff judged the same.
    """

    __table__ = unanswered

    text: str
    normalized: str
    reason: str
    created_at: dt.datetime
    handled: bool = False
    entry_id: int | None = None
    resolution: str | None = None
    merged_into: int | None = None
    id: int = field(init=False)


faq_state = sa.Table(
    "faq_state",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("revision", sa.Integer, nullable=False),
    sa.CheckConstraint("id = 1", name="single_row"),
)


@mapper_registry.mapped
@dataclass(eq=False)
class FaqState:
    """The single row whose ``revision`` grows whenever the set of published entries changes."""

    __table__ = faq_state

    revision: int
    id: int = 1
