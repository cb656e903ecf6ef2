"""What keeping the embedded profile's conversations on disk costs per turn.

``python -m benchmarks.embedded_tracker`` (``make benchmark-embedded-tracker``, ≈ 4 min) starts
two embedded stacks side by side — Rasa's in-memory tracker store, and
:class:`~bot.rasa_ext.tracker_store.FastSQLTrackerStore` on a SQLite file
(``HUKOU_TRACKER_URL=sqlite:///…``) — and sends them the same conversations, one turn to one
stack then the same turn to the other (which goes first alternates), so that the shared
machine's load falls on both alike. Turns go straight to each worker's REST webhook, the path
the tracker store is on; one client at a time. Then each stack's worker is killed and
started again (the in-memory one too), and each conversation is asked for its state: what
a restart keeps.
Writes ``reports/embedded-tracker.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any

from benchmarks.assistant import percentile
from bot.paths import ROOT
from bot.stack.processes import Stack
from bot.stack.profile import Profile

CONVERSATION = ["我想把户口迁到醴陵城里", "我在城里租的房子", "没有交社保"]
LONG = ["我想把户口迁到醴陵城里", "我在城里租的房子", "没有交社保", "/restart"]
REPORT = ROOT / "reports" / "embedded-tracker.md"


def turn(stack: Stack, sender: str, message: str) -> tuple[float, list[dict[str, Any]]]:
    """One turn on the worker's REST webhook: seconds, and the answer."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{stack.rasa_port}/webhooks/rest/webhook",
        data=json.dumps({"sender": sender, "message": message}).encode(),
        headers={"Content-Type": "application/json"},
    )
    start = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:
        answer: list[dict[str, Any]] = json.loads(response.read())
    return time.perf_counter() - start, answer


def slots(stack: Stack, sender: str) -> dict[str, Any]:
    """The conversation's slots as the worker has them now."""
    url = (
        f"http://127.0.0.1:{stack.rasa_port}/conversations/{sender}/tracker"
        f"?token={stack.rasa_token}"
    )
    with urllib.request.urlopen(url, timeout=30) as response:
        found: dict[str, Any] = json.loads(response.read()).get("slots", {})
    return found


def stats(seconds: list[float]) -> dict[str, float]:
    """p50, p95, mean in milliseconds."""
    ms = [s * 1000 for s in seconds]
    return {
        "p50": percentile(ms, 50),
        "p95": percentile(ms, 95),
        "mean": statistics.fmean(ms),
    }


def main() -> None:
    """Measure, write the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=20)
    parser.add_argument("--long-turns", type=int, default=40)
    args = parser.parse_args()
    database = Path(tempfile.mkdtemp(prefix="hukou-tracker-")) / "conversations.sqlite3"
    logs = ROOT / "artifacts" / "bench-logs"
    stacks = {
        "memory": Stack(rasa_port=5605, action_port=5655, log_dir=logs),
        "sqlite": Stack(
            rasa_port=5705, action_port=5755, log_dir=logs,
            profile=Profile(tracker_url=f"sqlite:///{database}"),
        ),
    }  # fmt: skip
    times: dict[str, dict[str, list[float]]] = {k: {"short": [], "long": []} for k in stacks}
    try:
        for stack in stacks.values():
            stack.start(timeout=600)
        senders = [f"bench-{uuid.uuid4().hex[:10]}" for _ in range(args.conversations)]
        order = list(stacks)
        for number, sender in enumerate(senders):
            for message in CONVERSATION:
                for name in order if number % 2 else reversed(order):
                    times[name]["short"].append(turn(stacks[name], sender, message)[0])
        long_sender = f"bench-long-{uuid.uuid4().hex[:8]}"
        for number in range(args.long_turns):
            message = LONG[number % len(LONG)]
            for name in order if number % 2 else reversed(order):
                times[name]["long"].append(turn(stacks[name], long_sender, message)[0])
        kept: dict[str, int] = {}
        back: dict[str, float] = {}
        for name, stack in stacks.items():
            before = {s: slots(stack, s) for s in senders}
            stack.kill_worker(0)
            restart = time.monotonic()
            stack.start_worker(0)
            stack.wait_for_worker(0, timeout=600)
            back[name] = time.monotonic() - restart
            kept[name] = sum(slots(stack, s) == before[s] for s in senders)
        size = database.stat().st_size
    finally:
        for stack in stacks.values():
            stack.stop()
    write(times, kept, len(senders), back, size, args)


def write(
    times: dict[str, dict[str, list[float]]],
    kept: dict[str, int],
    senders: int,
    back: dict[str, float],
    size: int,
    args: argparse.Namespace,
) -> None:
    """The Markdown report."""
    rows = []
    for kind, what in (("short", f"{args.conversations} conversations × 3 turns"),
                       ("long", f"one conversation of {args.long_turns} turns")):  # fmt: skip
        memory, sqlite = stats(times["memory"][kind]), stats(times["sqlite"][kind])
        more = sqlite["mean"] - memory["mean"]
        rows.append(
            f"| {what} | {memory['p50']:.0f} / {memory['p95']:.0f} | "
            f"{sqlite['p50']:.0f} / {sqlite['p95']:.0f} | "
            f"{more:+.1f} ms ({more / memory['mean']:+.0%}) |"
        )
    text = "\n".join([
        "# Conversations on disk in the embedded profile: what it costs",
        "",
        f"`make benchmark-embedded-tracker` (`benchmarks/embedded_tracker.py`), "
        f"{dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC, this 2-core machine (shared), "
        "loopback. Two embedded stacks side by side get the same turns, alternating which goes "
        "first; one client; time of one turn on Rasa's REST webhook (actions over HTTP).",
        "",
        "| turns | in memory p50 / p95 (ms) | SQLite p50 / p95 (ms) | mean difference |",
        "|---|---|---|---|",
        *rows,
        "",
        "Each stack's Rasa worker was then killed (SIGKILL) and started again "
        f"({back['memory']:.0f} s and {back['sqlite']:.0f} s until it answered). Conversations "
        f"with every slot as before the kill: in memory {kept['memory']} of {senders}, "
        f"SQLite {kept['sqlite']} of {senders}. The SQLite file held {size / 1024:.0f} KB "
        f"after {args.conversations * 3 + args.long_turns} turns "
        f"(≈ {size / 1024 / (args.conversations * 3 + args.long_turns):.0f} KB a turn: "
        "Rasa's events with the masked text and the whole parse).",
        "",
    ])  # fmt: skip
    REPORT.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
