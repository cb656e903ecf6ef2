"""The desk's dashboard: what citizens asked, how it was answered, what they thought of it.

Every figure is counted over a date range (calendar days in China, both ends included) from
the turn log, with queries that the indexes of :mod:`bot.turns.models` answer: a million turns
in PostgreSQL take well under 200 ms per query (``benchmarks/dashboard.py``,
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
from bot.turns.models import OUTCOME_NAMES, OUTCOMES, turn_clauses, turns

TOPICS_FILE = Path(__file__).with_name("topics.yml")
MAX_DAYS = 366
"""The longest range one request may count (the retention is 180 days by default)."""
UNKNOWN_TOPIC = "未识别"

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


def _feedback_counts(useful: Any, count: Any) -> list[Any]:
    """Answers with feedback, those marked 没用, and ``count``: from the copied verdict."""
    return [
        sa.func.count(useful).label("rated"),
        sa.func.sum(sa.case((useful == sa.false(), 1), else_=0)).label("not_useful"),
        count,
    ]


class Dashboard:
    """The dashboard's figures, read from the turn log on ``engine``."""

    def __init__(self, engine: Engine, clause_names: Mapping[str, tuple[str, str]]) -> None:
        """Count on ``engine``; ``clause_names`` maps a clause id to its (label, title)."""
        self.engine = engine
        self.clause_names = clause_names

    def daily(self, period: Period) -> list[dict[str, Any]]:
        """Questions per day, split by outcome (days without questions are left out)."""
        query = (
            sa.select(turns.c.day, turns.c.outcome, sa.func.count())
            .where(turns.c.day.between(period.start, period.end))
            .group_by(turns.c.day, turns.c.outcome)
        )
        days: dict[dt.date, dict[str, Any]] = {}
        with self.engine.connect() as connection:
            for day, outcome, n in connection.execute(query):
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
        count = sa.func.count().label("n")
        query = (
            sa.select(turns.c.intent, count)
            .where(turns.c.day.between(period.start, period.end))
            .group_by(turns.c.intent)
            .order_by(sa.desc(count), turns.c.intent)
        )
        names = topic_names()
        with self.engine.connect() as connection:
            return [
                {
                    "intent": intent or "",
                    "topic": names.get(intent, intent) if intent else UNKNOWN_TOPIC,
                    "questions": n,
                }
                for intent, n in connection.execute(query)
            ]

    def clauses(self, period: Period) -> list[dict[str, Any]]:
        """Answers citing each clause, with their 没用 rate, most cited first."""
        count = sa.func.count().label("n")
        query = (
            sa.select(turn_clauses.c.clause_id, *_feedback_counts(turn_clauses.c.useful, count))
            .where(turn_clauses.c.day.between(period.start, period.end))
            .group_by(turn_clauses.c.clause_id)
            .order_by(sa.desc(count), turn_clauses.c.clause_id)
        )
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        result = []
        for clause_id, rated, not_useful, n in rows:
            label, title = self.clause_names.get(clause_id, (clause_id, ""))
            result.append(
                {
                    "clause_id": clause_id,
                    "label": label,
                    "title": title,
                    "answers": n,
                    "rated": rated,
                    "not_useful": int(not_useful or 0),
                    "not_useful_rate": _rate(int(not_useful or 0), rated),
                }
            )
        return result

    def entries(self, period: Period) -> list[dict[str, Any]]:
        """Answers given by each FAQ entry (its hits), with their 没用 rate, most first."""
        count = sa.func.count().label("n")
        # Only columns of the partial index (day, entry, verdict): no visit to the table.
        query = (
            sa.select(turns.c.faq_entry_id, *_feedback_counts(turns.c.useful, count))
            .where(turns.c.day.between(period.start, period.end), turns.c.faq_entry_id.isnot(None))
            .group_by(turns.c.faq_entry_id)
            .order_by(sa.desc(count), turns.c.faq_entry_id)
        )
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
            ids = [row[0] for row in rows]
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
        for entry_id, rated, not_useful, n in rows:
            key, question = named.get(entry_id, ("", None))
            result.append(
                {
                    "entry_id": entry_id,
                    "key": key,
                    "question": question or "（已下线）",
                    "answers": n,
                    "rated": rated,
                    "not_useful": int(not_useful or 0),
                    "not_useful_rate": _rate(int(not_useful or 0), rated),
                }
            )
        return result

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
