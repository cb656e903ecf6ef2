"""The desk's dashboard: what citizens asked, how it was answered, what they thought of it.

Every figure is summed over a date range (calendar days in China, both ends included) from
the turn log's daily counts (``turn_counts``, kept by :class:`bot.turns.store.TurnLog` as it
writes turns and feedback; :mod:`bot.turns.models` says why): with a million turns in
PostgreSQL each query takes milliseconds (``benchmarks/dashboard.py``,
``reports/dashboard-benchmark.md``). Weeks are added up from the days (ISO weeks, Monday
first) rather than asked of the database, so SQLite and PostgreSQL count them alike.

没用 rates are the share of 没用 among the answers that got feedback at all (有用 + 没用):
most citizens give none, and counting those as 有用 would flatter every entry.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import yaml
from sqlalchemy.engine import Engine

from bot.faq.errors import ValidationError
from bot.faq.models import entries, entry_versions
from bot.policy.clock import CHINA
from bot.turns.models import OUTCOME_NAMES, OUTCOMES, turn_counts

TOPICS_FILE = Path(__file__).with_name("topics.yml")
MAX_DAYS = 366
"""The longest range one request may count (the retention is 180 days by default)."""
UNKNOWN_TOPIC = "未识别"
EFFECT_DAYS = 14
"""A publish is judged on the 14 days before its day and the 14 days from it."""

TABLES: dict[str, tuple[tuple[str, str], ...]] = {
    "daily": (("day", "日期"), ("questions", "提问数"), *((o, OUTCOME_NAMES[o]) for o in OUTCOMES)),
    "weekly": (("week", "周（周一）"), ("questions", "提问数")),
    "outcomes": (("outcome_name", "结果"), ("questions", "提问数"), ("share", "占比")),
    "topics": (("topic", "主题"), ("intent", "意图"), ("questions", "提问数")),
    "clauses": (
        ("label", "条款"),
        ("title", "标题"),
        ("answers", "引用次数"),
        ("rated", "评价数"),
        ("not_useful", "没用"),
        ("not_useful_rate", "没用率"),
    ),
    "entries": (
        ("key", "条目标识"),
        ("question", "问题"),
        ("answers", "命中次数"),
        ("rated", "评价数"),
        ("not_useful", "没用"),
        ("not_useful_rate", "没用率"),
    ),
    "publishes": (
        ("published", "发布日期"),
        ("key", "条目标识"),
        ("question", "问题"),
        ("hits_before", "发布前命中"),
        ("hits_after", "发布后命中"),
        ("fallback_before", "发布前未理解占比"),
        ("fallback_after", "发布后未理解占比"),
    ),
}
"""Each table of the dashboard: its columns and their Chinese headings (the CSV header)."""


@lru_cache(maxsize=1)
def topic_names() -> dict[str, str]:
    """Intent → the topic's Chinese name (``topics.yml``)."""
    data: dict[str, str] = yaml.safe_load(TOPICS_FILE.read_text(encoding="utf-8"))
    return data


@dataclass(frozen=True)
class Period:
    """A range of days, both ends included."""

    start: dt.date
    end: dt.date

    @classmethod
    def parse(cls, start: str | None, end: str | None, today: dt.date) -> Period:
        """The range from ``YYYY-MM-DD`` strings; by default the 30 days up to ``today``.

        Raises:
            ValidationError: A malformed date, an end before the start, or over a year.
        """
        try:
            last = dt.date.fromisoformat(end) if end else today
            first = dt.date.fromisoformat(start) if start else last - dt.timedelta(days=29)
        except ValueError:
            raise ValidationError("日期格式应为 年-月-日，例如 2026-03-01") from None
        if first > last:
            raise ValidationError("开始日期不能晚于结束日期")
        if (last - first).days >= MAX_DAYS:
            raise ValidationError(f"一次最多统计 {MAX_DAYS} 天")
        return cls(first, last)


def _rate(not_useful: int, rated: int) -> float | None:
    return round(not_useful / rated, 4) if rated else None


class Dashboard:
    """The dashboard's figures, summed from the turn log's daily counts on ``engine``."""

    def __init__(self, engine: Engine, clause_names: Mapping[str, tuple[str, str]]) -> None:
        """Count on ``engine``; ``clause_names`` maps a clause id to its (label, title)."""
        self.engine = engine
        self.clause_names = clause_names

    def _totals(self, period: Period, kind: str) -> list[tuple[str, int, int, int]]:
        """``(key, turns, rated, not_useful)`` of one kind over the period, most turns first."""
        n = sa.func.sum(turn_counts.c.n).label("n")
        query = (
            sa.select(
                turn_counts.c.key,
                n,
                sa.func.sum(turn_counts.c.rated),
                sa.func.sum(turn_counts.c.not_useful),
            )
            .where(turn_counts.c.kind == kind, turn_counts.c.day.between(period.start, period.end))
            .group_by(turn_counts.c.key)
            .order_by(sa.desc(n), turn_counts.c.key)
        )
        with self.engine.connect() as connection:
            return [
                (key, int(total), int(rated), int(bad))
                for key, total, rated, bad in connection.execute(query)
                if total
            ]

    def daily(self, period: Period) -> list[dict[str, Any]]:
        """Questions per day, split by outcome (days without questions are left out)."""
        query = sa.select(turn_counts.c.day, turn_counts.c.key, turn_counts.c.n).where(
            turn_counts.c.kind == "outcome", turn_counts.c.day.between(period.start, period.end)
        )
        days: dict[dt.date, dict[str, Any]] = {}
        with self.engine.connect() as connection:
            for day, outcome, n in connection.execute(query):
                if not n or outcome not in OUTCOMES:
                    continue
                row = days.setdefault(
                    day, {"day": day.isoformat(), "questions": 0, **dict.fromkeys(OUTCOMES, 0)}
                )
                row[outcome] += n
                row["questions"] += n
        return [days[day] for day in sorted(days)]

    @staticmethod
    def weekly(daily: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The days added up by ISO week, each named by its Monday."""
        weeks: dict[str, int] = {}
        for row in daily:
            day = dt.date.fromisoformat(row["day"])
            monday = (day - dt.timedelta(days=day.weekday())).isoformat()
            weeks[monday] = weeks.get(monday, 0) + row["questions"]
        return [{"week": week, "questions": n} for week, n in sorted(weeks.items())]

    @staticmethod
    def outcomes(daily: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Each outcome's questions and share of all questions in the range."""
        total = sum(row["questions"] for row in daily)
        rows = []
        for outcome in OUTCOMES:
            n = sum(row[outcome] for row in daily)
            rows.append(
                {
                    "outcome": outcome,
                    "outcome_name": OUTCOME_NAMES[outcome],
                    "questions": n,
                    "share": round(n / total, 4) if total else 0.0,
                }
            )
        return rows

    def topics(self, period: Period) -> list[dict[str, Any]]:
        """Questions per topic (the intent Rasa found), most asked first."""
        names = topic_names()
        return [
            {
                "intent": intent,
                "topic": names.get(intent, intent) if intent else UNKNOWN_TOPIC,
                "questions": n,
            }
            for intent, n, _, _ in self._totals(period, "intent")
        ]

    def clauses(self, period: Period) -> list[dict[str, Any]]:
        """Answers citing each clause, with their 没用 rate, most cited first."""
        result = []
        for clause_id, n, rated, not_useful in self._totals(period, "clause"):
            label, title = self.clause_names.get(clause_id, (clause_id, ""))
            result.append(
                {
                    "clause_id": clause_id,
                    "label": label,
                    "title": title,
                    "answers": n,
                    "rated": rated,
                    "not_useful": not_useful,
                    "not_useful_rate": _rate(not_useful, rated),
                }
            )
        return result

    def entries(self, period: Period) -> list[dict[str, Any]]:
        """Answers given by each FAQ entry (its hits), with their 没用 rate, most first."""
        totals = self._totals(period, "entry")
        ids = [int(key) for key, _, _, _ in totals]
        named: dict[int, tuple[str, str | None]] = {}
        if ids:
            with self.engine.connect() as connection:
                found = connection.execute(
                    sa.select(entries.c.id, entries.c.key, entry_versions.c.question)
                    .select_from(
                        entries.outerjoin(
                            entry_versions, entry_versions.c.id == entries.c.published_version_id
                        )
                    )
                    .where(entries.c.id.in_(ids))
                ).all()
            named = {entry_id: (key, question) for entry_id, key, question in found}
        result = []
        for key, n, rated, not_useful in totals:
            entry_key, question = named.get(int(key), ("", None))
            result.append(
                {
                    "entry_id": int(key),
                    "key": entry_key,
                    "question": question or "（已下线）",
                    "answers": n,
                    "rated": rated,
                    "not_useful": not_useful,
                    "not_useful_rate": _rate(not_useful, rated),
                }
            )
        return result

    def entry_usage(self, entry_id: int) -> dict[str, int]:
        """How often the entry answered citizens (turns kept) and was marked 没用."""
        query = sa.select(
            sa.func.coalesce(sa.func.sum(turn_counts.c.n), 0),
            sa.func.coalesce(sa.func.sum(turn_counts.c.not_useful), 0),
        ).where(turn_counts.c.kind == "entry", turn_counts.c.key == str(entry_id))
        with self.engine.connect() as connection:
            answered, not_useful = connection.execute(query).one()
        return {"answered": int(answered), "not_useful": int(not_useful)}

    def publishes(self, period: Period) -> list[dict[str, Any]]:
        """The effect of each publish in the period: before and after, 14 days each.

        For every entry published (or restored) in the period: how often it answered citizens
        in the 14 days before its publication day and in the 14 days from it, and the share of
        questions the assistant did not understand (未理解) in the same two windows. Days after
        today count as nothing yet, so a recent publish shows a partial "after".
        """
        query = (
            sa.select(
                entries.c.id, entries.c.key, entry_versions.c.question, entry_versions.c.created_at
            )
            .select_from(entry_versions.join(entries, entries.c.id == entry_versions.c.entry_id))
            .where(
                entry_versions.c.action.in_(("publish", "restore")),
                entry_versions.c.created_at >= dt.datetime.combine(period.start, dt.time(), CHINA),
                entry_versions.c.created_at
                < dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time(), CHINA),
            )
            .order_by(entry_versions.c.created_at)
        )
        with self.engine.connect() as connection:
            found = connection.execute(query).all()
        rows = []
        for entry_id, key, question, at in found:
            day = at.astimezone(CHINA).date()
            before = Period(day - dt.timedelta(days=EFFECT_DAYS), day - dt.timedelta(days=1))
            after = Period(day, day + dt.timedelta(days=EFFECT_DAYS - 1))
            rows.append(
                {
                    "entry_id": entry_id,
                    "key": key,
                    "question": question,
                    "published": day.isoformat(),
                    "hits_before": self._hits(before, str(entry_id)),
                    "hits_after": self._hits(after, str(entry_id)),
                    "fallback_before": self._fallback_share(before),
                    "fallback_after": self._fallback_share(after),
                }
            )
        return rows

    def _hits(self, period: Period, entry: str) -> int:
        return next((n for key, n, _, _ in self._totals(period, "entry") if key == entry), 0)

    def _fallback_share(self, period: Period) -> float | None:
        outcomes = {key: n for key, n, _, _ in self._totals(period, "outcome")}
        total = sum(outcomes.values())
        return round(outcomes.get("fallback", 0) / total, 4) if total else None

    def summary(self, period: Period) -> dict[str, Any]:
        """Every table of the dashboard for ``period``."""
        daily = self.daily(period)
        return {
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
            "questions": sum(row["questions"] for row in daily),
            "daily": daily,
            "weekly": self.weekly(daily),
            "outcomes": self.outcomes(daily),
            "topics": self.topics(period),
            "clauses": self.clauses(period),
            "entries": self.entries(period),
            "publishes": self.publishes(period),
        }

    def table(self, name: str, period: Period) -> list[dict[str, Any]]:
        """One table of :meth:`summary` by name (:data:`TABLES`)."""
        if name not in TABLES:
            raise ValidationError(f"没有名为 {name} 的统计表")
        if name in ("daily", "weekly", "outcomes"):
            daily = self.daily(period)
            rows: list[dict[str, Any]] = daily if name == "daily" else getattr(self, name)(daily)
            return rows
        found: list[dict[str, Any]] = getattr(self, name)(period)
        return found


def to_csv(name: str, rows: list[dict[str, Any]]) -> str:
    """A table as CSV with Chinese headings, BOM first so that Excel reads it as UTF-8."""
    columns = TABLES[name]
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([heading for _, heading in columns])
    for row in rows:
        writer.writerow(["" if row.get(key) is None else _cell(row[key]) for key, _ in columns])
    return out.getvalue()


def _cell(value: Any) -> str:
    text = str(value)
    # A cell starting with = + - @ would run as a formula in Excel (CSV injection).
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
