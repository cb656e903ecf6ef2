"""The WeChat channel under load: pushes per second, the passive reply's p95, the 客服 share.

Runs the gateway (uvicorn, one process, as ``hukou serve`` starts it) with the channel on, in
front of a **fake** Rasa and a fake WeChat API on loopback (``tests/support/wechat.py``): this
measures the channel and the gateway, not the assistant, whose own latency is drawn per turn:

* ``measured``: lognormal with the production profile's measured median and p95 at 32
  conversations (460 ms, 925 ms; ``reports/load-benchmark.md``);
* ``degraded``: uniform 2–7 s, an assistant far slower than WeChat's 5 seconds, so that a
  good share of turns must fall back to 客服消息;
* ``real`` (only with ``--scenario real``): the trained assistant itself, ``hukou serve``'s
  embedded stack (one Rasa worker, the action server) on this machine, each push a real turn.

32 simulated users each send ``--pushes`` signed text pushes one after another (the next once
they have the previous answer, passive or through 客服); every fifth push is also delivered a
second time at once, as WeChat's retry would be, to load the dedup path. Bounded: a fixed
number of pushes, each with a timeout. Writes ``reports/wechat-load.json`` and ``.md``.
Run: ``uv run --frozen python -m benchmarks.wechat_load`` (about 80 s).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import sys
import time
from contextlib import ExitStack
from typing import Any

import httpx

from bot.paths import ROOT
from bot.stack.processes import Stack
from tests.support.services import free_port
from tests.support.wechat import FakeRasa, FakeWeChatApi, gateway_process, signed_query, text_push

USERS = 32
SCENARIOS = {
    # median 0.46 s, p95 0.925 s: sigma = ln(0.925/0.46) / 1.645
    "measured": lambda rng: rng.lognormvariate(math.log(0.46), math.log(0.925 / 0.46) / 1.645),
    "degraded": lambda rng: rng.uniform(2.0, 7.0),
}


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile of ``values`` (seconds)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)] if ordered else 0.0


async def load(url: str, pushes: int, api: FakeWeChatApi) -> dict[str, Any]:
    """32 users, ``pushes`` each; latencies of the first deliveries and what they got.

    A user sends the next push once they have their answer: at once after a passive reply,
    after the 客服 message arrives (at the fake API) after a ``success``.
    """
    latencies: list[float] = []
    outcomes = {"passive": 0, "success": 0, "error": 0}
    msg_ids = iter(range(10**9))

    async with httpx.AsyncClient(timeout=10, limits=httpx.Limits(max_connections=128)) as http:

        async def deliver(body: str) -> httpx.Response:
            return await http.post(f"{url}/wechat/oa", params=signed_query(), content=body)

        async def kefu_answer(openid: str, seen: int, timeout: float = 10.0) -> int:
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                count = sum(1 for user, _ in list(api.sent) if user == openid)
                if count > seen:
                    return count
                await asyncio.sleep(0.05)
            return seen

        async def user(n: int) -> None:
            openid = f"oLoadUser_{n:04d}"
            received = 0
            for k in range(pushes):
                body = text_push(f"第{k}个问题：进城落户要什么条件", str(next(msg_ids)), openid)
                started = time.perf_counter()
                try:
                    if k % 5 == 4:  # WeChat's retry arriving with the first delivery
                        responses = list(await asyncio.gather(deliver(body), deliver(body)))
                    else:
                        responses = [await deliver(body)]
                except httpx.HTTPError:
                    outcomes["error"] += 1
                    continue
                latencies.append(time.perf_counter() - started)
                if any(r.status_code != 200 for r in responses):
                    outcomes["error"] += 1
                elif any(
                    r.headers["content-type"].startswith("application/xml") for r in responses
                ):
                    outcomes["passive"] += 1
                else:
                    outcomes["success"] += 1
                    received = await kefu_answer(openid, received)

        started = time.perf_counter()
        await asyncio.gather(*(user(n) for n in range(USERS)))
        wall = time.perf_counter() - started
    return {"latencies": latencies, "outcomes": outcomes, "wall": wall}


def run(scenario: str, pushes: int) -> dict[str, Any]:
    """One scenario end to end: fakes, gateway, load, the 客服 deliveries that followed."""
    # Each user's message opens a new allowance, so over ten messages more than 5 may go.
    api = FakeWeChatApi(per_user=1000)
    fake: FakeRasa | None = None  # counts the turns; the real Rasa does not
    with ExitStack() as running:
        if scenario == "real":
            stack = Stack(rasa_port=free_port(), action_port=free_port(),
                          log_dir=ROOT / "artifacts" / "wechat-load-logs")  # fmt: skip
            running.callback(stack.stop)
            stack.start(timeout=420)
            rasa_url = f"http://127.0.0.1:{stack.rasa_port}"
            settings = {
                "HUKOU_ACTION_URL": f"http://127.0.0.1:{stack.action_port}",
                "HUKOU_RASA_TOKEN": stack.rasa_token,
            }
        else:
            rng, draw = random.Random(17), SCENARIOS[scenario]
            fake = FakeRasa(delay=lambda: float(draw(rng)))
            rasa_url = fake.url
            # The drawn latencies are end-to-end ones measured *through* the gateway's line of
            # 4 per worker (reports/load-benchmark.md): lining up again would count it twice.
            settings = {"HUKOU_WORKER_CONCURRENCY": "0"}
        settings["HUKOU_RATE_LIMIT_PER_MINUTE"] = "0"  # the channel, not the limiter
        url = running.enter_context(gateway_process(rasa_url, api.url, **settings))
        result = asyncio.run(load(url, pushes, api))
        total = USERS * pushes
        # The turns still running when the load ended finish within 7 s and are sent.
        deadline = time.monotonic() + 10
        while len(api.sent) < result["outcomes"]["success"] and time.monotonic() < deadline:
            time.sleep(0.2)
    latencies = result["latencies"]
    return {
        "scenario": scenario,
        "users": USERS,
        "pushes": total,
        "retries": USERS * (pushes // 5),
        "turns_at_rasa": None if fake is None else len(fake.received),
        "pushes_per_s": round(total / result["wall"], 1),
        "p50_ms": round(percentile(latencies, 0.50) * 1000, 1),
        "p95_ms": round(percentile(latencies, 0.95) * 1000, 1),
        "max_ms": round(max(latencies, default=0.0) * 1000, 1),
        "passive": result["outcomes"]["passive"],
        "fell_back": result["outcomes"]["success"],
        "fell_back_share": round(result["outcomes"]["success"] / total, 3),
        "kefu_sent": len(api.sent),
        "token_fetches": api.fetches,
        "errors": result["outcomes"]["error"],
    }


def report(rows: list[dict[str, Any]]) -> str:
    """The Markdown report."""
    lines = [
        "# WeChat channel under load (benchmarks/wechat_load.py)",
        "",
        f"Machine: {os.cpu_count()} CPUs (shared with other work), Python "
        f"{sys.version.split()[0]}; run {time.strftime('%Y-%m-%d %H:%M')} UTC. The gateway in "
        "its own process; Rasa and WeChat's API are loopback fakes (see the docstring).",
        "",
        "| scenario | users | pushes | turns at Rasa | pushes/s | p50 ms | p95 ms | max ms | "
        "passive | fell back to 客服 | 客服 sent | token fetches | errors |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        turns = "–" if r["turns_at_rasa"] is None else r["turns_at_rasa"]
        lines.append(
            f"| {r['scenario']} | {r['users']} | {r['pushes']} (+{r['retries']} retries) | "
            f"{turns} | {r['pushes_per_s']} | {r['p50_ms']} | {r['p95_ms']} | "
            f"{r['max_ms']} | {r['passive']} | {r['fell_back']} "
            f"({r['fell_back_share']:.1%}) | {r['kefu_sent']} | {r['token_fetches']} | "
            f"{r['errors']} |"
        )
    lines += [
        "",
        "- Latency: from sending the push to its reply (passive XML or `success`; for a push",
        "  delivered twice, until both were answered); the budget is 4 s, WeChat's limit 5 s.",
        "- A user sends the next push once they have the answer (after a `success`, when the",
        "  客服 message has arrived): pushes/s is what 32 such users get through.",
        "- *passive*: one of the deliveries got the answer as XML (never both, see the tests);",
        "- *turns at Rasa* (counted by the fake) equals *pushes*: no retry ran a turn again.",
        "- *fell back*: answered `success` at the budget, the answer then sent through 客服消息",
        "  (counted at the fake API; each user's message opens WeChat's allowance of 5 anew).",
        "- *real*: `hukou serve`'s embedded stack (one Rasa worker and the action server, the",
        "  trained model) on the same 2 shared cores as the gateway and the load; the production",
        "  profile's two workers would take more (reports/load-benchmark.md).",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    """Run the scenarios and write the reports."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pushes", type=int, default=10, help="pushes per user (default 10)")
    parser.add_argument("--scenario", choices=[*sorted(SCENARIOS), "real"], action="append")
    args = parser.parse_args()
    path = ROOT / "reports" / "wechat-load.json"
    # A scenario run again replaces its row; the other scenarios' rows stay.
    kept = {row["scenario"]: row for row in json.loads(path.read_text())} if path.exists() else {}
    for scenario in args.scenario or list(SCENARIOS):
        kept[scenario] = run(scenario, args.pushes)
    rows = list(kept.values())
    path.write_text(json.dumps(rows, indent=2) + "\n")
    (ROOT / "reports" / "wechat-load.md").write_text(report(rows), encoding="utf-8")
    print(report(rows))


if __name__ == "__main__":
    main()
