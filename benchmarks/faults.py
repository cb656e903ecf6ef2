"""The fault report: processes killed under load, what each user saw, what was lost.

``python -m benchmarks.faults`` (``make fault-report``, ≈ 6 min; the production part needs this
machine's PostgreSQL, Redis and RabbitMQ) writes ``reports/fault-report.md``:

1. **Production profile**, two Rasa workers behind the gateway, supervised as ``hukou serve``
   supervises (:class:`~bot.stack.processes.Supervisor`): 16 conversations of three turns run
   at once, and Rasa worker 0 is killed (SIGKILL) after every conversation's first turn. A
   citizen whose turn fails sends it again after five seconds, as the widget's 重新发送 offers.
   Afterwards every conversation's answer must still hold all three facts, and PostgreSQL must
   hold each message once.
2. **Embedded** ``hukou serve`` (action server, one Rasa worker, gateway): while probes ask for
   the pages, the hotline lookup, the search, the FAQ page and ``/healthz`` four times a second
   and four conversations go on, each process is killed in turn; each is restarted by the
   supervisor. For each kill: which probes failed, what they answered, how long until they
   answered again, and whether the conversations kept their facts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bot.paths import ROOT
from bot.stack.processes import Stack, Supervisor
from bot.stack.profile import Profile
from tests.support.services import discard, free_ports, throwaway_profile

CONVERSATION = ["我想把户口迁到醴陵城里", "我在城里租的房子", "没有交社保"]
EXPECTED = {"goal": "settle_urban", "housing": "rented", "urban_social_insurance": False}
REPORT = ROOT / "reports" / "fault-report.md"
LOGS = ROOT / "artifacts" / "fault-logs"
RESEND = 5.0
"""Seconds before a failed turn is sent again."""


@dataclass
class Answer:
    """One HTTP request: when, how it went, what the user saw."""

    at: float
    status: int
    seconds: float
    body: Any = None

    @property
    def ok(self) -> bool:
        """A 2xx answer."""
        return 200 <= self.status < 300

    @property
    def seen(self) -> str:
        """What the user saw: the status and the Chinese message, or the connection error."""
        if self.status == 0:
            return f"no answer ({self.body})"
        detail = self.body.get("detail") if isinstance(self.body, dict) else None
        return f"{self.status} {detail}" if detail else str(self.status)


def request(url: str, body: Any = None, timeout: float = 60) -> Answer:
    """GET (no body) or POST JSON; never raises."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    at = time.monotonic()
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            raw = response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        raw, status = error.read(), error.code
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        return Answer(at, 0, time.monotonic() - at, type(reason).__name__)
    try:
        parsed: Any = json.loads(raw)
    except ValueError:
        parsed = None
    return Answer(at, status, time.monotonic() - at, parsed)


def situation(answer: Answer) -> dict[str, Any]:
    """The situation in a chat answer's last payload."""
    messages = answer.body.get("messages", []) if isinstance(answer.body, dict) else []
    custom = next((m["custom"] for m in reversed(messages) if m.get("custom")), {})
    found: dict[str, Any] = custom.get("situation") or {}
    return found


def keeps_facts(citizen: Citizen) -> bool:
    """Whether the conversation's last answer holds every fact it was told."""
    last = citizen.last
    return last is not None and all(situation(last).get(k) == v for k, v in EXPECTED.items())


@dataclass
class Citizen:
    """One conversation: every attempt of every turn."""

    base: str
    sender: str = field(default_factory=lambda: f"fault-{uuid.uuid4().hex[:10]}")
    attempts: list[tuple[int, Answer]] = field(default_factory=list)
    last: Answer | None = None

    def say(self, turn: int, message: str, retry_for: float = 150) -> Answer:
        """Send ``message``; after a failure, send it again ``RESEND`` seconds later (重新发送).

        All simulated citizens come from 127.0.0.1, one client to the gateway's chat limit
        (60 a minute), so they press 重新发送 no faster than a person would.
        """
        deadline = time.monotonic() + retry_for
        while True:
            answer = request(f"{self.base}/api/chat", {"sender": self.sender, "message": message})
            self.attempts.append((turn, answer))
            if answer.ok or time.monotonic() > deadline:
                self.last = answer
                return answer
            time.sleep(RESEND)


def supervised(stack: Stack) -> tuple[Supervisor, Callable[[], None]]:
    """A supervisor checking twice a second in a thread, as ``hukou serve``; its stop."""
    supervisor = Supervisor(stack, report=lambda line: print(f"  supervisor: {line}", flush=True))
    stopping = threading.Event()

    def run() -> None:
        while not stopping.is_set():
            supervisor.check()
            time.sleep(0.5)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()

    def stop() -> None:
        stopping.set()
        thread.join(timeout=5)

    return supervisor, stop


def production_run(conversations: int) -> dict[str, Any]:
    """Part 1: a worker killed under ``conversations`` conversations."""
    profile = throwaway_profile("hukou_fault")
    first = free_ports(4)
    stack = Stack(rasa_port=first, action_port=first + 2, web_port=first + 3,
                  log_dir=LOGS, profile=profile)  # fmt: skip
    try:
        stack.start(timeout=600)
        base = f"http://127.0.0.1:{stack.web_port}"
        supervisor, stop = supervised(stack)
        citizens = [Citizen(base) for _ in range(conversations)]
        begun = threading.Barrier(conversations + 1)
        killed = threading.Event()

        def converse(citizen: Citizen) -> None:
            citizen.say(0, CONVERSATION[0])
            begun.wait()
            killed.wait(60)
            for turn, message in enumerate(CONVERSATION[1:], 1):
                citizen.say(turn, message)

        with ThreadPoolExecutor(conversations) as pool:
            futures = [pool.submit(converse, c) for c in citizens]
            begun.wait()
            kill_at = time.monotonic()
            stack.kill_worker(0)
            killed.set()
            for future in futures:
                future.result()
        done = time.monotonic()
        while not supervisor.restarts.get("rasa") and time.monotonic() - kill_at < 120:
            time.sleep(0.2)
        stack.wait_for_worker(0, timeout=600)
        back = time.monotonic() - kill_at
        stop()
        stored = stored_messages(profile)
    finally:
        stack.stop()
        discard(profile)
    return {
        "citizens": citizens,
        "kill_at": kill_at,
        "finished_after": done - kill_at,
        "worker_back_after": back,
        "stored": stored,
    }


def stored_messages(profile: Profile) -> Counter[str]:
    """How many user messages PostgreSQL holds per conversation."""
    assert profile.tracker_url
    engine = sa.create_engine(profile.tracker_url, hide_parameters=True)
    with engine.connect() as connection:
        query = "SELECT sender_id, count(*) FROM events WHERE type_name = 'user' GROUP BY sender_id"
        rows = connection.execute(sa.text(query)).all()
    engine.dispose()
    return Counter({sender: count for sender, count in rows})


PROBES: dict[str, tuple[str, Any]] = {
    "widget /": ("/", None),
    "hotline page /staff": ("/staff", None),
    "lookup POST /api/lookup": ("/api/lookup", {"text": "我在醴陵城里租房，想把户口迁过来"}),
    "search /api/search": ("/api/search?q=%E8%90%BD%E6%88%B7", None),
    "FAQ page /faq": ("/faq", None),
    "/healthz": ("/healthz", None),
}


@dataclass
class Probe:
    """Asks one route four times a second and keeps every answer."""

    name: str
    url: str
    body: Any
    answers: list[Answer] = field(default_factory=list)

    def run(self, stopping: threading.Event) -> None:
        """Until ``stopping``."""
        while not stopping.is_set():
            self.answers.append(request(self.url, self.body, timeout=10))
            time.sleep(0.25)


def outage(answers: list[Answer], since: float, until: float) -> dict[str, Any]:
    """The failed answers between ``since`` and ``until``: how many, what, for how long."""
    window = [a for a in answers if since <= a.at < until]
    failed = [a for a in window if not a.ok]
    if not failed:
        return {"failed": 0, "of": len(window), "down": 0.0, "seen": []}
    last_failure = failed[-1].at
    recovered = next((a.at for a in window if a.ok and a.at > last_failure), until)
    seen = Counter(a.seen for a in failed).most_common(3)
    return {"failed": len(failed), "of": len(window), "down": recovered - failed[0].at,
            "seen": seen}  # fmt: skip


def embedded_run(settle: float) -> dict[str, Any]:
    """Part 2: each process of the embedded ``hukou serve`` killed in turn."""
    first = free_ports(4)
    # The embedded default (conversations in SQLite), on a file of this run's own.
    tracker = Path(tempfile.mkdtemp(prefix="hukou-faults-")) / "conversations.sqlite3"
    profile = Profile.from_env({"HUKOU_TRACKER_URL": f"sqlite:///{tracker}"})
    stack = Stack(rasa_port=first, action_port=first + 2, web_port=first + 3, log_dir=LOGS,
                  profile=profile)  # fmt: skip
    kills: list[dict[str, Any]] = []
    try:
        stack.start(timeout=600)
        base = f"http://127.0.0.1:{stack.web_port}"
        supervisor, stop = supervised(stack)
        probes = [Probe(name, base + path, body) for name, (path, body) in PROBES.items()]
        stopping = threading.Event()
        threads = [threading.Thread(target=p.run, args=(stopping,), daemon=True) for p in probes]
        for thread in threads:
            thread.start()
        for name in stack.names:
            citizens = [Citizen(base) for _ in range(4)]
            for citizen in citizens:
                citizen.say(0, CONVERSATION[0])
            time.sleep(settle)
            kill_at = time.monotonic()
            stack.process(name).kill()
            time.sleep(0.5)
            with ThreadPoolExecutor(len(citizens)) as pool:
                for turn, message in enumerate(CONVERSATION[1:], 1):
                    list(pool.map(lambda c, t=turn, m=message: c.say(t, m), citizens))
            restarted = time.monotonic()
            stack.wait_for(name, timeout=600)
            back = time.monotonic() - kill_at
            time.sleep(settle)
            until = time.monotonic()
            kills.append({
                "process": name,
                "back_after": back,
                "restarts": dict(supervisor.restarts),
                "probes": {p.name: outage(p.answers, kill_at, until) for p in probes},
                "chat": chat_outcome(citizens, kill_at),
                "chat_done_after": restarted - kill_at,
            })  # fmt: skip
        stopping.set()
        for thread in threads:
            thread.join(timeout=15)
        stop()
    finally:
        stack.stop()
    return {"kills": kills}


def chat_outcome(citizens: list[Citizen], since: float) -> dict[str, Any]:
    """What the conversations saw after ``since``, and whether they kept their facts."""
    after = [a for c in citizens for _, a in c.attempts if a.at >= since]
    failed = [a for a in after if not a.ok]
    first_ok = [
        next((a.at for _, a in c.attempts if a.at >= since and a.ok), None) for c in citizens
    ]
    waits = [t - since for t in first_ok if t is not None]
    kept = sum(1 for c in citizens if keeps_facts(c))
    return {
        "attempts": len(after),
        "failed": len(failed),
        "seen": Counter(a.seen for a in failed).most_common(3),
        "first_answer_after": max(waits) if len(waits) == len(citizens) else None,
        "kept": kept,
        "conversations": len(citizens),
    }


def production_section(result: dict[str, Any]) -> list[str]:
    """The report's part 1."""
    citizens: list[Citizen] = result["citizens"]
    kill_at = result["kill_at"]
    failed = [(c, a) for c in citizens for _, a in c.attempts if not a.ok]
    affected = {c.sender for c, _ in failed}
    extra = [
        max(a.at + a.seconds for _, a in c.attempts) - kill_at
        for c in citizens if c.sender in affected
    ]  # fmt: skip
    slow = max((a.seconds for c in citizens for _, a in c.attempts if a.at >= kill_at), default=0)
    kept = [c for c in citizens if keeps_facts(c)]
    stored = result["stored"]
    once = sum(1 for c in citizens if stored.get(c.sender) == len(CONVERSATION))
    lines = [
        "## 1. Production profile: a Rasa worker killed under 16 conversations",
        "",
        f"{len(citizens)} conversations of {len(CONVERSATION)} turns "
        f"({'、'.join(CONVERSATION)}) through the gateway, two workers, PostgreSQL / Redis / "
        "RabbitMQ on loopback; worker 0 killed with SIGKILL once every conversation had its "
        "first answer; the supervisor restarts it.",
        "",
        f"* **What users saw:** {len(citizens) - len(affected)} of {len(citizens)} "
        f"conversations never saw an error; the slowest turn after the kill took {slow:.1f} s. "
        + (f"{len(affected)} saw {len(failed)} failed turns ("
           + "; ".join(f"{n}× “{s}”" for s, n in Counter(a.seen for _, a in failed).most_common(3))
           + f"), sent again and answered; their last answer came {max(extra):.1f} s after "
           "the kill." if failed else "No turn failed: the gateway sent the killed worker's "
           "conversations to the other worker, which read them from PostgreSQL."),
        f"* **Until it answered again:** all {len(citizens)} conversations finished "
        f"{result['finished_after']:.1f} s after the kill; the killed worker was restarted and "
        f"answered again after {result['worker_back_after']:.1f} s (model loading).",
        f"* **What was lost:** {len(citizens) - len(kept)} conversations lost a fact "
        f"({len(kept)} of {len(citizens)} ended with goal, housing and social insurance as "
        f"said); PostgreSQL holds each of the {len(CONVERSATION)} messages exactly once for "
        f"{once} of {len(citizens)} conversations.",
        "",
    ]  # fmt: skip
    return lines


def embedded_section(result: dict[str, Any]) -> list[str]:
    """The report's part 2."""
    lines = [
        "## 2. Embedded `hukou serve`: each process killed in turn",
        "",
        "Probes ask each route four times a second (10 s timeout); four conversations send their "
        "second and third turns right after the kill (sent again 5 s after a failure). “down” is "
        "from the first failed answer to the first good one after the last failure.",
        "",
    ]
    for kill in result["kills"]:
        chat = kill["chat"]
        lines += [
            f"### `{kill['process']}` killed — answering again after {kill['back_after']:.1f} s",
            "",
            "| route | failed / asked | down | what it answered |",
            "|---|---|---|---|",
        ]
        for name, o in kill["probes"].items():
            seen = "; ".join(f"{n}× {s}" for s, n in o["seen"]) or "—"
            lines.append(f"| {name} | {o['failed']} / {o['of']} | {o['down']:.1f} s | {seen} |")
        seen = "; ".join(f"{n}× “{s}”" for s, n in chat["seen"]) or "no error"
        first = chat["first_answer_after"]
        lines += [
            f"| chat (4 conversations) | {chat['failed']} / {chat['attempts']} | "
            f"{first:.1f} s until every conversation had an answer | {seen} |"
            if first is not None
            else f"| chat (4 conversations) | {chat['failed']} / {chat['attempts']} | "
            f"not every conversation answered | {seen} |",
            "",
            f"Conversations that kept their facts across the kill: {chat['kept']} of "
            f"{chat['conversations']}.",
            "",
        ]
    return lines


def main() -> None:
    """Run both parts and write the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=16)
    parser.add_argument("--settle", type=float, default=3.0, help="seconds before and after a kill")
    parser.add_argument("--skip-production", action="store_true")
    args = parser.parse_args()
    started = dt.datetime.now(dt.timezone.utc)
    sections = []
    if not args.skip_production:
        print("part 1: production profile", flush=True)
        sections += production_section(production_run(args.conversations))
    print("part 2: embedded hukou serve", flush=True)
    sections += embedded_section(embedded_run(args.settle))
    text = "\n".join([
        "# Fault report: processes killed under load",
        "",
        f"`make fault-report` (`benchmarks/faults.py`), {started:%Y-%m-%d %H:%M} UTC, this "
        "2-core machine (shared with other work), loopback. Processes are killed with SIGKILL "
        "(as a crash or the OOM killer would) and restarted by `hukou serve`'s supervisor "
        "(1 s after the first crash).",
        "",
        *sections,
    ])  # fmt: skip
    REPORT.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
