"""Load benchmark: a stock single-process Rasa against our production profile, in one run.

*Stock* is what a team gets by following Rasa's defaults with the same NLU pipeline: the
default policies (Memoization, Rule, TED), ``rasa run`` as shipped (it validates every
action-server response against a JSON schema), one process, in-memory tracker store, the REST
channel called directly. Its model is trained once into ``artifacts/stock-model/`` (≈5 min the
first time, then reused while its inputs are unchanged).

*Ours* is ``HUKOU_PROFILE=production``: the gateway (``/api/chat``) in front of
``HUKOU_WORKERS`` Rasa workers (rules instead of TED, cheap action-response validation),
tracker store in PostgreSQL, lock store in Redis, events to RabbitMQ, FAQ in PostgreSQL.

Each level runs ``--turns`` messages over *c* concurrent conversations; a conversation sends
its messages one after another (a situation, then an answer to the question asked), and a
turn counts as an error if the reply is not 200 or is empty (replies without a JSON payload
are counted apart: stock's untrained TED may answer a follow-up differently). Reported:
turns/s, p50/p95/p99, errors, and the peak resident memory of every process (VmHWM).
Loopback only; each request times out after 60 s. Run: ``make benchmark-load`` (~15 min).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import aiohttp
import yaml

from benchmarks.assistant import peak_rss_mb, summary
from bot.paths import ROOT
from bot.stack.processes import Stack, wait_until_up
from bot.stack.training import newest_mtime, rasa_executable
from bot.web.settings import Settings
from tests.support.services import discard, throwaway_profile

STOCK_DIR = ROOT / "artifacts" / "stock-model"
STOCK_MODEL = STOCK_DIR / "stock.tar.gz"
LEVELS = (1, 8, 32, 64)
CONVERSATIONS = [
    ["我在醴陵城里租了房子想把户口迁过来", "租的"],
    ["退伍回来了想把户口迁回村里", "是的"],
    ["孩子没有准生证能上户口吗", "在醴陵"],
    ["我是大专毕业的，想在醴陵城里落户", "有"],
    ["我在醴陵开了家公司是法人代表，想在城区落户", "是"],
    ["办居住证要什么条件", "没有"],
]
STOCK_POLICIES = [
    {"name": "MemoizationPolicy"},
    {"name": "RulePolicy"},
    {"name": "TEDPolicy", "max_history": 5, "epochs": 100, "random_seed": 2017},
]


def stock_config() -> Path:
    """Our NLU pipeline with Rasa's default dialogue policies (TED included)."""
    config = yaml.safe_load((ROOT / "bot" / "config.yml").read_text(encoding="utf-8"))
    config["policies"] = STOCK_POLICIES
    STOCK_DIR.mkdir(parents=True, exist_ok=True)
    path = STOCK_DIR / "config.yml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


def train_stock() -> None:
    """Train the stock model unless it is newer than its inputs."""
    inputs = [ROOT / "bot", ROOT / "data"]
    if STOCK_MODEL.exists() and STOCK_MODEL.stat().st_mtime > newest_mtime(inputs):
        return
    print("training the stock model (TED; about 5 minutes)…", flush=True)
    subprocess.run(
        [rasa_executable(), "train", "--config", str(stock_config()),
         "--domain", str(ROOT / "bot" / "domain"),
         "--data", str(ROOT / "data" / "nlu"), str(ROOT / "data" / "rules"),
         "--out", str(STOCK_DIR), "--fixed-model-name", "stock"],
        cwd=ROOT, check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip


async def converse(
    session: aiohttp.ClientSession, url: str, gateway: bool, messages: list[str]
) -> tuple[list[float], int, int]:
    """One conversation, message after message: latencies, errors, replies without payload."""
    sender = f"load-{uuid.uuid4().hex[:12]}"
    latencies: list[float] = []
    errors = bare = 0
    for text in messages:
        started = time.perf_counter()
        try:
            async with session.post(url, json={"sender": sender, "message": text}) as response:
                body = await response.json()
                replies = body.get("messages") if gateway else body
                ok = response.status == 200 and bool(replies)
                bare += ok and not any(isinstance(m, dict) and m.get("custom") for m in replies)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
            ok = False
        if ok:
            latencies.append(time.perf_counter() - started)
        else:
            errors += 1
    return latencies, errors, bare


async def run_level(url: str, gateway: bool, concurrency: int, turns: int) -> dict[str, Any]:
    """About ``turns`` messages as conversations over ``concurrency`` clients."""
    conversations = [
        CONVERSATIONS[i % len(CONVERSATIONS)]
        for i in range(max(concurrency, turns // len(CONVERSATIONS[0])))
    ]
    queue: asyncio.Queue[list[str]] = asyncio.Queue()
    for conversation in conversations:
        queue.put_nowait(conversation)
    latencies: list[float] = []
    errors = bare = 0
    timeout = aiohttp.ClientTimeout(total=60)
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:

        async def client() -> None:
            nonlocal errors, bare
            while not queue.empty():
                got, failed, plain = await converse(session, url, gateway, queue.get_nowait())
                latencies.extend(got)
                errors += failed
                bare += plain

        started = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(concurrency)))
        wall = time.perf_counter() - started
    return {"concurrency": concurrency, **summary(latencies, errors, wall), "no_payload": bare}


def load(
    url: str, gateway: bool, turns: int, levels: tuple[int, ...] = LEVELS
) -> list[dict[str, Any]]:
    """Warm up, then every level."""
    asyncio.run(run_level(url, gateway, 2, 24))
    results = []
    for level in levels:
        result = asyncio.run(run_level(url, gateway, level, turns))
        print(f"  {level:>2} concurrent: {result}", flush=True)
        results.append(result)
    return results


def peaks(stack_procs: list[tuple[str, subprocess.Popen[bytes]]]) -> dict[str, float]:
    """Peak RSS (MB) of each process."""
    return {name: peak_rss_mb(proc.pid) for name, proc in stack_procs}


def run_stock(turns: int) -> dict[str, Any]:
    """The stock configuration: plain ``rasa run``, TED model, in-memory tracker."""
    train_stock()
    port, action_port = 5705, 5755
    endpoints = Path(tempfile.mkstemp(suffix="-endpoints.yml")[1])
    endpoints.write_text(f'action_endpoint:\n  url: "http://127.0.0.1:{action_port}/webhook"\n')
    logs = ROOT / "artifacts" / "load-logs"
    logs.mkdir(parents=True, exist_ok=True)
    procs: list[tuple[str, subprocess.Popen[bytes]]] = []
    started = time.perf_counter()
    try:
        for name, command in (
            ("actions", [sys.executable, "-m", "rasa_sdk", "--actions", "actions",
                         "--port", str(action_port)]),
            ("rasa", [rasa_executable(), "run", "--model", str(STOCK_MODEL),
                      "--endpoints", str(endpoints),
                      "--credentials", str(ROOT / "bot" / "credentials.yml"),
                      "--port", str(port), "--enable-api", "--interface", "127.0.0.1"]),
        ):  # fmt: skip
            log = (logs / f"stock-{name}.log").open("ab")
            procs.append(
                (name, subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT))
            )
        wait_until_up(f"http://127.0.0.1:{action_port}/health", 300, "actions", procs[0][1])
        wait_until_up(f"http://127.0.0.1:{port}/status", 300, "stock Rasa", procs[1][1])
        cold = time.perf_counter() - started
        print(f"stock up in {cold:.1f} s", flush=True)
        levels = load(f"http://127.0.0.1:{port}/webhooks/rest/webhook", False, turns)
        return {"cold_start_s": round(cold, 1), "levels": levels, "peak_rss_mb": peaks(procs)}
    finally:
        for _, proc in procs:
            proc.terminate()
        for _, proc in procs:
            proc.wait(timeout=30)
        endpoints.unlink(missing_ok=True)


def run_ours(
    turns: int, workers: int, levels: tuple[int, ...] = LEVELS, restart: bool = True
) -> dict[str, Any]:
    """The production profile behind the gateway, on this machine's services."""
    profile = throwaway_profile("hukou_load", HUKOU_WORKERS=str(workers))
    stack = Stack(
        rasa_port=5805, action_port=5855, web_port=5880,
        log_dir=ROOT / "artifacts" / "load-logs", profile=profile,
    )  # fmt: skip
    # Every simulated citizen comes from 127.0.0.1: lift the per-client chat limit (60/min).
    os.environ["HUKOU_RATE_LIMIT_PER_MINUTE"] = "1000000"
    started = time.perf_counter()
    try:
        stack.start(timeout=420)
        cold = time.perf_counter() - started
        print(f"ours up in {cold:.1f} s ({workers} workers)", flush=True)
        results = load("http://127.0.0.1:5880/api/chat", True, turns, levels)
        peak = peaks(stack.procs)
        restarted_in = 0.0
        if restart:  # a crashed worker: killed, started again, until it answers
            stack.kill_worker(0)
            restarted = time.perf_counter()
            stack.start_worker(0)
            stack.wait_for_worker(0, timeout=300)
            restarted_in = time.perf_counter() - restarted
            print(f"worker restarted in {restarted_in:.1f} s", flush=True)
        return {
            "cold_start_s": round(cold, 1),
            "worker_restart_s": round(restarted_in, 1),
            "workers": workers,
            "actions": profile.actions,
            "worker_concurrency": Settings().worker_concurrency,
            "levels": results,
            "peak_rss_mb": peak,
        }
    finally:
        stack.stop()
        discard(profile)


def table(name: str, result: dict[str, Any]) -> list[str]:
    """Markdown rows for one configuration."""
    return [
        f"| {name} | {level['concurrency']} | {level['per_second']} | {level['p50_ms']} "
        f"| {level['p95_ms']} | {level['p99_ms']} | {level['errors']} / {level['requests']} "
        f"| {level['no_payload']} |"
        for level in result["levels"]
    ]


def sweep(values: list[int], turns: int, workers: int, repeat: int) -> None:
    """Ours at 32 conversations for each gateway limit per worker, alternated ``repeat`` times.

    The limit is ``HUKOU_WORKER_CONCURRENCY``; writes reports/worker-concurrency.md.
    """
    rows: dict[int, list[dict[str, Any]]] = {value: [] for value in values}
    for _ in range(repeat):
        for value in values:
            os.environ["HUKOU_WORKER_CONCURRENCY"] = str(value)
            level = run_ours(turns, workers, (32,), restart=False)["levels"][0]
            rows[value].append(level)
    lines = [
        "# Messages per worker at a time, at 32 conversations "
        "(python -m benchmarks.load --sweep-concurrency …)",
        "",
        f"Ours ({workers} workers, production profile), {turns} messages per run, values "
        f"alternated {repeat} times; 0 = no limit. Run {time.strftime('%Y-%m-%d %H:%M')}.",
        "",
        "| HUKOU_WORKER_CONCURRENCY | turns/s | p50 ms | p95 ms | p99 ms | errors |",
        "|---|---|---|---|---|---|",
        *(
            f"| {value} | {r['per_second']} | {r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} "
            f"| {r['errors']} / {r['requests']} |"
            for value, runs in rows.items()
            for r in runs
        ),
        "",
    ]
    (ROOT / "reports" / "worker-concurrency.md").write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


def main() -> None:
    """Run both configurations and write reports/load-benchmark.{md,json}."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=384, help="messages per level")
    parser.add_argument("--workers", type=int, default=2, help="our Rasa workers")
    parser.add_argument(
        "--sweep-concurrency", help="e.g. 0,2,4: only ours at 32, per gateway limit"
    )
    parser.add_argument("--repeat", type=int, default=2, help="runs per value in a sweep")
    args = parser.parse_args()
    if args.sweep_concurrency:
        values = [int(v) for v in args.sweep_concurrency.split(",")]
        sweep(values, args.turns, args.workers, args.repeat)
        return
    stock = run_stock(args.turns)
    ours = run_ours(args.turns, args.workers)
    results = {
        "machine": {
            "cpus": subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip(),
            "python": platform.python_version(),
        },
        "turns_per_level": args.turns,
        "stock": stock,
        "ours": ours,
    }
    out = ROOT / "reports"
    (out / "load-benchmark.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
    ratio = [
        o["per_second"] / s["per_second"]
        for s, o in zip(stock["levels"], ours["levels"], strict=True)
        if s["per_second"]
    ]
    memory = lambda r: ", ".join(f"{k} {v} MB" for k, v in r["peak_rss_mb"].items())  # noqa: E731
    lines = [
        "# Load benchmark: stock Rasa vs the production profile (make benchmark-load)",
        "",
        f"Machine: {results['machine']['cpus']} CPUs, Python {results['machine']['python']}; "
        f"{args.turns} messages per level, conversations of two messages; run "
        f"{time.strftime('%Y-%m-%d %H:%M')}. See the docstring of benchmarks/load.py.",
        "",
        "| configuration | concurrent | turns/s | p50 ms | p95 ms | p99 ms | errors | no payload |",
        "|---|---|---|---|---|---|---|---|",
        *table("stock (1 process, TED, in-memory)", stock),
        *table(f"ours ({ours['workers']} workers, PG/Redis/RabbitMQ, gateway)", ours),
        "",
        f"Ours: custom actions {ours['actions']}; the gateway sends each worker at most "
        f"{ours['worker_concurrency']} messages at a time (HUKOU_WORKER_CONCURRENCY).",
        "",
        "Throughput ratio ours/stock per level: " + ", ".join(f"{r:.2f}×" for r in ratio) + ".",
        "",
        f"- Cold start (all processes until they answer): stock {stock['cold_start_s']} s, "
        f"ours {ours['cold_start_s']} s; one of our workers killed and started again, until it "
        f"answers: {ours['worker_restart_s']} s (its conversations are served by the other "
        "worker meanwhile)",
        f"- Peak memory, stock: {memory(stock)}",
        f"- Peak memory, ours: {memory(ours)}",
        "",
    ]
    (out / "load-benchmark.md").write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
