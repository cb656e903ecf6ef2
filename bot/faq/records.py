"""What the FAQ desk hands out: frozen snapshots, detached from the database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_jsonable(item) for item in value]
    return value


class _View:
    def to_dict(self) -> dict[str, Any]:
        """The fields as JSON-ready values (datetimes in ISO 8601, tuples as lists)."""
        return {name: _jsonable(value) for name, value in vars(self).items()}


@dataclass(frozen=True)
class EntryView(_View):
    """An entry with the content of its latest version (what staff edit and review).

    ``author`` wrote the latest content, ``reviewer`` approved it (``None`` until then);
    ``published_version`` is the version citizens are served, possibly older than ``version``.
    ``comment`` is the latest version's comment (e.g. why it was sent back).
    """

    id: int
    key: str
    status: str
    revision: int
    version: int
    question: str
    paraphrases: tuple[str, ...]
    answer: str
    clause_ids: tuple[str, ...]
    tags: tuple[str, ...]
    author: str
    reviewer: str | None
    comment: str
    published_version: int | None
    created_at: dt.datetime
    updated_at: dt.datetime
    review_by: dt.date | None = None
    publish_at: dt.datetime | None = None


@dataclass(frozen=True)
class PublishedEntry(_View):
    """The published version of an entry: what the assistant answers with."""

    id: int
    key: str
    question: str
    paraphrases: tuple[str, ...]
    answer: str
    clause_ids: tuple[str, ...]
    tags: tuple[str, ...]
    version: int
    first_published_at: dt.datetime | None = None
    """When the entry was first published (its earliest published version)."""
    published_at: dt.datetime | None = None
    """When the version served now was published (the entry's last update on ``/faq``)."""
    review_by: dt.date | None = None
    """The entry's 复核日期, if one is set."""


@dataclass(frozen=True)
class VersionView(_View):
    """One version of an entry: its content and the change that made it."""

    number: int
    action: str
    status: str
    question: str
    paraphrases: tuple[str, ...]
    answer: str
    clause_ids: tuple[str, ...]
    tags: tuple[str, ...]
    editor: str
    author: str
    comment: str
    created_at: dt.datetime


@dataclass(frozen=True)
class AuditEntry(_View):
    """One row of the audit log."""

    id: int
    at: dt.datetime
    username: str
    action: str
    entry_id: int | None
    detail: str


@dataclass(frozen=True)
class UnansweredGroup(_View):
    """Similar unanswered questions, counted together.

    ``id`` is the smallest member's id (stable while the group is open), ``text`` the most
    frequent wording, ``examples`` up to five distinct wordings (``text`` first).
    """

    id: int
    text: str
    count: int
    last_seen: dt.datetime
    examples: tuple[str, ...]
    reasons: tuple[str, ...]
