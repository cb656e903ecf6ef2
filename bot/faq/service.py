"""The published FAQ as the assistant sees it while it talks to citizens.

:class:`FaqService` opens the FAQ desk's database (``DATABASE_URL``) on first use, answers
from a :class:`~bot.retrieval.faq_index.LiveMatcher` (so a publish or archive counts from the next
message on) and records the questions that were not answered. It never raises: when the
database is unreachable the assistant goes on without the FAQ, and the failure is logged
once per minute rather than on every message.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass

from sqlalchemy.exc import SQLAlchemyError

from bot.faq.db import make_engine
from bot.faq.records import PublishedEntry
from bot.faq.store import FaqStore
from bot.retrieval.faq_index import SUGGEST, THRESHOLD, LiveMatcher, Match

log = logging.getLogger(__name__)

QUIET_SECONDS = 60.0
"""After a database error, the next one is logged only after this many seconds."""


@dataclass(frozen=True)
class FaqFit:
    """How the FAQ fits a message: one entry to answer with, or entries to offer."""

    answer: PublishedEntry | None
    suggestions: tuple[PublishedEntry, ...] = ()


class FaqService:
    """Run-time access to the published FAQ and the unanswered-question log."""

    def __init__(
        self,
        clause_ids: Collection[str],
        url: str | None = None,
        store_factory: Callable[[], FaqStore] | None = None,
    ) -> None:
        """Use the database at ``url`` (default ``DATABASE_URL``), opened on first use."""
        self._clause_ids = clause_ids
        self._url = url
        self._factory = store_factory
        self._store: FaqStore | None = None
        self._matcher: LiveMatcher | None = None
        self._last_error = -QUIET_SECONDS

    def _open(self) -> tuple[FaqStore, LiveMatcher]:
        if self._store is None or self._matcher is None:
            store = (
                self._factory()
                if self._factory
                else FaqStore(make_engine(self._url), self._clause_ids)
            )
            self._store, self._matcher = store, LiveMatcher(store.published, store.revision)
        return self._store, self._matcher

    def _failed(self, what: str, exc: Exception) -> None:
        now = time.monotonic()
        if now - self._last_error >= QUIET_SECONDS:
            log.warning("FAQ %s failed, answering without the FAQ: %s", what, exc)
            self._last_error = now

    def fit(self, text: str, limit: int = 3) -> FaqFit:
        """The entry to answer ``text`` with (score ≥ THRESHOLD), else entries to offer."""
        try:
            matches: list[Match] = self._open()[1].match(text, limit, SUGGEST)
        except SQLAlchemyError as exc:
            self._failed("matching", exc)
            return FaqFit(None)
        entries = [m.entry for m in matches if isinstance(m.entry, PublishedEntry)]
        if matches and matches[0].score >= THRESHOLD and entries:
            return FaqFit(entries[0])
        return FaqFit(None, tuple(entries))

    def entry(self, entry_id: int) -> PublishedEntry | None:
        """The published entry with this id, or ``None`` (never published, or archived)."""
        try:
            index = self._open()[1].index()
        except SQLAlchemyError as exc:
            self._failed("lookup", exc)
            return None
        return next(
            (e for e in index.entries if isinstance(e, PublishedEntry) and e.id == entry_id),
            None,
        )

    def record_unanswered(self, text: str, reason: str) -> None:
        """Keep ``text`` (masked by the store) for the FAQ desk's unanswered report."""
        try:
            self._open()[0].record_unanswered(text, reason)
        except SQLAlchemyError as exc:
            self._failed("recording an unanswered question", exc)
