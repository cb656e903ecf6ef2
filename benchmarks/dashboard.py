"""Dashboard benchmark: every dashboard query's p50/p95 with 1,000,000 turns in PostgreSQL.

The dashboard sums the turn log's daily counts (``turn_counts``, see :mod:`bot.turns.models`);
the first version counted the turns themselves and took up to 1 s per query here.

Run with ``make benchmark-dashboard`` (about two minutes). A throw-away database on the
PostgreSQL server in ``HUKOU_BENCH_POSTGRES`` (default: the local one) is migrated, then filled
in SQL (``generate_series``: no row crosses the wire) with 1,000,000 turns spread over the 180
days the turn log keeps by default, ≈ 1.5 clauses cited per answer, an FAQ entry on one turn in
eight and feedback on one in twenty. Each query of :class:`bot.turns.dashboard.Dashboard`
(and the 复核 list of :class:`bot.turns.store.TurnLog`) then runs ``--runs`` times for the
default range (the last 30 days) and for the whole 180 days. The database is dropped at the end.
Results go to ``reports/dashboard-benchmark.md``; the target is p95 under 200 ms.

Also measured: the consumer's write path, :meth:`TurnLog.save` of batches of 100 records built
by :func:`bot.turns.record.build_turn` from Rasa-shaped events (turns per second).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import time
import uuid
from collections.abc import Callable

import sqlalchemy as sa

from bot.faq.db import make_engine, migrate
from bot.paths import ROOT
from bot.policy import load_knowledge
from bot.turns.dashboard import Dashboard, Period
from bot.turns.record import CHINA, build_turn
from bot.turns.store import TurnLog
from tests.support.turns import answered, turn_events

REPORT = ROOT / "reports" / "dashboard-benchmark.md"
TURNS = 1_000_000
DAYS = 180
TARGET_MS = 200.0

FILL = """
INSERT INTO turns (id, conversation, at, day, channel, text, reply, intent, confidence,
                   outcome, faq_entry_id, faq_key, latency_ms)
SELECT md5(n::text), md5((n / 3)::text)::varchar(32), t, (t AT TIME ZONE 'Asia/Shanghai')::date,
       'rest', '第' || n || '个问题', '答复', (ARRAY[{intents}])[1 + n % {n_intents}],
       0.3 + (n % 70) / 100.0,
       (ARRAY['answered','answered','answered','asked_more','fallback','out_of_scope'])[1 + n % 6],
       CASE WHEN n % 8 = 0 THEN 1 + n % 40 END,
       CASE WHEN n % 8 = 0 THEN 'entry_' || (1 + n % 40) END,
       80 + n % 400
FROM (SELECT n, now() - make_interval(secs => (n::float8 / :turns) * :days * 86400) AS t
      FROM generate_series(1, :turns) AS n) AS g
"""
CLAUSES = """
INSERT INTO turn_clauses (turn_id, clause_id, day)
SELECT id, (ARRAY[{clauses}])[1 + (abs(hashtext(id)) + k) % {n_clauses}], day
FROM turns, generate_series(0, 1) AS k
WHERE outcome = 'answered' AND (k = 0 OR abs(hashtext(id)) % 2 = 0)
ON CONFLICT DO NOTHING
"""
FEEDBACK = """
INSERT INTO turn_feedback (turn_id, useful, reason, comment, at)
SELECT id, abs(hashtext(id)) % 4 <> 0, '', '', at FROM turns WHERE abs(hashtext(id)) % 20 = 0
"""
VERDICTS = """
UPDATE turns SET useful = f.useful FROM turn_feedback AS f WHERE f.turn_id = turns.id
"""
# The daily counts as TurnLog.save and attach_feedback keep them (tests/turns/test_store.py
# checks that they equal these sums), computed here in one pass per kind.
COUNTS = """
INSERT INTO turn_counts (day, kind, key, n, rated, not_useful)
SELECT t.day, '{kind}', {key}, count(*), count(t.useful), count(*) FILTER (WHERE NOT t.useful)
FROM {source} GROUP BY t.day, {key}
"""
COUNT_SOURCES = {
    "outcome": ("t.outcome", "turns AS t"),
    "intent": ("coalesce(t.intent, '')", "turns AS t"),
    "entry": ("t.faq_entry_id::text", "turns AS t WHERE t.faq_entry_id IS NOT NULL"),
    "clause": ("c.clause_id", "turn_clauses AS c JOIN turns AS t ON t.id = c.turn_id"),
}


def _quoted(values: list[str]) -> str:
    return ",".join("'" + v.replace("'", "''") + "'" for v in values)


def fill(engine: sa.engine.Engine, turns: int) -> float:
    """Fill the turn log in SQL; returns the seconds it took."""
    kb = load_knowledge()
    intents = ["ask_newborn", "want_settle_urban", "ask_residence_permit", "ask_land_rights",
               "out_of_scope", "nlu_fallback", "ask_documents", "ask_where_to_apply"]  # fmt: skip
    clauses = [cid for cid in kb.clauses if cid.count(".") >= 1][:30]
    started = time.perf_counter()
    with engine.begin() as connection:
        connection.execute(
            sa.text(FILL.format(intents=_quoted(intents), n_intents=len(intents))),
            {"turns": turns, "days": DAYS},
        )
        connection.execute(
            sa.text(CLAUSES.format(clauses=_quoted(clauses), n_clauses=len(clauses)))
        )
        connection.execute(sa.text(FEEDBACK))
        connection.execute(sa.text(VERDICTS))
        for kind, (key, source) in COUNT_SOURCES.items():
            connection.execute(sa.text(COUNTS.format(kind=kind, key=key, source=source)))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM ANALYZE")
    return time.perf_counter() - started


def timed(run: Callable[[], object], runs: int) -> tuple[float, float]:
    """p50 and p95 in milliseconds over ``runs`` calls (after one warm-up call)."""
    run()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(0.95 * len(samples)))]


def write_rate(engine: sa.engine.Engine, batches: int = 20) -> float:
    """Turns per second through build_turn + TurnLog.save, in batches of 100."""
    turn_log = TurnLog(engine)
    now = time.time()
    events = [
        turn_events(f"bench-{b}-{i}", "m", "新生儿怎么上户口", at=now, payload=answered(("4.1",)))
        for b in range(batches)
        for i in range(100)
    ]
    started = time.perf_counter()
    for b in range(batches):
        records = [build_turn(e) for e in events[b * 100 : (b + 1) * 100]]
        turn_log.save(r for r in records if r is not None)
    return batches * 100 / (time.perf_counter() - started)


def main() -> None:
    """Fill, measure, report, drop."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--turns", type=int, default=TURNS)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    server = os.environ.get("HUKOU_BENCH_POSTGRES", "postgresql+psycopg2://postgres@127.0.0.1:5432")
    name = f"hukou_dashboard_bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine = make_engine(f"{server}/{name}")
    try:
        migrate(engine)
        seconds = fill(engine, args.turns)
        kb = load_knowledge()
        dashboard = Dashboard(engine, {c: (k.label, k.title) for c, k in kb.clauses.items()})
        turn_log = TurnLog(engine)
        today = dt.datetime.now(CHINA).date()
        periods = {
            "30 天（默认）": Period(today - dt.timedelta(days=29), today),
            f"{DAYS} 天（全部）": Period(today - dt.timedelta(days=DAYS - 1), today),
        }
        rows = []
        for label, period in periods.items():
            queries: dict[str, Callable[[], object]] = {
                "daily (per day × outcome; weeks and shares follow)": lambda p=period: (
                    dashboard.daily(p)
                ),
                "topics": lambda p=period: dashboard.topics(p),
                "clauses (with 没用 rate)": lambda p=period: dashboard.clauses(p),
                "entries (with 没用 rate)": lambda p=period: dashboard.entries(p),
                "summary (all of the above)": lambda p=period: dashboard.summary(p),
            }
            for query, run in queries.items():
                p50, p95 = timed(run, args.runs)
                rows.append((label, query, p50, p95))
        p50, p95 = timed(lambda: turn_log.review_queue(), args.runs)
        rows.append(("—", "复核 list (first page and count)", p50, p95))
        with engine.connect() as connection:
            counts = {
                table: connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar()
                for table in ("turns", "turn_clauses", "turn_feedback", "turn_counts")
            }
            version = connection.execute(sa.text("SHOW server_version")).scalar()
        rate = write_rate(engine)
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()
    single = [row for row in rows if not row[1].startswith("summary")]
    worst = max(row[3] for row in single)
    lines = [
        "# Dashboard benchmark (make benchmark-dashboard)",
        "",
        f"PostgreSQL {version}, 2 CPUs shared; {counts['turns']:,} turns over {DAYS} days, "
        f"{counts['turn_clauses']:,} clause citations, {counts['turn_feedback']:,} feedback rows, "
        f"{counts['turn_counts']:,} daily-count rows "
        f"(filled in SQL in {seconds:.0f} s); {args.runs} runs per query after one warm-up; "
        f"run {dt.datetime.now(CHINA):%Y-%m-%d %H:%M} (UTC+8). See the docstring of "
        "benchmarks/dashboard.py.",
        "",
        "| range | query | p50 ms | p95 ms |",
        "|---|---|---|---|",
        *(f"| {r} | {q} | {a:.1f} | {b:.1f} |" for r, q, a, b in rows),
        "",
        f"Slowest single query p95: {worst:.1f} ms (target: under {TARGET_MS:.0f} ms) — "
        + ("met." if worst < TARGET_MS else "NOT met."),
        "",
        f"Write path (build_turn + TurnLog.save in batches of 100, as the consumer writes): "
        f"{rate:,.0f} turns/s.",
        "",
    ]
    REPORT.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
