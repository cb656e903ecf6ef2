"""The FAQ desk: entries written by the publicity department, reviewed, then published.

The workflow and its rules are :data:`bot.faq.workflow.TRANSITIONS`.

Editors create, edit and submit. Reviewers and admins also approve, reject, publish, archive
and restore, but nobody approves, publishes or restores content they wrote themselves. Editing a
published entry starts a new draft while the published version is still served
(``Entry.published_version_id``) until the new one is published.

Every change appends an :class:`~bot.faq.models.EntryVersion` (the complete history), writes
an audit row and increments the entry's ``revision``; a change based on an older revision
raises :class:`~bot.faq.errors.Conflict` and saves nothing. Publishing, archiving and
restoring also increment the published-set revision (:meth:`FaqStore.revision`) in the same
transaction, so a matcher can poll one cheap query to know when to rebuild its index.
"""

from __future__ import annotations

import builtins
import datetime as dt
import difflib
import uuid
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from bot.faq.content import (
    COMMENT_MAX,
    MAX_PARAPHRASES,
    QUESTION_MAX,
    Content,
    check_key,
    multi_line,
    one_line,
    parse_content,
)
from bot.faq.db import session_factory
from bot.faq.errors import (
    Conflict,
    FaqError,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    RowsRefused,
    ValidationError,
)
from bot.faq.grouping import cluster, wordings
from bot.faq.models import (
    AuditLog,
    Entry,
    EntryVersion,
    Unanswered,
    User,
    audit_log,
    entries,
    entry_versions,
    faq_state,
    unanswered,
    users,
    utcnow,
)
from bot.faq.records import AuditEntry, EntryView, PublishedEntry, UnansweredGroup, VersionView
from bot.faq.workflow import (
    ROLE_NAMES,
    ROLES,
    STATUS_NAMES,
    STATUSES,
    TRANSITIONS,
    Transition,
)
from bot.nlu.normalize import normalize
from bot.privacy.masking import mask_pii

Actor = User | str
"""The acting user, or their username; either way it is looked up and must be active."""

UNANSWERED_MAX = 500
_DIFF_FIELDS = (
    ("question", "问题"),
    ("paraphrases", "问法"),
    ("answer", "答案"),
    ("clause_ids", "条款"),
    ("tags", "标签"),
    ("status", "状态"),
)


def _content(version: EntryVersion) -> Content:
    return Content(
        question=version.question,
        paraphrases=tuple(version.paraphrases),
        answer=version.answer,
        clause_ids=tuple(version.clause_ids),
        tags=tuple(version.tags),
    )


def _content_fields(version: EntryVersion) -> dict[str, Any]:
    """The version's question, paraphrases, answer, clause_ids and tags, for a view."""
    return vars(_content(version))


def _diff_lines(value: object) -> list[str]:
    return [str(item) for item in value] if isinstance(value, list) else str(value).splitlines()


class FaqStore:
    """The FAQ desk's entries, their workflow and history, and unanswered questions."""

    def __init__(
        self,
        engine: Engine,
        clause_ids: Collection[str],
        *,
        now: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        """Serve the FAQ desk from ``engine``.

        Args:
            engine: A migrated database (:func:`bot.faq.db.migrate`).
            clause_ids: The policy's clause ids; entries may cite only these.
            now: The clock (timezone-aware UTC); tests pass their own.
        """
        self._sessions = session_factory(engine)
        self._clause_ids = frozenset(clause_ids)
        self._now = now

    @contextmanager
    def _transaction(self) -> Iterator[Session]:
        with self._sessions.begin() as session:
            yield session

    # -- editing and workflow ------------------------------------------------------------

    def create(self, user: Actor, data: Mapping[str, object]) -> EntryView:
        """Create a draft entry from ``data`` (``key`` optional, ``question`` required).

        Raises:
            ValidationError: Bad or missing content, unknown clause, key in use.
            PermissionDenied: The user is unknown or inactive.
        """
        with self._transaction() as session:
            actor = self._actor(session, user)
            content = parse_content(data, self._clause_ids)
            key = check_key(data["key"]) if data.get("key") else None
            entry = self._create(session, actor, content, key, detail="")
            return self._view(session, entry)

    def create_all(
        self,
        user: Actor,
        rows: Sequence[tuple[Mapping[str, object], bool] | None],
        detail: str = "",
    ) -> builtins.list[EntryView]:
        """Create a draft from each ``(data, submit)`` row, all or none, in one transaction.

        A row with ``submit`` is sent for review at once (as :meth:`submit`). Every row is
        tried, so that every bad row is reported; if any was refused nothing is created.
        A ``None`` row is one the caller refused already: it is not reported again, but
        nothing is created either. ``detail`` goes into each entry's audit row.

        Raises:
            RowsRefused: The rows that could not be created and why (nothing was created).
            PermissionDenied: The user is unknown or inactive.
        """
        with self._transaction() as session:
            actor = self._actor(session, user)
            made: builtins.list[Entry] = []
            refused: builtins.list[tuple[int, str]] = []
            submitting = TRANSITIONS["submit"]
            for index, row in enumerate(rows):
                if row is None:
                    continue
                data, submit = row
                # Every check comes before the row's first write (no savepoints: pysqlite
                # would commit a released one), so a refused row has written nothing.
                try:
                    content = parse_content(data, self._clause_ids)
                    key = check_key(data["key"]) if data.get("key") else None
                    if key is not None:
                        self._check_key_free(session, key)  # also a key earlier in the batch
                    if submit and not content.answer:
                        raise ValidationError("答案为空，不能直接提交审核")
                    if submit and not submitting.allows(actor.role, "draft", own=True):
                        raise PermissionDenied(f"{ROLE_NAMES[actor.role]}不能提交审核")
                except FaqError as exc:
                    refused.append((index, str(exc)))
                    continue
                entry = self._create(session, actor, content, key, detail=detail)
                if submit:
                    self._step(session, entry, actor, "submit")
                made.append(entry)
            if refused or None in rows:
                raise RowsRefused(refused)  # leaving the block rolls every row back
            return [self._view(session, entry) for entry in made]

    def update(
        self, user: Actor, entry_id: int, data: Mapping[str, object], base_revision: int
    ) -> EntryView:
        """Save new content (fields left out of ``data`` are kept) as a draft.

        A published entry stays published (its published version is served) until the new
        draft is published. Saving unchanged content changes nothing.

        Raises:
            Conflict: The entry changed since ``base_revision``; carries ``data`` back.
            ValidationError: Bad content, or an attempt to change the key.
        """
        with self._transaction() as session:
            actor = self._actor(session, user)
            entry = self._entry(session, entry_id)
            if entry.revision != base_revision:
                raise Conflict(entry.revision, data)
            if "key" in data and data["key"] != entry.key:
                raise ValidationError("条目标识创建后不能修改")
            latest = self._latest(session, entry.id)
            content = parse_content(data, self._clause_ids, base=_content(latest))
            if content != _content(latest):
                entry.author_id = actor.id
                entry.reviewer_id = None
                self._change(
                    session, entry, actor, "update", "draft", content, actor.id, rejected=data
                )
            return self._view(session, entry)

    def submit(self, user: Actor, entry_id: int) -> EntryView:
        """Send a draft for review; its answer must not be empty."""
        with self._transaction() as session:
            actor, entry = self._begin(session, user, "submit", entry_id)
            if not self._latest(session, entry.id).answer:
                raise ValidationError("答案为空，请先填写答案再提交审核")
            self._step(session, entry, actor, "submit")
            return self._view(session, entry)

    def approve(self, user: Actor, entry_id: int, comment: str = "") -> EntryView:
        """Approve an entry in review (reviewer or admin, not its author); publishing is next."""
        with self._transaction() as session:
            actor, entry = self._begin(session, user, "approve", entry_id)
            entry.reviewer_id = actor.id
            self._step(session, entry, actor, "approve", self._comment(comment))
            return self._view(session, entry)

    def reject(self, user: Actor, entry_id: int, comment: str) -> EntryView:
        """Send an entry in review (or approved) back to draft; ``comment`` says why."""
        with self._transaction() as session:
            actor, entry = self._begin(session, user, "reject", entry_id)
            comment = self._comment(comment)
            if not comment:
                raise ValidationError("退回时必须填写意见，告诉撰写人需要修改什么")
            entry.reviewer_id = None
            self._step(session, entry, actor, "reject", comment)
            return self._view(session, entry)

    def publish(self, user: Actor, entry_id: int) -> EntryView:
        """Make an approved entry's latest version the one citizens are served.

        Raises:
            PermissionDenied: An editor, or the author of the content.
            InvalidTransition: The entry is not approved.
        """
        with self._transaction() as session:
            actor, entry = self._begin(session, user, "publish", entry_id)
            version = self._step(session, entry, actor, "publish")
            entry.published_version_id = version.id
            self._unschedule(entry)
            self._published_set_changed(session)
            return self._view(session, entry)

    def schedule_publish(self, user: Actor, entry_id: int, at: dt.datetime | None) -> EntryView:
        """定时发布: publish the approved entry's current version at ``at`` (``None``: cancel).

        Scheduling is publishing later, so the same rules hold (a reviewer or admin, not the
        author, an approved entry); :meth:`publish_due` then publishes on the scheduler's
        behalf. Any change of the entry before then (a new version) makes the schedule void.

        Raises:
            PermissionDenied, InvalidTransition: As for :meth:`publish`.
            ValidationError: ``at`` is not in the future.
        """
        with self._transaction() as session:
            if at is None:
                actor = self._actor(session, user)
                entry = self._entry(session, entry_id)
                detail = "取消定时发布"
                self._unschedule(entry)
            else:
                actor, entry = self._begin(session, user, "publish", entry_id)
                if at <= self._now():
                    raise ValidationError("定时发布的时间应晚于现在")
                entry.publish_at = at.astimezone(dt.timezone.utc)
                entry.publish_version = self._latest(session, entry.id).number
                entry.scheduled_by_id = actor.id
                detail = f"定时发布：{at.isoformat()}（第 {entry.publish_version} 版）"
            self._audit(session, actor.username, "schedule", entry.id, detail)
            session.flush()
            return self._view(session, entry)

    def publish_due(self) -> builtins.list[int]:
        """Publish the scheduled entries whose time has come; returns their ids.

        A schedule whose entry changed since (another version) or can no longer be published
        by its scheduler (role, status) is dropped, with an audit row saying why.
        """
        with self._transaction() as session:
            due = session.execute(
                sa.select(entries.c.id, entries.c.publish_version, users.c.username)
                .join(users, users.c.id == entries.c.scheduled_by_id)
                .where(entries.c.publish_at <= self._now())
            ).all()
        published = []
        for entry_id, version, username in due:
            try:
                if self._latest_number(entry_id) != version:
                    raise InvalidTransition("条目在定时之后有了新的版本，定时发布取消")
                self.publish(username, entry_id)
                published.append(entry_id)
            except FaqError as exc:
                with self._transaction() as session:
                    entry = self._entry(session, entry_id)
                    if entry.publish_at is None:
                        continue  # another gateway published or cancelled it meanwhile
                    self._unschedule(entry)
                    self._audit(session, username, "schedule", entry_id, f"定时发布未执行：{exc}")
        return published

    def _audit(
        self, session: Session, username: str, action: str, entry_id: int | None, detail: str
    ) -> None:
        """One audit row, now, for a change that makes no entry version."""
        session.add(
            AuditLog(
                at=self._now(),
                username=username,
                action=action,
                entry_id=entry_id,
                detail=detail,
            )
        )

    def _latest_number(self, entry_id: int) -> int:
        with self._transaction() as session:
            return self._latest(session, entry_id).number

    @staticmethod
    def _unschedule(entry: Entry) -> None:
        entry.publish_at = None
        entry.publish_version = None
        entry.scheduled_by_id = None

    def archive(self, user: Actor, entry_id: int) -> EntryView:
        """Stop serving an entry at once and set it aside (it can be edited or restored)."""
        with self._transaction() as session:
            actor, entry = self._begin(session, user, "archive", entry_id)
            was_published = entry.published_version_id is not None
            entry.published_version_id = None
            self._step(session, entry, actor, "archive")
            if was_published:
                self._published_set_changed(session)
            return self._view(session, entry)

    def restore(self, user: Actor, entry_id: int, version_number: int) -> EntryView:
        """Publish again the content of a version that was published before.

        Raises:
            PermissionDenied: An editor, or the author of that version (four-eyes rule).
            NotFound: No such version.
            InvalidTransition: That version was never published.
        """
        with self._transaction() as session:
            actor, entry = self._begin(session, user, "restore", entry_id)
            source = self._version(session, entry.id, version_number)
            if source.status != "published":
                raise InvalidTransition(f"第 {version_number} 版没有发布过，不能恢复")
            self._check_not_own(TRANSITIONS["restore"], actor, source.author_id)
            entry.author_id = source.author_id
            entry.reviewer_id = actor.id
            version = self._change(
                session,
                entry,
                actor,
                "restore",
                TRANSITIONS["restore"].target,
                _content(source),
                source.author_id,
                detail=f"恢复第 {version_number} 版",
            )
            entry.published_version_id = version.id
            self._published_set_changed(session)
            return self._view(session, entry)

    def set_review_by(self, user: Actor, entry_id: int, day: dt.date | None) -> EntryView:
        """Set (or clear, ``None``) the entry's 复核日期; from that day it is due for review.

        Any member of staff may set it; it is not content, so no version is made, but the
        audit log keeps who set which date.

        Raises:
            NotFound: No such entry.
        """
        with self._transaction() as session:
            actor = self._actor(session, user)
            entry = self._entry(session, entry_id)
            entry.review_by = day
            shown = day.isoformat() if day else "无"
            self._audit(session, actor.username, "review_by", entry.id, f"复核日期：{shown}")
            session.flush()
            return self._view(session, entry)

    def due_for_review(self, today: dt.date) -> builtins.list[EntryView]:
        """Entries (not archived) whose 复核日期 is today or past, the most overdue first."""
        due = [
            view
            for view in self.list()
            if view.review_by is not None and view.review_by <= today and view.status != "archived"
        ]
        return sorted(due, key=lambda view: (view.review_by, view.id))

    # -- reading -------------------------------------------------------------------------

    def get(self, entry_id: int) -> EntryView:
        """The entry with its latest content.

        Raises:
            NotFound: No such entry.
        """
        with self._transaction() as session:
            return self._view(session, self._entry(session, entry_id))

    def list(
        self, status: str | None = None, tag: str | None = None, text: str | None = None
    ) -> builtins.list[EntryView]:
        """Entries, most recently changed first, filtered by status, tag and text.

        ``text`` matches the key, question, paraphrases or answer of the latest version,
        ignoring case, width and simplified/traditional differences.
        """
        if status is not None and status not in STATUSES:
            raise ValidationError(f"未知的状态：{status}")
        latest = (
            sa.select(
                entry_versions.c.entry_id, sa.func.max(entry_versions.c.number).label("number")
            )
            .group_by(entry_versions.c.entry_id)
            .subquery()
        )
        query = (
            sa.select(Entry, EntryVersion)
            .join(latest, latest.c.entry_id == entries.c.id)
            .join(
                EntryVersion,
                sa.and_(
                    entry_versions.c.entry_id == entries.c.id,
                    entry_versions.c.number == latest.c.number,
                ),
            )
            .order_by(sa.desc(entries.c.updated_at), sa.desc(entries.c.id))
        )
        if status is not None:
            query = query.where(entries.c.status == status)
        needle = normalize(text or "").casefold()
        with self._transaction() as session:
            names = self._usernames(session)
            published = dict(
                session.execute(
                    sa.select(entry_versions.c.id, entry_versions.c.number).join(
                        Entry, entries.c.published_version_id == entry_versions.c.id
                    )
                ).all()
            )
            views = [
                self._make_view(entry, version, names, published.get(entry.published_version_id))
                for entry, version in session.execute(query).all()
            ]
        return [
            view
            for view in views
            if (tag is None or tag in view.tags)
            and needle
            in normalize(
                " ".join((view.key, view.question, *view.paraphrases, view.answer))
            ).casefold()
        ]

    def versions(self, entry_id: int) -> builtins.list[VersionView]:
        """Every version of the entry, oldest first."""
        with self._transaction() as session:
            self._entry(session, entry_id)
            names = self._usernames(session)
            rows = session.execute(
                sa.select(EntryVersion)
                .where(entry_versions.c.entry_id == entry_id)
                .order_by(entry_versions.c.number)
            ).scalars()
            return [
                VersionView(
                    number=version.number,
                    action=version.action,
                    status=version.status,
                    **_content_fields(version),
                    editor=names[version.editor_id],
                    author=names[version.author_id],
                    comment=version.comment,
                    created_at=version.created_at,
                )
                for version in rows
            ]

    def diff(self, entry_id: int, a: int, b: int) -> builtins.list[str]:
        """Unified-diff lines from version ``a`` to version ``b``, field by field.

        Each changed field gets its own ``---``/``+++`` header naming the field and version;
        list fields (问法, 条款, 标签) have one item a line. Unchanged fields are left out.
        """
        with self._transaction() as session:
            old = self._version(session, entry_id, a)
            new = self._version(session, entry_id, b)
        lines: builtins.list[str] = []
        for field, label in _DIFF_FIELDS:
            lines += difflib.unified_diff(
                _diff_lines(getattr(old, field)),
                _diff_lines(getattr(new, field)),
                f"{label}（第 {a} 版）",
                f"{label}（第 {b} 版）",
                lineterm="",
            )
        return lines

    def audit(self, entry_id: int | None = None, limit: int = 100) -> builtins.list[AuditEntry]:
        """The latest audit rows (of one entry, or of everything), newest first."""
        query = sa.select(AuditLog).order_by(sa.desc(audit_log.c.id)).limit(limit)
        if entry_id is not None:
            query = query.where(audit_log.c.entry_id == entry_id)
        with self._transaction() as session:
            return [
                AuditEntry(
                    id=row.id,
                    at=row.at,
                    username=row.username,
                    action=row.action,
                    entry_id=row.entry_id,
                    detail=row.detail,
                )
                for row in session.execute(query).scalars()
            ]

    def published(self) -> builtins.list[PublishedEntry]:
        """What citizens are served: each live entry's published version, by key.

        With its dates: when the entry was first published (its earliest published version),
        when the text served now was published, and its 复核日期.
        """
        first = (
            sa.select(
                entry_versions.c.entry_id,
                sa.func.min(entry_versions.c.created_at).label("first_published_at"),
            )
            .where(entry_versions.c.status == "published")
            .group_by(entry_versions.c.entry_id)
            .subquery()
        )
        query = (
            sa.select(Entry, EntryVersion, first.c.first_published_at)
            .join(EntryVersion, entry_versions.c.id == entries.c.published_version_id)
            .join(first, first.c.entry_id == entries.c.id)
            .order_by(entries.c.key)
        )
        with self._transaction() as session:
            return [
                PublishedEntry(
                    id=entry.id,
                    key=entry.key,
                    version=version.number,
                    **_content_fields(version),
                    first_published_at=first_published_at,
                    published_at=version.created_at,
                    review_by=entry.review_by,
                )
                for entry, version, first_published_at in session.execute(query).all()
            ]

    def revision(self) -> int:
        """The published-set revision: it changes whenever :meth:`published` would."""
        with self._transaction() as session:
            revision: int = session.execute(sa.select(faq_state.c.revision)).scalar_one()
            return revision

    # -- unanswered questions ------------------------------------------------------------

    def record_unanswered(self, text: str, reason: str) -> None:
        """Keep a question the assistant could not answer, personal data masked first.

        The text is masked (:func:`~bot.privacy.masking.mask_pii`), control characters dropped,
        space collapsed and cut to 500 characters; blank text is not recorded. ``reason`` is
        a short code such as ``fallback`` or ``out_of_scope``.
        """
        reason = one_line(reason, "原因", 32)
        if not reason:
            raise ValidationError("原因不能为空")
        printable = "".join(
            " " if char.isspace() or not char.isprintable() else char for char in text
        )
        masked = " ".join(mask_pii(printable).split())[:UNANSWERED_MAX]
        if not masked:
            return
        with self._transaction() as session:
            session.add(
                Unanswered(
                    text=masked,
                    normalized=normalize(masked)[:UNANSWERED_MAX],
                    reason=reason,
                    created_at=self._now(),
                )
            )

    def unanswered_groups(
        self, limit: int = 50, include_handled: bool = False
    ) -> builtins.list[UnansweredGroup]:
        """Similar unanswered questions grouped (:mod:`bot.faq.grouping`), biggest first."""
        with self._transaction() as session:
            views = [_group_view(members) for members in self._groups(session, include_handled)]
        views.sort(key=lambda group: (-group.count, -group.last_seen.timestamp(), group.id))
        return views[:limit]

    def draft_from_group(self, user: Actor, group_id: int) -> EntryView:
        """Start a draft from an open group: its wordings become the question and paraphrases.

        The answer is left empty for the editor to write (a draft may have no answer, but it
        cannot be submitted without one). The group's questions are marked handled.

        Raises:
            NotFound: No open group has that id.
        """
        with self._transaction() as session:
            actor = self._actor(session, user)
            members = next(
                (group for group in self._groups(session, False) if group[0].id == group_id),
                None,
            )
            if members is None:
                raise NotFound(f"没有编号为 {group_id} 的未处理问题组")
            question, *others = (text[:QUESTION_MAX] for text in wordings(members))
            content = parse_content(
                {"question": question, "paraphrases": others[:MAX_PARAPHRASES]}, self._clause_ids
            )
            entry = self._create(
                session,
                actor,
                content,
                None,
                detail=f"由未解答问题组 {group_id}（{len(members)} 条）生成",
            )
            for member in members:
                member.handled = True
                member.resolution = "draft"
                member.entry_id = entry.id
            return self._view(session, entry)

    def unanswered_page(
        self,
        *,
        text: str = "",
        start: dt.datetime | None = None,
        end: dt.datetime | None = None,
        offset: int = 0,
        limit: int = 50,
    ) -> tuple[int, builtins.list[UnansweredGroup]]:
        """Open groups, biggest first, that match ``text`` and were asked in ``[start, end)``.

        ``text`` matches any wording of the group (normalised: width, case, traditional
        characters); a group counts within the dates if any of its questions does. Returns the
        number of matching groups and the page ``[offset, offset + limit)``.
        """
        needle = normalize(text).casefold()
        with self._transaction() as session:
            groups = self._groups(session, False)
        chosen = []
        for members in groups:
            if needle and not any(needle in m.normalized.casefold() for m in members):
                continue
            if start is not None and not any(m.created_at >= start for m in members):
                continue
            if end is not None and not any(m.created_at < end for m in members):
                continue
            chosen.append(_group_view(members))
        chosen.sort(key=lambda group: (-group.count, -group.last_seen.timestamp(), group.id))
        return len(chosen), chosen[offset : offset + limit]

    def resolve_group(self, user: Actor, group_id: int, resolution: str) -> int:
        """Close an open group as ``done`` (answered elsewhere) or ``ignored`` (noise).

        Returns how many questions it held.

        Raises:
            ValidationError: Another resolution.
            NotFound: No open group has that id.
        """
        if resolution not in ("done", "ignored"):
            raise ValidationError(f"未知的处理方式：{resolution}")
        with self._transaction() as session:
            actor = self._actor(session, user)
            members = self._open_group(session, group_id)
            for member in members:
                member.handled = True
                member.resolution = resolution
            name = "已处理" if resolution == "done" else "忽略"
            detail = f"未解答问题组 {group_id}（{len(members)} 条）：{name}"
            self._audit(session, actor.username, f"unanswered_{resolution}", None, detail)
            return len(members)

    def merge_groups(self, user: Actor, group_ids: Sequence[int]) -> UnansweredGroup:
        """Put open groups together (near-duplicates the grouping kept apart); returns it.

        The group with the smallest id keeps its id; the others' questions join it for good.

        Raises:
            ValidationError: Fewer than two distinct groups.
            NotFound: One of them is no open group.
        """
        ids = sorted(set(group_ids))
        if len(ids) < 2:
            raise ValidationError("请至少选择两组问题再合并")
        with self._transaction() as session:
            actor = self._actor(session, user)
            target, *others = ids
            members = self._open_group(session, target)
            for group_id in others:
                for member in self._open_group(session, group_id):
                    member.merged_into = target
                    members.append(member)
            detail = f"未解答问题组 {'、'.join(map(str, others))} 并入 {target}"
            self._audit(session, actor.username, "unanswered_merge", None, detail)
            return _group_view(sorted(members, key=lambda m: m.id))

    def _open_group(self, session: Session, group_id: int) -> builtins.list[Unanswered]:
        members = next(
            (group for group in self._groups(session, False) if group[0].id == group_id), None
        )
        if members is None:
            raise NotFound(f"没有编号为 {group_id} 的未处理问题组")
        return members

    # -- internals -----------------------------------------------------------------------

    def _begin(
        self, session: Session, user: Actor, action: str, entry_id: int
    ) -> tuple[User, Entry]:
        """The actor and entry of a workflow step, once :data:`TRANSITIONS` allows it.

        Raises:
            PermissionDenied: The actor's role may not take the step, or they wrote the
                latest content and the step may not be taken by its author.
            NotFound: No such entry.
            InvalidTransition: The step does not start from the entry's status.
        """
        step = TRANSITIONS[action]
        actor = self._actor(session, user, step.roles, step.role_verb)
        entry = self._entry(session, entry_id, step.sources, step.status_verb)
        if step.judged_on == "latest":
            self._check_not_own(step, actor, entry.author_id)
        return actor, entry

    @staticmethod
    def _check_not_own(step: Transition, actor: User, author_id: int) -> None:
        """Refuse ``step`` to the author of the content it is judged on, if it says so."""
        if step.not_own and author_id == actor.id:
            raise PermissionDenied(step.not_own)

    def _actor(
        self, session: Session, user: Actor, roles: Sequence[str] = ROLES, doing: str = ""
    ) -> User:
        username = user.username if isinstance(user, User) else user
        found: User | None = session.execute(
            sa.select(User).where(users.c.username == username)
        ).scalar_one_or_none()
        if found is None or not found.active:
            raise PermissionDenied(f"账号 {username} 不存在或已停用")
        if found.role not in roles:
            allowed = "或".join(ROLE_NAMES[role] for role in roles)
            raise PermissionDenied(f"{ROLE_NAMES[found.role]}不能{doing}（需要{allowed}）")
        return found

    def _entry(
        self,
        session: Session,
        entry_id: int,
        statuses: Sequence[str] = STATUSES,
        doing: str = "",
    ) -> Entry:
        entry: Entry | None = session.get(Entry, entry_id)
        if entry is None:
            raise NotFound(f"条目 {entry_id} 不存在")
        if entry.status not in statuses:
            raise InvalidTransition(f"条目当前状态为“{STATUS_NAMES[entry.status]}”，不能{doing}")
        return entry

    def _latest(self, session: Session, entry_id: int) -> EntryVersion:
        latest: EntryVersion = session.execute(
            sa.select(EntryVersion)
            .where(entry_versions.c.entry_id == entry_id)
            .order_by(sa.desc(entry_versions.c.number))
            .limit(1)
        ).scalar_one()
        return latest

    def _version(self, session: Session, entry_id: int, number: int) -> EntryVersion:
        version: EntryVersion | None = session.execute(
            sa.select(EntryVersion).where(
                entry_versions.c.entry_id == entry_id, entry_versions.c.number == number
            )
        ).scalar_one_or_none()
        if version is None:
            raise NotFound(f"条目 {entry_id} 没有第 {number} 版")
        return version

    def _comment(self, comment: str) -> str:
        return multi_line(comment, "意见", COMMENT_MAX)

    def _create(
        self, session: Session, actor: User, content: Content, key: str | None, detail: str
    ) -> Entry:
        """Insert a draft entry and its first version; without a key, ``entry_<id>``."""
        if key is not None:
            self._check_key_free(session, key)
        now = self._now()
        entry = Entry(
            key=key or f"_{uuid.uuid4().hex}",  # a placeholder no valid key can equal
            status="draft",
            author_id=actor.id,
            created_at=now,
            updated_at=now,
        )
        session.add(entry)
        session.flush()
        if key is None:
            entry.key = self._free_key(session, f"entry_{entry.id}")
        self._change(session, entry, actor, "create", "draft", content, actor.id, detail=detail)
        return entry

    def _check_key_free(self, session: Session, key: str) -> None:
        owner = session.execute(sa.select(entries.c.id).where(entries.c.key == key)).scalar()
        if owner is not None:
            raise ValidationError(f"标识 {key} 已被条目 {owner} 使用")

    def _free_key(self, session: Session, key: str) -> str:
        candidate, suffix = key, 1
        while session.execute(sa.select(entries.c.id).where(entries.c.key == candidate)).first():
            suffix += 1
            candidate = f"{key}_{suffix}"
        return candidate

    def _step(
        self,
        session: Session,
        entry: Entry,
        actor: User,
        action: str,
        comment: str = "",
    ) -> EntryVersion:
        """A workflow step: a new version with the latest content, in the step's target status."""
        latest = self._latest(session, entry.id)
        return self._change(
            session,
            entry,
            actor,
            action,
            TRANSITIONS[action].target,
            _content(latest),
            latest.author_id,
            comment=comment,
        )

    def _change(
        self,
        session: Session,
        entry: Entry,
        actor: User,
        action: str,
        status: str,
        content: Content,
        author_id: int,
        *,
        comment: str = "",
        detail: str = "",
        rejected: Mapping[str, object] | None = None,
    ) -> EntryVersion:
        """Record ``content`` as the entry's next version, in ``status``, with an audit row.

        An existing entry is moved on first; its UPDATE only succeeds if the row still has the
        revision read in this transaction (``version_id_col``). If someone changed it
        meanwhile, nothing is saved and :class:`Conflict` carries ``rejected`` back.
        """
        entry_id = entry.id
        previous: int | None = session.execute(
            sa.select(sa.func.max(entry_versions.c.number)).where(
                entry_versions.c.entry_id == entry_id
            )
        ).scalar()
        now = self._now()
        if previous is not None:
            entry.status = status
            entry.updated_at = now
            entry.revision += 1
            try:
                session.flush()
            except StaleDataError:
                raise Conflict(self._current_revision(entry_id), rejected or {}) from None
        number = (previous or 0) + 1
        version = EntryVersion(
            entry_id=entry_id,
            number=number,
            action=action,
            status=status,
            question=content.question,
            paraphrases=list(content.paraphrases),
            answer=content.answer,
            clause_ids=list(content.clause_ids),
            tags=list(content.tags),
            editor_id=actor.id,
            author_id=author_id,
            comment=comment,
            created_at=now,
        )
        session.add(version)
        summary = "；".join(part for part in (f"第 {number} 版", detail, comment) if part)
        session.add(
            AuditLog(
                at=now, username=actor.username, action=action, entry_id=entry_id, detail=summary
            )
        )
        session.flush()
        return version

    def _current_revision(self, entry_id: int) -> int:
        with self._sessions() as session:
            revision: int = session.execute(
                sa.select(entries.c.revision).where(entries.c.id == entry_id)
            ).scalar_one()
            return revision

    def _published_set_changed(self, session: Session) -> None:
        session.execute(sa.update(faq_state).values(revision=faq_state.c.revision + 1))

    def _usernames(self, session: Session) -> dict[int, str]:
        return dict(session.execute(sa.select(users.c.id, users.c.username)).all())

    def _view(self, session: Session, entry: Entry) -> EntryView:
        published = (
            session.get(EntryVersion, entry.published_version_id)
            if entry.published_version_id is not None
            else None
        )
        return self._make_view(
            entry,
            self._latest(session, entry.id),
            self._usernames(session),
            published.number if published is not None else None,
        )

    @staticmethod
    def _make_view(
        entry: Entry, latest: EntryVersion, names: Mapping[int, str], published: int | None
    ) -> EntryView:
        return EntryView(
            id=entry.id,
            key=entry.key,
            status=entry.status,
            revision=entry.revision,
            version=latest.number,
            **_content_fields(latest),
            author=names[entry.author_id],
            reviewer=names[entry.reviewer_id] if entry.reviewer_id is not None else None,
            comment=latest.comment,
            published_version=published,
            created_at=entry.created_at,
            updated_at=entry.updated_at,
            review_by=entry.review_by,
            publish_at=entry.publish_at,
        )

    def _groups(
        self, session: Session, include_handled: bool
    ) -> builtins.list[builtins.list[Unanswered]]:
        query = sa.select(Unanswered)
        if not include_handled:
            query = query.where(sa.not_(unanswered.c.handled))
        rows: builtins.list[Unanswered] = session.execute(query).scalars().all()
        # Questions staff merged into another group are clustered with it, whatever the
        # lexical similarity says.
        merged = [row for row in rows if row.merged_into is not None]
        groups = cluster([row for row in rows if row.merged_into is None])
        if merged:
            home = {member.id: group for group in groups for member in group}
            for row in merged:
                group = home.get(row.merged_into)  # type: ignore[arg-type]
                if group is None:
                    group = [row]
                    groups.append(group)
                    home[row.id] = group
                else:
                    group.append(row)
            for group in groups:
                group.sort(key=lambda member: member.id)
        return groups


def _group_view(members: Sequence[Unanswered]) -> UnansweredGroup:
    texts = wordings(members)
    return UnansweredGroup(
        id=members[0].id,
        text=texts[0],
        count=len(members),
        last_seen=max(member.created_at for member in members),
        examples=tuple(texts[:5]),
        reasons=tuple(dict.fromkeys(member.reason for member in members)),
    )
