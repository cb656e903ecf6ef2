"""The turn log's store: writing turns (idempotently), feedback, retention, the review queue.

:class:`TurnLog` is what the consumer, the embedded broker, the desk and the later feedback
buttons share. Writing the same turn twice changes nothing (``INSERT … ON CONFLICT DO
NOTHING`` on the turn's id), which is what makes the consumer safe to kill and restart.

Feedback (有用 / 没用, a reason, an optional comment) is attached by turn id
(:meth:`TurnLog.attach_feedback`); the latest feedback on a turn wins. It may arrive before the
turn itself is written (the consumer may lag): the dashboard joins the two when it reads.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine

from bot.faq.errors import NotFound, ValidationError
from bot.faq.models import utcnow
from bot.policy.clock import CHINA
from bot.privacy.masking import mask_pii
from bot.turns.models import (
    LOW_CONFIDENCE,
    OUTCOME_NAMES,
    turn_clauses,
    turn_counts,
    turn_feedback,
    turns,
)
from bot.turns.record import TurnRecord, conversation_id

DEFAULT_RETENTION_DAYS = 180
_TURN_ID = re.compile(r"[0-9a-f]{32}")
REASON_MAX = 32
COMMENT_MAX = 500


def _insert(connection: Connection, table: sa.Table) -> Any:
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def _count_keys(
    outcome: str, intent: str | None, clause_ids: Iterable[str], entry: int | None
) -> list[tuple[str, str]]:
    """The ``turn_counts`` rows a turn counts in: its outcome, intent, clauses and entry."""
    keys = [("outcome", outcome), ("intent", intent or "")]
    keys += [("clause", clause) for clause in clause_ids]
    return keys + ([("entry", str(entry))] if entry is not None else [])


def _add_counts(connection: Connection, counts: dict[tuple[dt.date, str, str], list[int]]) -> None:
    """Add ``[turns, rated, not_useful]`` to each ``(day, kind, key)`` of ``turn_counts``."""
    if not counts:
        return
    statement = _insert(connection, turn_counts)
    added = statement.excluded
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=["day", "kind", "key"],
            set_={
                "n": turn_counts.c.n + added.n,
                "rated": turn_counts.c.rated + added.rated,
                "not_useful": turn_counts.c.not_useful + added.not_useful,
            },
        ),
        [
            {"day": day, "kind": kind, "key": key, "n": n, "rated": r, "not_useful": u}
            for (day, kind, key), (n, r, u) in sorted(counts.items())
        ],
    )


@dataclass(frozen=True)
class TurnView(TurnRecord):
    """A stored turn with its feedback (``useful`` ``None``: none given), as the desk shows it."""

    useful: bool | None = None
    reason: str = ""
    comment: str = ""
    reviewed: bool = False

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, with the outcome's Chinese name."""
        data = dict(vars(self))
        data["at"] = self.at.isoformat()
        data["clause_ids"] = list(self.clause_ids)
        data["outcome_name"] = OUTCOME_NAMES[self.outcome]
        return data


class TurnLog:
    """The turn log on ``engine`` (a database migrated by :func:`bot.faq.db.migrate`)."""

    def __init__(
        self,
        engine: Engine,
        *,
        retention_days: int = DEFAULT_RETENTION_DAYS,
        now: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        """Keep turns ``retention_days`` days (:meth:`purge`); ``now`` is the clock."""
        if retention_days < 1:
            raise ValueError("retention_days must be at least 1")
        self.engine = engine
        self.retention_days = retention_days
        self._now = now

    # -- writing ------------------------------------------------------------------------

    def save(self, records: Iterable[TurnRecord]) -> None:
        """Keep ``records`` in one transaction; turns already kept are left as they are.

        The new turns are added to the daily counts (``turn_counts``) in the same transaction,
        with the verdict of any feedback that came before them. The turn log has one writer
        (the consumer, or the embedded broker): the turns already kept are read first.
        """
        rows = list({r.id: r for r in records}.values())
        if not rows:
            return
        with self.engine.begin() as connection:
            kept = set(
                connection.execute(
                    sa.select(turns.c.id).where(turns.c.id.in_([r.id for r in rows]))
                ).scalars()
            )
            rows = [r for r in rows if r.id not in kept]
            if not rows:
                return
            early: dict[str, bool] = dict(
                connection.execute(
                    sa.select(turn_feedback.c.turn_id, turn_feedback.c.useful).where(
                        turn_feedback.c.turn_id.in_([r.id for r in rows])
                    )
                ).all()
            )
            connection.execute(
                _insert(connection, turns).on_conflict_do_nothing(index_elements=["id"]),
                [
                    {
                        "id": r.id,
                        "conversation": r.conversation,
                        "at": r.at,
                        "day": r.day,
                        "channel": r.channel,
                        "text": r.text,
                        "reply": r.reply,
                        "intent": r.intent,
                        "confidence": r.confidence,
                        "outcome": r.outcome,
                        "faq_entry_id": r.faq_entry_id,
                        "faq_key": r.faq_key,
                        "latency_ms": r.latency_ms,
                        "useful": early.get(r.id),
                    }
                    for r in rows
                ],
            )
            cited = [
                {"turn_id": r.id, "clause_id": clause, "day": r.day}
                for r in rows
                for clause in r.clause_ids
            ]
            if cited:
                connection.execute(
                    _insert(connection, turn_clauses).on_conflict_do_nothing(
                        index_elements=["turn_id", "clause_id"]
                    ),
                    cited,
                )
            counts: dict[tuple[dt.date, str, str], list[int]] = {}
            for r in rows:
                verdict = early.get(r.id)
                for kind, key in _count_keys(r.outcome, r.intent, r.clause_ids, r.faq_entry_id):
                    total = counts.setdefault((r.day, kind, key), [0, 0, 0])
                    total[0] += 1
                    total[1] += verdict is not None
                    total[2] += verdict is False
            _add_counts(connection, counts)

    def attach_feedback(
        self, turn_id: str, useful: bool, reason: str = "", comment: str = ""
    ) -> None:
        """Record a citizen's 有用 (``useful``) or 没用 on a turn; a later call replaces it.

        ``reason`` is a short code or phrase (≤ 32 characters, e.g. ``答非所问``), ``comment``
        free text, masked (:func:`~bot.privacy.masking.mask_pii`) and cut to 500 characters.
        A turn already kept gets the verdict, and its day's counts follow the change.

        Raises:
            ValidationError: ``turn_id`` is not a turn id, or ``reason`` is too long.
        """
        if not _TURN_ID.fullmatch(turn_id):
            raise ValidationError("无效的对话轮次编号")
        reason = " ".join(reason.split())
        if len(reason) > REASON_MAX:
            raise ValidationError(f"原因不能超过 {REASON_MAX} 个字")
        comment = " ".join(mask_pii(comment).split())[:COMMENT_MAX]
        values = {"useful": useful, "reason": reason, "comment": comment, "at": self._now()}
        with self.engine.begin() as connection:
            statement = _insert(connection, turn_feedback).values(turn_id=turn_id, **values)
            connection.execute(
                statement.on_conflict_do_update(index_elements=["turn_id"], set_=values)
            )
            turn = connection.execute(
                sa.select(
                    turns.c.day,
                    turns.c.outcome,
                    turns.c.intent,
                    turns.c.faq_entry_id,
                    turns.c.useful,
                ).where(turns.c.id == turn_id)
            ).one_or_none()
            if turn is None:
                return  # not written yet: save() will take the verdict
            connection.execute(sa.update(turns).where(turns.c.id == turn_id).values(useful=useful))
            rated = int(turn.useful is None)
            not_useful = int(useful is False) - int(turn.useful is False)
            if rated or not_useful:
                clauses = connection.execute(
                    sa.select(turn_clauses.c.clause_id).where(turn_clauses.c.turn_id == turn_id)
                ).scalars()
                keys = _count_keys(turn.outcome, turn.intent, list(clauses), turn.faq_entry_id)
                _add_counts(connection, {(turn.day, k, v): [0, rated, not_useful] for k, v in keys})

    def latest_turn(self, sender_id: str) -> str | None:
        """The id of the sender's most recent turn that is already kept, if any."""
        query = (
            sa.select(turns.c.id)
            .where(turns.c.conversation == conversation_id(sender_id))
            .order_by(sa.desc(turns.c.at))
            .limit(1)
        )
        with self.engine.connect() as connection:
            found: str | None = connection.execute(query).scalar()
            return found

    def purge(self) -> int:
        """Delete turns (and their clauses and feedback) older than the retention period.

        Returns the number of turns deleted. Whole days count: on day D (China time) turns of
        day D − ``retention_days`` and earlier go.
        """
        now = self._now()
        cutoff_day = now.astimezone(CHINA).date() - dt.timedelta(days=self.retention_days)
        cutoff = now - dt.timedelta(days=self.retention_days)
        with self.engine.begin() as connection:
            connection.execute(sa.delete(turn_clauses).where(turn_clauses.c.day <= cutoff_day))
            connection.execute(sa.delete(turn_counts).where(turn_counts.c.day <= cutoff_day))
            connection.execute(sa.delete(turn_feedback).where(turn_feedback.c.at < cutoff))
            deleted: int = connection.execute(
                sa.delete(turns).where(turns.c.day <= cutoff_day)
            ).rowcount
        return deleted

    # -- reading ------------------------------------------------------------------------

    def _views(self, connection: Connection, query: sa.sql.Select) -> list[TurnView]:
        rows = connection.execute(query).mappings().all()
        ids = [row["id"] for row in rows]
        cited: dict[str, list[str]] = {}
        if ids:
            for tid, clause in connection.execute(
                sa.select(turn_clauses.c.turn_id, turn_clauses.c.clause_id)
                .where(turn_clauses.c.turn_id.in_(ids))
                .order_by(turn_clauses.c.clause_id)
            ):
                cited.setdefault(tid, []).append(clause)
        return [
            TurnView(
                id=row["id"],
                conversation=row["conversation"],
                at=row["at"],
                channel=row["channel"],
                text=row["text"],
                reply=row["reply"],
                intent=row["intent"],
                confidence=row["confidence"],
                outcome=row["outcome"],
                clause_ids=tuple(cited.get(row["id"], ())),
                faq_entry_id=row["faq_entry_id"],
                faq_key=row["faq_key"],
                latency_ms=row["latency_ms"],
                useful=row["useful"],
                reason=row["reason"] or "",
                comment=row["comment"] or "",
                reviewed=row["reviewed_at"] is not None,
            )
            for row in rows
        ]

    @staticmethod
    def _select() -> sa.sql.Select:
        return sa.select(
            turns,
            turn_feedback.c.reason,
            turn_feedback.c.comment,
        ).select_from(turns.outerjoin(turn_feedback, turn_feedback.c.turn_id == turns.c.id))

    def get(self, turn_id: str) -> TurnView:
        """One turn.

        Raises:
            NotFound: No such turn (or it was purged).
        """
        with self.engine.connect() as connection:
            found = self._views(connection, self._select().where(turns.c.id == turn_id))
        if not found:
            raise NotFound("没有这条对话记录（可能已超过保存期限）")
        return found[0]

    def conversation(self, turn_id: str) -> list[TurnView]:
        """Every kept turn of the conversation ``turn_id`` belongs to, oldest first."""
        turn = self.get(turn_id)
        query = self._select().where(turns.c.conversation == turn.conversation).order_by(turns.c.at)
        with self.engine.connect() as connection:
            return self._views(connection, query)

    def review_queue(self, limit: int = 50, offset: int = 0) -> tuple[int, list[TurnView]]:
        """The 复核 list: answers marked 没用, and answers given with low confidence.

        Returns the number of turns waiting and the newest ``limit`` of them (after ``offset``);
        a turn leaves the list once :meth:`mark_reviewed`. The condition is the one of the
        partial index ``ix_turns_review`` (:data:`~bot.turns.models.REVIEW_WHERE`), so that
        the database answers from it.
        """
        low = sa.and_(turns.c.outcome == "answered", turns.c.confidence < LOW_CONFIDENCE)
        flagged = sa.or_(turns.c.useful == sa.false(), low)
        condition = sa.and_(turns.c.reviewed_at.is_(None), flagged)
        with self.engine.connect() as connection:
            total: int = connection.execute(
                sa.select(sa.func.count()).select_from(turns).where(condition)
            ).scalar_one()
            query = (
                self._select()
                .where(condition)
                .order_by(sa.desc(turns.c.at))
                .limit(limit)
                .offset(offset)
            )
            return total, self._views(connection, query)

    def mark_reviewed(self, turn_ids: Sequence[str]) -> None:
        """Take turns off the 复核 list (looked at, or turned into a draft)."""
        with self.engine.begin() as connection:
            connection.execute(
                sa.update(turns)
                .where(turns.c.id.in_(list(turn_ids)), turns.c.reviewed_at.is_(None))
                .values(reviewed_at=self._now())
            )
