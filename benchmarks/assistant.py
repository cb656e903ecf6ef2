"""Performance of the assistant on this machine, against the live servers (loopback only).

Measures, in one run:

* training time and peak memory (``rasa train --force``, optional with ``--train``);
* server cold start: ``rasa run`` until the model answers on ``/status``;
* NLU parse latency (``POST /model/parse``) p50/p95, sequential;
* full-turn latency through the REST channel with the action server (a message that runs
  the custom action ``action_assess``), p50/p95/p99, sequential and at 8 and 32 concurrent
  conversations, with throughput and errors;
* peak resident memory of the Rasa server and the action server.

Writes ``reports/benchmark.json`` and ``reports/benchmark.md``. Bounded: a fixed number of
requests per level, each with a timeout. Run: ``make benchmark``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import re
import statistics
import subprocess
import time
import uuid
from pathlib import Path
from typing import Any

import aiohttp

from bot.paths import ROOT
from bot.stack.processes import Stack
from bot.stack.training import train_command

MESSAGES = [
    "我在醴陵城里租了房子想把户口迁过来",
    "退伍回来了想把户口迁回村里",
    "孩子没有准生证能上户口吗",
    "我是大专毕业的，想在醴陵城里落户",
    "我在醴陵开了家公司是法人代表，想在城区落户",
    "办居住证要什么条件",
]


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0–100) by linear interpolation, in the values' unit."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * q / 100
    low, high = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def summary(latencies: list[float], errors: int, wall: float) -> dict[str, Any]:
    """Latency percentiles in ms, throughput and errors."""
    ms = [x * 1000 for x in latencies]
    return {
        "requests": len(latencies) + errors,
        "errors": errors,
        "p50_ms": round(percentile(ms, 50), 1),
        "p95_ms": round(percentile(ms, 95), 1),
        "p99_ms": round(percentile(ms, 99), 1),
        "mean_ms": round(statistics.fmean(ms), 1) if ms else None,
        "per_second": round(len(latencies) / wall, 1) if wall else None,
    }


def peak_rss_mb(pid: int) -> float:
    """Peak resident set size of a process (VmHWM), in MB."""
    text = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"VmHWM:\s+(\d+) kB", text)
    return round(int(match.group(1)) / 1024, 1) if match else float("nan")


async def timed_post(
    session: aiohttp.ClientSession, url: str, body: dict[str, Any], expect_custom: bool
) -> float | None:
    """POST and return the latency, or None on any error (status, timeout, no payload)."""
    start = time.perf_counter()
    try:
        async with session.post(url, json=body) as response:
            data = await response.json()
            if response.status != 200:
                return None
            if expect_custom and not any(isinstance(m, dict) and m.get("custom") for m in data):
                return None
    except (aiohttp.ClientError, asyncio.TimeoutError):
        return None
    return time.perf_counter() - start


async def run_level(
    base: str, concurrency: int, turns: int, parse_only: bool, token: str = ""
) -> dict[str, Any]:
    """``turns`` requests spread over ``concurrency`` workers; each turn a new conversation.

    ``token`` is the worker's API token, which ``/model/parse`` needs (the webhook does not).
    """
    url = f"{base}/model/parse?token={token}" if parse_only else f"{base}/webhooks/rest/webhook"
    timeout = aiohttp.ClientTimeout(total=60)
    latencies: list[float] = []
    errors = 0
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(turns):
        queue.put_nowait(i)

    async with aiohttp.ClientSession(timeout=timeout) as session:

        async def worker() -> None:
            nonlocal errors
            while True:
                try:
                    i = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                text = MESSAGES[i % len(MESSAGES)]
                body = (
                    {"text": text}
                    if parse_only
                    else {"sender": f"bench-{uuid.uuid4().hex[:10]}", "message": text}
                )
                latency = await timed_post(session, url, body, expect_custom=not parse_only)
                if latency is None:
                    errors += 1
                else:
                    latencies.append(latency)

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        wall = time.perf_counter() - start
    return {"concurrency": concurrency, **summary(latencies, errors, wall)}


def measure_training() -> dict[str, Any]:
    """Train from scratch under /usr/bin/time to get wall time and peak memory."""
    command = ["/usr/bin/time", "-v", *train_command(), "--force"]
    start = time.perf_counter()
    proc = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
    wall = time.perf_counter() - start
    match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
    return {
        "seconds": round(wall, 1),
        "peak_rss_mb": round(int(match.group(1)) / 1024, 1) if match else None,
    }


def main() -> None:
    """Run the benchmark and write the reports."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--train", action="store_true", help="also measure training (≈3 min)")
    parser.add_argument("--turns", type=int, default=240, help="requests per level")
    args = parser.parse_args()

    results: dict[str, Any] = {
        "machine": {
            "cpus": subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip(),
            "python": platform.python_version(),
        },
    }
    if args.train:
        results["training"] = measure_training()

    stack = Stack(rasa_port=5105, action_port=5155, log_dir=ROOT / "artifacts" / "bench-logs")
    start = time.perf_counter()
    try:
        stack.start(timeout=420)
        results["cold_start_seconds"] = round(time.perf_counter() - start, 1)
        base = f"http://127.0.0.1:{stack.rasa_port}"
        asyncio.run(run_level(base, 1, 20, parse_only=False))  # warm-up
        results["nlu_parse"] = asyncio.run(
            run_level(base, 1, args.turns, parse_only=True, token=stack.rasa_token)
        )
        results["full_turn"] = [
            asyncio.run(run_level(base, level, args.turns, parse_only=False))
            for level in (1, 8, 32)
        ]
        pids = {name: proc.pid for name, proc in stack.procs}
        results["peak_rss_mb"] = {name: peak_rss_mb(pid) for name, pid in pids.items()}
    finally:
        stack.stop()

    out = ROOT / "reports"
    out.mkdir(exist_ok=True)
    (out / "benchmark.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    lines = [
        "# Benchmark (make benchmark)",
        "",
        f"Machine: {results['machine']['cpus']} CPUs, Python {results['machine']['python']}.",
        "",
    ]
    if "training" in results:
        t = results["training"]
        lines.append(f"- Training: {t['seconds']} s, peak RSS {t['peak_rss_mb']} MB")
    lines += [
        f"- Cold start (rasa run until the model answers): {results['cold_start_seconds']} s",
        f"- Peak RSS: Rasa server {results['peak_rss_mb'].get('rasa')} MB, "
        f"action server {results['peak_rss_mb'].get('actions')} MB",
        f"- NLU parse, sequential: p50 {results['nlu_parse']['p50_ms']} ms, "
        f"p95 {results['nlu_parse']['p95_ms']} ms",
        "",
        "| full turn (REST + actions) | requests | errors | p50 ms | p95 ms | p99 ms | turns/s |",
        "|---|---|---|---|---|---|---|",
    ]
    for level in results["full_turn"]:
        lines.append(
            f"| {level['concurrency']} concurrent | {level['requests']} | {level['errors']} | "
            f"{level['p50_ms']} | {level['p95_ms']} | {level['p99_ms']} | {level['per_second']} |"
        )
    (out / "benchmark.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
