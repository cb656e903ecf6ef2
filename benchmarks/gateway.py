"""The web gateway against Rasa's own REST webhook, and the staff endpoints, in one run.

Starts the whole stack (Rasa, actions, gateway) on loopback and measures, at 1, 8 and 32
concurrent clients: ``POST /api/chat`` vs Rasa's ``/webhooks/rest/webhook`` with the same
messages (each request a new conversation that runs the custom action), ``POST /api/lookup``
(one applicant, and a caller speaking for three), and ``GET /api/search``. Bounded: a fixed
number of requests per level with timeouts. Writes ``reports/gateway-benchmark.json`` and
``.md``. Run: ``make benchmark-gateway``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
import uuid
from typing import Any

import aiohttp

from benchmarks.assistant import MESSAGES, summary
from bot.paths import ROOT
from bot.stack.processes import Stack

QUERIES = ["宅基地", "租房落户", "居住证 中考", "退伍回村", "没有准生证", "离婚后迁回原籍"]
LOOKUPS = [
    "我在醴陵城里租了房子想把户口迁过来，没交社保",
    "老公是城区户口，我们一直住一起，想投靠他",
    "退伍回来了想把户口迁回村里",
]
LIMIT_OFF = {"HUKOU_RATE_LIMIT_PER_MINUTE": "0"}  # measuring throughput, not the limiter


async def measure(kind: str, base: str, concurrency: int, total: int) -> dict[str, Any]:
    """Send ``total`` requests of one kind over ``concurrency`` workers.

    Returns the raw latencies (s), the error count and the wall time, to be merged over rounds.
    """
    latencies: list[float] = []
    errors = 0
    counter = iter(range(total))
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(timeout=timeout) as session:

        async def one(i: int) -> bool:
            if kind == "search":
                url = f"{base}/api/search"
                async with session.get(url, params={"q": QUERIES[i % len(QUERIES)]}) as r:
                    return r.status == 200 and bool((await r.json())["hits"])
            if kind == "lookup":
                body = {"text": LOOKUPS[i % len(LOOKUPS)]}
                async with session.post(f"{base}/api/lookup", json=body) as r:
                    return r.status == 200 and bool((await r.json())["clauses"])
            if kind == "household":
                body = {"text": HOUSEHOLDS[i % len(HOUSEHOLDS)]}
                async with session.post(f"{base}/api/lookup", json=body) as r:
                    return r.status == 200 and len((await r.json())["applicants"]) == 3
            sender = f"gw-{uuid.uuid4().hex[:10]}"
            text = MESSAGES[i % len(MESSAGES)]
            if kind == "rasa":
                url, body = f"{base}/webhooks/rest/webhook", {"sender": sender, "message": text}
                async with session.post(url, json=body) as r:
                    data = await r.json()
                    return r.status == 200 and any(m.get("custom") for m in data)
            async with session.post(
                f"{base}/api/chat", json={"sender": sender, "message": text}
            ) as r:
                data = await r.json()
                return r.status == 200 and any(m.get("custom") for m in data["messages"])

        async def worker() -> None:
            nonlocal errors
            for i in counter:
                start = time.perf_counter()
                try:
                    ok = await one(i)
                except (aiohttp.ClientError, asyncio.TimeoutError, KeyError):
                    ok = False
                if ok:
                    latencies.append(time.perf_counter() - start)
                else:
                    errors += 1

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        wall = time.perf_counter() - start
    return {"latencies": latencies, "errors": errors, "wall": wall}


HOUSEHOLDS = [
    "我是醴陵城区户口，我老婆是外县的，孩子3岁，我妈在乡下农村，想把她们的户口都迁到我这里来",
    "来电人户口在城区，妻子户口在攸县，儿子5岁，母亲户口在醴陵农村，想都迁到来电人户口上",
]
"""A caller who speaks for three people: one /api/lookup answers each (issue 15)."""
ROUNDS = 4


def compare(levels: tuple[int, ...], targets: dict[str, str], total: int) -> list[dict[str, Any]]:
    """Measure every kind at every level in ``ROUNDS`` interleaved rounds.

    Direct Rasa and the gateway take turns (rasa, chat, lookup, search, rasa, chat, …), so a
    drift of the machine during the run (another process, a growing tracker store) falls on
    both sides of the comparison alike instead of on whichever ran second.
    """
    rows = []
    for level in levels:
        merged = {kind: {"latencies": [], "errors": 0, "wall": 0.0} for kind in targets}
        for _ in range(ROUNDS):
            for kind, base in targets.items():
                part = asyncio.run(measure(kind, base, level, total // ROUNDS))
                merged[kind]["latencies"] += part["latencies"]
                merged[kind]["errors"] += part["errors"]
                merged[kind]["wall"] += part["wall"]
        for kind, data in merged.items():
            stats = summary(data["latencies"], data["errors"], data["wall"])
            rows.append({"kind": kind, "concurrency": level, **stats})
    return rows


def main() -> None:
    """Run every measurement and write the reports."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=320, help="requests per level and kind")
    args = parser.parse_args()
    stack = Stack(rasa_port=5305, action_port=5355, web_port=5380,
                  log_dir=ROOT / "artifacts" / "bench-logs")  # fmt: skip
    import os

    os.environ.update(LIMIT_OFF)
    try:
        stack.start(timeout=420)
        rasa, web = f"http://127.0.0.1:{stack.rasa_port}", f"http://127.0.0.1:{stack.web_port}"
        for kind, base in (("rasa", rasa), ("chat", web)):
            asyncio.run(measure(kind, base, 1, 20))  # warm-up
        targets = {"rasa": rasa, "chat": web, "lookup": web, "household": web, "search": web}
        rows = compare((1, 8, 32), targets, args.requests)
    finally:
        stack.stop()
    out = ROOT / "reports"
    out.mkdir(exist_ok=True)
    (out / "gateway-benchmark.json").write_text(json.dumps(rows, indent=2) + "\n")
    names = {"rasa": "Rasa REST webhook (direct)", "chat": "POST /api/chat (gateway)",
             "lookup": "POST /api/lookup", "household": "POST /api/lookup (3 applicants)",
             "search": "GET /api/search"}  # fmt: skip
    lines = [
        "# Gateway benchmark (make benchmark-gateway)",
        "",
        "| endpoint | clients | requests | errors | p50 ms | p95 ms | p99 ms | per s |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {names[row['kind']]} | {row['concurrency']} | {row['requests']} | {row['errors']} "
            f"| {row['p50_ms']} | {row['p95_ms']} | {row['p99_ms']} | {row['per_second']} |"
        )
    lines.append("")
    for level in (1, 8, 32):
        direct = next(r for r in rows if r["kind"] == "rasa" and r["concurrency"] == level)
        gated = next(r for r in rows if r["kind"] == "chat" and r["concurrency"] == level)
        overhead = (gated["p95_ms"] / direct["p95_ms"] - 1) * 100
        lines.append(f"- {level} clients: the gateway adds {overhead:+.1f}% to p95.")
    (out / "gateway-benchmark.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
