"""FAQ benchmark: matching p95 and publish-to-answer latency with 1,000 published entries.

Run with ``make benchmark-faq`` (about two minutes). For SQLite (a temporary file) and the
PostgreSQL server in ``HUKOU_BENCH_POSTGRES`` (default: the local one; a throw-away database is
created and dropped), it publishes 1,000 entries through the real workflow (the 7 entries of
``tests/data/faq_entries.yml`` among 993 generated from the clause titles), then measures what
the action server does on every message — :meth:`bot.faq.service.FaqService.fit`, i.e. the
published-revision query plus the TF-IDF match — and the time from a reviewer's ``publish``
returning to the assistant answering the new entry (revision poll + index rebuild + match).
It also checks that the differently-worded test questions still find their entry among the
1,000. Results go to ``reports/faq-benchmark.md``.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import sqlalchemy as sa  # type: ignore[import-untyped]

from bot.faq.service import FaqService
from bot.faq.store import FaqStore
from bot.paths import ROOT
from bot.policy import load_knowledge
from tests.support.faq import ASKED, NOT_ASKED, SITUATIONS, desk, publish_file

REPORT = ROOT / "reports" / "faq-benchmark.md"
ENTRIES = 1000
TEMPLATES = (
    ("{t}需要满足什么条件？", "{t}有哪些条件", "符合什么条件才能{t}"),
    ("{t}要带哪些材料？", "{t}需要准备什么证件", "办{t}要什么资料"),
    ("{t}到哪个部门办理？", "{t}去哪里办", "{t}找哪个单位"),
    ("{t}多长时间能办好？", "{t}要几天", "{t}办理时限是多久"),
    ("{t}要交费吗？", "{t}收不收费", "{t}需要花钱吗"),
    ("{t}可以在网上办吗？", "{t}能不能网上申请", "{t}有没有线上渠道"),
    ("{t}能请别人代办吗？", "{t}可以委托家属办理吗", "{t}本人不到场行不行"),
    ("{t}被拒绝了怎么办？", "{t}没批下来怎么办", "{t}不予办理可以申诉吗"),
    ("{t}对年龄有要求吗？", "{t}有没有年龄限制", "多大年纪可以{t}"),
    ("{t}需要社保证明吗？", "{t}要不要社保记录", "{t}看不看社保缴纳"),
    ("{t}外地人可以办吗？", "{t}非本地户籍能办吗", "外省人{t}可以吗"),
    ("{t}和以前的规定有什么不同？", "{t}新旧政策区别", "{t}现在有什么变化"),
    ("{t}家属可以一起办吗？", "{t}配偶子女能随迁吗", "{t}能带家人一起吗"),
    ("{t}在乡镇能办吗？", "{t}可以在镇上派出所办吗", "{t}农村派出所受理吗"),
    ("{t}有没有名额限制？", "{t}有指标吗", "{t}限不限人数"),
    ("{t}需要本人到场吗？", "{t}要不要亲自去", "{t}必须本人办理吗"),
    ("{t}办完后多久能拿到户口本？", "{t}户口簿什么时候发", "{t}新户口本几天能拿"),
    ("{t}有什么注意事项？", "{t}要注意什么", "{t}容易出什么问题"),
)


def generated(count: int) -> Iterator[dict[str, object]]:
    """``count`` distinct entries: a question template on each clause's title."""
    kb = load_knowledge()
    clauses = [c for c in kb.clauses.values() if c.title]
    made = 0
    for template in TEMPLATES:
        for clause in clauses:
            if made == count:
                return
            question, *paraphrases = (t.format(t=clause.title) for t in template)
            yield {
                "question": question,
                "paraphrases": paraphrases,
                "answer": f"（基准测试数据）请以【{clause.label}】原文为准。",
                "clause_ids": [clause.id],
                "tags": ["基准测试"],
            }
            made += 1
    raise ValueError(f"only {made} generated entries, {count} asked for")


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile (0–1) of ``values``, nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def timed(call: Callable[[], object]) -> float:
    """Milliseconds ``call`` takes."""
    start = time.perf_counter()
    call()
    return (time.perf_counter() - start) * 1000


def fill(store: FaqStore) -> float:
    """Publish the 7 test entries and 993 generated ones; seconds taken."""
    start = time.perf_counter()
    real = publish_file(store)
    for data in generated(ENTRIES - len(real)):
        entry = store.create("editor", data)
        store.submit("editor", entry.id)
        store.approve("reviewer", entry.id)
        store.publish("reviewer", entry.id)
    return time.perf_counter() - start


def measure(name: str, url: str, rounds: int) -> dict[str, object]:
    """Every figure for one database."""
    store = desk(url)
    fill_seconds = fill(store)
    assert len(store.published()) == ENTRIES
    service = FaqService(load_knowledge().clauses.keys(), url)
    cold = timed(lambda: service.fit("居住证有什么用"))  # first message: builds the index
    messages = [text for text, _ in ASKED] + NOT_ASKED + SITUATIONS
    fit_ms = [timed(lambda m=m: service.fit(m)) for _ in range(rounds) for m in messages]
    found = ranked = 0
    for text, key in ASKED:
        fit = service.fit(text)
        found += fit.answer is not None and fit.answer.key == key
        first = fit.answer or (fit.suggestions[0] if fit.suggestions else None)
        ranked += first is not None and first.key == key
    wrong = sum(service.fit(text).answer is not None for text in NOT_ASKED + SITUATIONS)
    latencies = []
    for number in range(20):
        question = f"第{number}号测试事项的办理窗口在哪里？"
        data = {
            "question": question,
            "answer": "（基准测试数据）",
            "clause_ids": ["3.1.5"],
            "tags": ["基准测试"],
        }
        entry = store.create("editor", data)
        store.submit("editor", entry.id)
        store.approve("reviewer", entry.id)
        started = time.perf_counter()
        store.publish("reviewer", entry.id)
        published = time.perf_counter()
        fit = service.fit(question)
        answered = time.perf_counter()
        assert fit.answer is not None and fit.answer.id == entry.id
        latencies.append(((answered - published) * 1000, (published - started) * 1000))
    archived = store.published()[0]
    store.archive("reviewer", archived.id)
    archive_ms = timed(lambda: service.fit(archived.question))
    still = service.fit(archived.question).answer
    return {
        "name": name,
        "fill": fill_seconds,
        "cold": cold,
        "fit": fit_ms,
        "found": found,
        "ranked": ranked,
        "wrong": wrong,
        "after_publish": [a for a, _ in latencies],
        "publish_call": [p for _, p in latencies],
        "archive": archive_ms,
        "archived_answered": still is not None and still.id == archived.id,
        "messages": len(messages),
    }


@contextmanager
def postgres_database(server: str) -> Iterator[str]:
    """A throw-away database on ``server`` (dropped afterwards)."""
    admin = sa.create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    name = f"hukou_faq_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield f"{server}/{name}"
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def row(result: dict[str, object]) -> str:
    """One Markdown table row."""
    fit = result["fit"]
    after = result["after_publish"]
    publish_call = result["publish_call"]
    assert isinstance(fit, list) and isinstance(after, list) and isinstance(publish_call, list)
    archived = "still answered" if result["archived_answered"] else "gone"
    return (
        f"| {result['name']} | {result['fill']:.1f} s | {result['cold']:.0f} ms "
        f"| {statistics.median(fit):.2f} / {percentile(fit, 0.95):.2f} / {max(fit):.2f} ms "
        f"| {statistics.median(publish_call):.1f} ms "
        f"| {statistics.median(after):.0f} / {percentile(after, 0.95):.0f} / {max(after):.0f} ms "
        f"| {result['archive']:.0f} ms, {archived} "
        f"| {result['ranked']}/{len(ASKED)} | {result['found']}/{len(ASKED)} "
        f"| {result['wrong']}/{len(NOT_ASKED) + len(SITUATIONS)} |"
    )


def main() -> None:
    """Run both databases and write the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20, help="passes over the test messages")
    parser.add_argument(
        "--postgres", default="postgresql+psycopg2://postgres@127.0.0.1:5432", help="server URL"
    )
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        results.append(measure("SQLite", f"sqlite:///{tmp}/faq.sqlite3", args.rounds))
        print(row(results[-1]), flush=True)
    with postgres_database(args.postgres) as url:
        results.append(measure("PostgreSQL", url, args.rounds))
        print(row(results[-1]), flush=True)
    n = results[0]["messages"]
    lines = [
        "# FAQ benchmark: 1,000 published entries",
        "",
        f"Command: `make benchmark-faq` (`python -m benchmarks.faq --rounds {args.rounds}`), "
        f"run {time.strftime('%Y-%m-%d %H:%M')} on this 2-core machine.",
        "",
        f"*Match* is what the action server does for a message: one query for the published "
        f"revision plus the TF-IDF match over 1,000 entries × 3 phrasings ({n} test messages × "
        f"{args.rounds} rounds). *Publish → answer* starts when the reviewer's `publish` returns "
        "and ends when the assistant's next `fit()` answers the new entry (revision poll, index "
        "rebuild, match), over 20 publishes. Of the differently-worded questions of "
        "tests/support/faq.py (the matcher tests' ASKED), *first* counts those whose entry is "
        "the one answered or offered first among the 1,000, *answered* those answered "
        "outright (score ≥ 0.28; the others get “您是想问……吗？”); *wrong* counts unrelated "
        "messages and situation descriptions answered from the FAQ.",
        "",
        "| database | publish 1,000 (4 workflow steps each) | first match (index build) "
        "| match p50 / p95 / max | publish call | publish → answer p50 / p95 / max "
        "| archive → next message | first | answered | wrong |",
        "|---|---|---|---|---|---|---|---|---|---|",
        *[row(result) for result in results],
        "",
    ]
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text("\n".join(lines), encoding="utf-8")
    print(f"written to {REPORT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
