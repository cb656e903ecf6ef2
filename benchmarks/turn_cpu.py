"""CPU time per turn of one Rasa worker, custom actions in the worker vs the action server.

One process loads the model as a worker does (``bot.rasa_ext.server`` fixes applied, the
production profile's tracker store, lock store and event broker on this machine's services)
and handles two-message conversations one after another through ``Agent.handle_message``.
Measured: the process's CPU time per turn (``time.process_time``: every thread) and, with the
actions in the action server, that server's CPU time per turn too (from ``/proc``). Runs
alternate between the two modes so that both see the same machine. Sequential, so the numbers
are the work of a turn, not its wait under load (that is ``make benchmark-load``).
Run: ``make benchmark-turn-cpu`` (~5 min); writes ``reports/turn-cpu.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from benchmarks.load import CONVERSATIONS
from bot.paths import ROOT
from bot.stack.processes import wait_until_up
from bot.stack.profile import Profile
from tests.support.services import discard, throwaway_profile

ACTION_PORT = 5159


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` (all threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def measure(profile: Profile, mode: str, conversations: int, rounds: int) -> dict[str, Any]:
    """Load a worker with ``profile`` (``HUKOU_ACTIONS=mode``); CPU ms per turn per round."""
    from rasa.core.agent import load_agent
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
    from rasa.core.run import AvailableEndpoints

    from bot.faq.db import prepare_database
    from bot.rasa_ext import inprocess_actions

    assert profile.faq_url
    os.environ["DATABASE_URL"] = profile.faq_url
    prepare_database(profile.faq_url)
    endpoints_file = profile.write_endpoints(f"http://127.0.0.1:{ACTION_PORT}/webhook")
    server = None
    try:
        if mode == "server":
            server = subprocess.Popen(
                [sys.executable, "-m", "rasa_sdk", "--actions", "actions",
                 "--port", str(ACTION_PORT)],
                cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
            wait_until_up(f"http://127.0.0.1:{ACTION_PORT}/health", 120, "action server", server)
        else:
            inprocess_actions.apply(preload=True)
        endpoints = AvailableEndpoints.read_endpoints(str(endpoints_file))
        agent = await load_agent(model_path=str(ROOT / "models" / "hukou.tar.gz"),
                                 endpoints=endpoints)  # fmt: skip

        async def turns(count: int) -> tuple[float, float]:
            own, other = time.process_time(), cpu_seconds(server.pid) if server else 0.0
            done = 0
            for number in range(count):
                sender = uuid.uuid4().hex
                for text in CONVERSATIONS[number % len(CONVERSATIONS)]:
                    output = CollectingOutputChannel()
                    await agent.handle_message(UserMessage(text, output, sender))
                    if not output.messages:
                        raise RuntimeError(f"no answer to {text!r} ({mode})")
                    done += 1
            spent = time.process_time() - own
            server_spent = (cpu_seconds(server.pid) - other) if server else 0.0
            return 1000 * spent / done, 1000 * server_spent / done

        await turns(12)  # warm up
        worker, actions = zip(*[await turns(conversations) for _ in range(rounds)], strict=True)
        return {"mode": mode, "worker_ms": list(worker), "action_server_ms": list(actions)}
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        endpoints_file.unlink(missing_ok=True)


def main() -> None:
    """Alternate the modes (each in a fresh process), then write reports/turn-cpu.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=2, help="runs of each mode, alternated")
    parser.add_argument("--one", choices=("in-process", "server"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:  # a child run: print one result
        profile = throwaway_profile("hukou_cpu", HUKOU_WORKERS="1", HUKOU_ACTIONS=args.one)
        try:
            result = asyncio.run(measure(profile, args.one, args.conversations, args.rounds))
        finally:
            discard(profile)
        print(json.dumps(result))
        return
    results: dict[str, list[dict[str, Any]]] = {"in-process": [], "server": []}
    for _ in range(args.repeat):
        for mode in results:
            out = subprocess.run(
                [sys.executable, "-m", "benchmarks.turn_cpu", "--one", mode, "--conversations",
                 str(args.conversations), "--rounds", str(args.rounds)],
                cwd=ROOT, capture_output=True, text=True, check=True,
            )  # fmt: skip
            result = json.loads(out.stdout.strip().splitlines()[-1])
            print(result, flush=True)
            results[mode].append(result)
    lines = [
        "# CPU time per turn: custom actions in the worker vs the action server "
        "(make benchmark-turn-cpu)",
        "",
        f"One worker, sequential two-message conversations ({args.conversations} per round, "
        f"{args.rounds} rounds per run, {args.repeat} runs per mode, alternated); production "
        f"profile's stores on this machine. Run {time.strftime('%Y-%m-%d %H:%M')}; see the "
        "docstring of benchmarks/turn_cpu.py.",
        "",
        "| actions | worker CPU ms/turn (median of rounds) | action server CPU ms/turn | total |",
        "|---|---|---|---|",
    ]
    for mode, runs in results.items():
        worker = statistics.median(ms for run in runs for ms in run["worker_ms"])
        server = statistics.median(ms for run in runs for ms in run["action_server_ms"])
        rounds = ", ".join(f"{ms:.1f}" for run in runs for ms in run["worker_ms"])
        lines.append(
            f"| {mode} | {worker:.1f} (rounds: {rounds}) | {server:.1f} | {worker + server:.1f} |"
        )
    lines.append("")
    (ROOT / "reports" / "turn-cpu.md").write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
