"""Where a turn's time goes under load: py-spy on every process of the production profile.

Starts the production profile (as ``benchmarks/load.py`` does), drives it with ``--clients``
concurrent conversations through the gateway, and meanwhile samples each process with
``py-spy record`` (raw, ``--rate`` Hz, ``--seconds`` long). Every sample of a Rasa worker is put
attributed twice: to what it was *for* (the outermost frame matching ``OWNERS``: reading the
tracker, NLU, predicting, running actions, saving …) and to the code on the CPU (the innermost
frame matching ``DETAILS``: TensorFlow, PostgreSQL driver, JSON …). Raw samples are kept in
``artifacts/profile-load/``. Written to ``reports/profile-load.md``.

Busy % is the share of wall time in which the process's Python threads were on the CPU
(py-spy's non-idle samples / (rate × seconds)); the categories split those samples.
Run: ``make profile-load`` (~2 min; needs PostgreSQL, Redis, RabbitMQ and py-spy, which
``make setup`` installs with the dev dependencies).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from benchmarks.load import run_level
from bot.paths import ROOT
from bot.stack.processes import Stack
from tests.support.services import discard, throwaway_profile

# A frame is "function (path:line)". A needle matches a frame when it occurs in it, or,
# written "function@file", when the frame is that function in that file.
# OWNERS: what a sample was for: the *outermost* frame matching one of them decides.
OWNERS: list[tuple[str, tuple[str, ...]]] = [
    ("read the tracker", ("fetch_tracker_and_update_session@processor.py",
                          "get_tracker@processor.py")),
    ("NLU (parse the message)", ("parse_message@processor.py",)),
    ("predict the next action", ("predict_next_with_tracker_if_should@processor.py",
                                 "_predict_next_with_tracker@processor.py")),
    ("run actions (custom actions: request, call, response)", ("_run_action@processor.py",)),
    ("save the tracker (store and broker)", ("save_tracker@processor.py",)),
    ("lock store (Redis)", ("lock_store.py", "bot/rasa_ext/lock_store.py")),
    ("policy engine and answers", ("bot/policy/", "bot/dialogue/", "bot/faq/")),
    ("rasa_sdk executor", ("rasa_sdk/executor.py",)),
    ("gateway: chat route and worker call", ("bot/web/",)),
]  # fmt: skip
# DETAILS: which code was on the CPU: the *innermost* frame matching one of them decides.
DETAILS: list[tuple[str, tuple[str, ...]]] = [
    ("TensorFlow", ("tensorflow/", "keras/")),
    ("featurizers", ("featurizers/",)),
    ("jieba, spaCy, normaliser, fact rules", ("bot/nlu/", "jieba/", "spacy/")),
    ("JSON-schema check", ("jsonschema/",)),
    ("PostgreSQL (SQLAlchemy, psycopg2)", ("sqlalchemy/", "psycopg2/")),
    ("Redis client", ("redis/",)),
    ("RabbitMQ client", ("aio_pika/", "aiormq/", "pamqp/", "brokers/")),
    ("HTTP client (aiohttp/httpx)", ("aiohttp/", "httpx/", "httpcore/")),
    ("tracker state and event objects", ("trackers.py", "events.py", "slots.py")),
    ("rules and forms", ("policies/", "forms.py", "loops.py")),
    ("policy engine and answers", ("bot/policy/", "bot/dialogue/", "bot/faq/")),
    ("rasa_sdk", ("rasa_sdk/",)),
    ("web server (sanic, uvicorn, starlette)", ("sanic/", "starlette/", "fastapi/", "uvicorn/",
                                                "httptools")),
    ("JSON", ("json/", "ujson")),
    ("logging", ("logging/", "structlog/")),
    ("asyncio", ("asyncio/",)),
]  # fmt: skip


def matches(needle: str, frame: str) -> bool:
    """Whether ``needle`` (a substring, or ``function@file``) matches ``frame``."""
    function, at, file = needle.partition("@")
    if not at:
        return needle in frame
    return frame.startswith(function + " (") and file in frame


def first(frames: list[str], table: list[tuple[str, tuple[str, ...]]]) -> str:
    """The first entry of ``table`` matched by a frame, trying frames in the given order."""
    for frame in frames:
        for name, needles in table:
            if any(matches(needle, frame) for needle in needles):
                return name
    return "other"


def classify(stack: list[str]) -> tuple[str, str]:
    """(owner, detail) of one sample; ``stack`` runs from the outermost frame inwards."""
    return first(stack, OWNERS), first(stack[::-1], DETAILS)


def read_raw(path: Path) -> Counter[tuple[str, str]]:
    """Samples per (owner, detail) from a py-spy ``--format raw`` file."""
    counts: Counter[tuple[str, str]] = Counter()
    if not path.exists():
        return counts
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        frames, _, count = line.rpartition(" ")
        if frames and count.isdigit():
            counts[classify(frames.split(";"))] += int(count)
    return counts


def py_spy() -> str:
    """The py-spy executable of this environment (or on PATH)."""
    local = Path(sys.executable).with_name("py-spy")
    found = str(local) if local.exists() else shutil.which("py-spy")
    if not found:
        raise SystemExit("py-spy is missing: run `make setup` (it is a dev dependency)")
    return found


def main() -> None:
    """Start the production profile, sample it under load, write reports/profile-load.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--rate", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--actions", choices=("in-process", "server"), default="in-process")
    args = parser.parse_args()
    profile = throwaway_profile(
        "hukou_prof", HUKOU_WORKERS=str(args.workers), HUKOU_ACTIONS=args.actions
    )
    stack = Stack(
        rasa_port=5905, action_port=5955, web_port=5980,
        log_dir=ROOT / "artifacts" / "load-logs", profile=profile,
    )  # fmt: skip
    os.environ["HUKOU_RATE_LIMIT_PER_MINUTE"] = "1000000"
    out = Path(tempfile.mkdtemp(prefix="hukou-profile-"))
    url = "http://127.0.0.1:5980/api/chat"
    names: list[str] = []
    try:
        stack.start(timeout=420)
        asyncio.run(run_level(url, True, 4, 48))  # warm up
        spies = {}
        for name, proc in stack.procs:
            command = [
                py_spy(), "record", "--format", "raw", "--rate", str(args.rate),
                "--duration", str(args.seconds), "--pid", str(proc.pid),
                "--output", str(out / f"{name}.txt"),
            ]  # fmt: skip
            spies[name] = subprocess.Popen(
                command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
        names = list(spies)
        time.sleep(1.0)
        turns = 0
        started = time.perf_counter()
        while time.perf_counter() - started < args.seconds - 2:
            result = asyncio.run(run_level(url, True, args.clients, args.clients * 4))
            turns += result["requests"]
        wall = time.perf_counter() - started
        for spy in spies.values():
            spy.wait(timeout=args.seconds + 60)
    finally:
        stack.stop()
        discard(profile)
    lines = [
        "# Where the time goes under load (make profile-load)",
        "",
        f"{args.workers} workers, production profile (actions {args.actions}), "
        f"{args.clients} concurrent conversations through the gateway; {turns} turns in "
        f"{wall:.0f} s ({turns / wall:.1f} turns/s while sampled at {args.rate} Hz — py-spy "
        "itself slows the processes down). Run "
        f"{time.strftime('%Y-%m-%d %H:%M')}; see the docstring of benchmarks/profile_load.py.",
        "",
    ]
    possible = args.rate * args.seconds
    for name in names:
        counts = read_raw(out / f"{name}.txt")
        total = sum(counts.values()) or 1
        owners: Counter[str] = Counter()
        for (owner, _), n in counts.items():
            owners[owner] += n
        lines += [
            f"## {name}: busy {100 * sum(counts.values()) / possible:.0f} % of wall time",
            "",
            "| for | share of busy samples | on the CPU (share of all busy samples) |",
            "|---|---|---|",
        ]
        for owner, n in owners.most_common():
            details = sorted(
                ((d, m) for (o, d), m in counts.items() if o == owner), key=lambda x: -x[1]
            )
            text = ", ".join(f"{d} {100 * m / total:.1f} %" for d, m in details[:5])
            lines.append(f"| {owner} | {100 * n / total:.1f} % | {text} |")
        lines.append("")
    keep = ROOT / "artifacts" / "profile-load"
    shutil.rmtree(keep, ignore_errors=True)
    shutil.move(str(out), keep)  # the raw samples, for a closer look
    report = ROOT / "reports" / "profile-load.md"
    report.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
