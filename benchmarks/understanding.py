"""How well the assistant understands words nobody tuned for: the issue-13 corpus, both paths.

Sends every case of ``tests/data/understanding/`` (written apart from the project; the dev
halves are tuned on, ``test.yml`` and ``test2.yml`` never) to the running assistant, as a
citizen and as the hotline would:

* **chat** — ``POST /api/chat``, a new conversation per case, the citizen's turns in order; a
  single message is judged on the first reply, a dialogue on the reply to its last turn;
* **lookup** — ``POST /api/lookup`` with the case's turns as one description (joined by 。).

Judging, the same for both paths (the issue's definition):

* the clauses an answer *names* are, in order, those its payloads cite (an assessment's
  ``clauses``, then its ``possible`` ones; a topic or FAQ answer's ``clauses``); the clauses it
  *gives as applicable* are those of an assessment whose outcome is ``eligible``;
* a case is **right** when one of its expected clauses is among the first three named and no
  forbidden clause is given as applicable; a case that expects no clause (out of scope,
  nonsense) is right when nothing is given as applicable;
* **facts**: each expected fact of the applicant found with its value (recall), and each
  ``not_facts`` value that was wrongly given to the applicant (misattribution). The lookup's
  ``understood`` and the chat assessment's ``situation`` are read; a chat reply without an
  assessment shows no facts and is left out of the chat fact figures;
* **agreement**: the chat and lookup facts are equal (cases where the chat shows them).

**Rules only** (the path ``rules``): the lookup's answer with the learned layer taken away —
the same fact rules and attribution, read in this process, with no intent classifier (no
topic answers, no declines, no goal from an intent). The difference to ``lookup`` is what the
learned layer (the intent classifier, :mod:`bot.rasa_ext.classifier`) adds.

The report lists the dev half's failures (tune on those only) and the test half's figures
alone. Writes ``reports/understanding.md`` and ``.json``. Run: ``make eval-understanding``
(≈ 4 min: starts the whole assistant on loopback).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import yaml

from bot.paths import ROOT
from bot.policy.clock import today as liling_today
from bot.stack.processes import Stack

CORPUS = ROOT / "tests" / "data" / "understanding"
CONCURRENCY = 4
DEV_HALVES = ("dev", "dev2", "dev3", "dev4")
"""Tuned on. dev2, dev3, dev4 were written later (tests/data/understanding/README.md)."""
TEST_HALVES = ("test", "test2")
"""Never tuned on: test2 is dev4's other half, split from the same material."""


@dataclass
class Reading:
    """What one answer said, in the terms the corpus is judged in."""

    named: list[str] = field(default_factory=list)
    applicable: list[str] = field(default_factory=list)
    facts: dict[str, Any] | None = None
    kinds: list[str] = field(default_factory=list)
    error: str | None = None


def read_payloads(payloads: list[dict[str, Any]]) -> Reading:
    """Read the clauses named, those given as applicable and the facts from an answer."""
    reading = Reading()
    for p in payloads:
        reading.kinds.append(str(p.get("type")))
        if p.get("type") == "question" and isinstance(p.get("answer"), dict):
            # A turn that asks sends the card only when the answer changed; the question's
            # payload names the answer in force (the card shown for it).
            p = {"type": "assessment", **p["answer"]}
        ids = [c["id"] for c in p.get("clauses", [])]
        if p.get("type") == "assessment_unchanged":
            # The same card as the turn before (not sent again): its clauses by id.
            ids = [str(i) for i in p.get("cited", [])]
            if p.get("outcome") == "eligible":
                reading.applicable += ids
            reading.facts = dict(p.get("situation") or {})
        if p.get("type") == "assessment":
            ids += [c["id"] for c in p.get("possible", [])]
            if p.get("outcome") == "eligible":
                reading.applicable += [c["id"] for c in p.get("clauses", [])]
            reading.facts = dict(p.get("situation") or {})
        for clause_id in ids:
            if clause_id not in reading.named:
                reading.named.append(clause_id)
    return reading


def judge(case: dict[str, Any], reading: Reading) -> dict[str, Any]:
    """Judge one reading of one case (see the module docstring)."""
    expect = case["expect"]
    wanted = list(expect.get("clauses") or [])
    forbidden = set(expect.get("forbidden") or [])
    top3 = reading.named[:3]
    given_forbidden = sorted(forbidden & set(reading.applicable))
    if reading.error:
        right = False
    elif wanted:
        right = any(c in top3 for c in wanted) and not given_forbidden
    else:
        right = not reading.applicable
    facts = expect.get("facts") or {}
    not_facts = expect.get("not_facts") or {}
    seen = reading.facts
    fact_hits = fact_total = misattributed = 0
    if seen is not None:
        fact_total = len(facts)
        fact_hits = sum(1 for k, v in facts.items() if seen.get(k) == v)
        misattributed = sum(1 for k, v in not_facts.items() if seen.get(k) == v)
    return {
        "right": right,
        "top3": top3,
        "applicable": reading.applicable,
        "given_forbidden": given_forbidden,
        "facts_seen": seen,
        "fact_hits": fact_hits,
        "fact_total": fact_total,
        "misattributed": misattributed,
        "not_facts_total": len(not_facts) if seen is not None else 0,
        "types": reading.kinds,
        "error": reading.error,
    }


async def ask_chat(session: aiohttp.ClientSession, base: str, case: dict[str, Any]) -> Reading:
    """The citizen's turns in one new conversation; the last reply is read."""
    sender = f"eval-{uuid.uuid4().hex[:12]}"
    reading = Reading(error="no turn")
    for message in case["messages"]:
        async with session.post(
            f"{base}/api/chat", json={"sender": sender, "message": message}
        ) as response:
            if response.status != 200:
                return Reading(error=f"HTTP {response.status}")
            body = await response.json()
        reading = read_payloads([m["custom"] for m in body["messages"] if m.get("custom")])
    return reading


async def ask_lookup(session: aiohttp.ClientSession, base: str, case: dict[str, Any]) -> Reading:
    """The turns as one description on the hotline page."""
    text = "。".join(m.strip().rstrip("。") for m in case["messages"])
    async with session.post(f"{base}/api/lookup", json={"text": text}) as response:
        if response.status != 200:
            return Reading(error=f"HTTP {response.status}")
        body = await response.json()
    reading = read_payloads([body])
    reading.facts = dict(body.get("understood") or {})
    return reading


async def run_all(base: str, cases: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Both paths for every case, ``CONCURRENCY`` conversations at a time."""
    results: dict[str, list[dict[str, Any]]] = {"chat": [], "lookup": []}
    queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    for case in cases:
        queue.put_nowait(case)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(timeout=timeout) as session:

        async def worker() -> None:
            while not queue.empty():
                case = queue.get_nowait()
                for path, ask in (("chat", ask_chat), ("lookup", ask_lookup)):
                    try:
                        reading = await ask(session, base, case)
                    except (aiohttp.ClientError, asyncio.TimeoutError, KeyError) as exc:
                        reading = Reading(error=type(exc).__name__)
                    results[path].append({"case": case, **judge(case, reading)})

        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    for rows in results.values():
        rows.sort(key=lambda row: row["case"]["id"])
    return results


def rules_only(cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every case through the lookup's decision with the fact rules alone (no classifier)."""
    from bot.dialogue.reply import Reading, first_answer
    from bot.nlu.extractor import FactExtractor
    from bot.policy import load_knowledge
    from bot.privacy.masking import mask_pii

    extractor, kb, today = FactExtractor(), load_knowledge(), liling_today()
    rows = []
    for case in cases:
        text = mask_pii("。".join(m.strip().rstrip("。") for m in case["messages"]))
        chosen, asked = extractor.read(text)
        facts = {name: mention.value for name, mention in chosen.items()}
        reading = Reading.from_rules(facts, extractor.other_city(text), asked)
        body = first_answer(reading, {}, kb, today)
        answer = read_payloads([body])
        answer.facts = dict(body.get("understood") or {})
        rows.append({"case": case, **judge(case, answer)})
    return sorted(rows, key=lambda row: row["case"]["id"])


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}% ({part}/{whole})" if whole else "–"


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Accuracy overall, by kind and by expected clause; fact recall and misattribution."""
    by_kind: dict[str, list[bool]] = defaultdict(list)
    per_clause: dict[str, Counter[str]] = defaultdict(Counter)
    for row in rows:
        case = row["case"]
        for kind in case["kinds"]:
            by_kind[kind].append(row["right"])
        wanted = case["expect"].get("clauses") or []
        for clause in wanted:
            per_clause[clause]["expected"] += 1
            per_clause[clause]["found"] += clause in row["top3"]
        for clause in row["applicable"]:
            per_clause[clause]["given"] += 1
            per_clause[clause]["given_right"] += clause in wanted
    declined = [r for r in rows if not (r["case"]["expect"].get("clauses") or [])]
    return {
        "cases": len(rows),
        "right": sum(r["right"] for r in rows),
        "by_kind": {k: [sum(v), len(v)] for k, v in sorted(by_kind.items())},
        "declined_right": [sum(r["right"] for r in declined), len(declined)],
        "forbidden_given": sum(bool(r["given_forbidden"]) for r in rows),
        "fact_hits": sum(r["fact_hits"] for r in rows),
        "fact_total": sum(r["fact_total"] for r in rows),
        "misattributed": sum(r["misattributed"] for r in rows),
        "not_facts_total": sum(r["not_facts_total"] for r in rows),
        "errors": sum(bool(r["error"]) for r in rows),
        "per_clause": {k: dict(v) for k, v in sorted(per_clause.items())},
    }


def agreement(chat: list[dict[str, Any]], lookup: list[dict[str, Any]]) -> list[int]:
    """[same facts, cases where the chat shows facts]."""
    pairs = [(c, lk) for c, lk in zip(chat, lookup, strict=True) if c["facts_seen"] is not None]
    return [sum(c["facts_seen"] == lk["facts_seen"] for c, lk in pairs), len(pairs)]


def report(halves: dict[str, dict[str, list[dict[str, Any]]]], seconds: float) -> str:
    """The Markdown report."""
    lines = [
        "# Understanding on words written apart (make eval-understanding)",
        "",
        f"Corpus: `tests/data/understanding/` (see its README). Run on {time.strftime('%Y-%m-%d')}"
        f" in {seconds:.0f} s. Judging: see `benchmarks/understanding.py`.",
        "",
        "| half | path | right clause (top 3, nothing forbidden) | out of scope declined "
        "| forbidden given | fact recall | facts misattributed | errors |",
        "|---|---|---|---|---|---|---|---|",
    ]
    summaries: dict[tuple[str, str], dict[str, Any]] = {}
    for half, paths in halves.items():
        for path, rows in paths.items():
            s = summaries[half, path] = summarise(rows)
            lines.append(
                f"| {half} | {path} | {_pct(s['right'], s['cases'])} "
                f"| {_pct(*s['declined_right'])} | {s['forbidden_given']} "
                f"| {_pct(s['fact_hits'], s['fact_total'])} "
                f"| {_pct(s['misattributed'], s['not_facts_total'])} | {s['errors']} |"
            )
    lines += ["", "Chat and lookup give the same facts (where the chat's reply shows them):", ""]
    for half, paths in halves.items():
        same, total = agreement(paths["chat"], paths["lookup"])
        lines.append(f"- {half}: {_pct(same, total)}")
    lines += ["", "## By kind of case (right clause)", "", "| kind | " + " | ".join(
        f"{h} {p}" for h in halves for p in ("chat", "lookup")) + " |",
        "|---|" + "---|" * (2 * len(halves))]  # fmt: skip
    kinds = sorted({k for s in summaries.values() for k in s["by_kind"]})
    for kind in kinds:
        cells = [
            _pct(*summaries[h, p]["by_kind"].get(kind, [0, 0]))
            for h in halves
            for p in ("chat", "lookup")
        ]
        lines.append(f"| {kind} | " + " | ".join(cells) + " |")
    lines += ["", "## By clause (lookup; recall = expected and in the top 3, "
              "precision = given as applicable and expected)", "",
              "| clause | " + " | ".join(f"{h} recall | {h} precision" for h in halves) + " |",
              "|---|" + "---|---|" * len(halves)]  # fmt: skip
    clauses = sorted({c for s in summaries.values() for c in s["per_clause"]})
    for clause in clauses:
        cells = []
        for half in halves:
            c = summaries[half, "lookup"]["per_clause"].get(clause, {})
            cells += [
                _pct(c.get("found", 0), c.get("expected", 0)),
                _pct(c.get("given_right", 0), c.get("given", 0)),
            ]
        lines.append(f"| {clause} | " + " | ".join(cells) + " |")
    if "dev" in halves:
        lines += ["", "## Dev failures (tune on these only; the test half's are not listed)", ""]
        for path in ("lookup", "chat"):
            failures = [r for r in halves["dev"][path] if not r["right"]]
            lines += [f"### {path}: {len(failures)}", ""]
            for r in failures:
                case = r["case"]
                said = " / ".join(case["messages"])
                lines.append(
                    f"- `{case['id']}` {said[:80]} — expected {case['expect'].get('clauses')}, "
                    f"top 3 {r['top3']}, applicable {r['applicable']}"
                    + (f", forbidden given {r['given_forbidden']}" if r["given_forbidden"] else "")
                    + (f", error {r['error']}" if r["error"] else "")
                )
            lines.append("")
    return "\n".join(lines) + "\n"


def main() -> None:
    """Start the assistant, run the corpus through both paths, write the reports."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--half", choices=(*DEV_HALVES, *TEST_HALVES, "both"), default="both")
    args = parser.parse_args()
    halves = [*DEV_HALVES, *TEST_HALVES] if args.half == "both" else [args.half]
    corpus = {h: yaml.safe_load((CORPUS / f"{h}.yml").read_text("utf-8")) for h in halves}
    # Measuring understanding, not the limiter: the corpus arrives faster than a citizen types.
    os.environ["HUKOU_RATE_LIMIT_PER_MINUTE"] = "0"
    # A new, empty FAQ database: the assistant as a city gets it, whatever var/ holds here.
    faq = tempfile.TemporaryDirectory(prefix="hukou-eval-")
    stack = Stack(rasa_port=5405, action_port=5455, web_port=5480,
                  log_dir=ROOT / "artifacts" / "eval-logs",
                  database_url=f"sqlite:///{faq.name}/faq.sqlite3")  # fmt: skip
    start = time.monotonic()
    try:
        stack.start(timeout=420)
        base = f"http://127.0.0.1:{stack.web_port}"
        results = {h: asyncio.run(run_all(base, corpus[h])) for h in halves}
    finally:
        stack.stop()
        faq.cleanup()
    for half in halves:
        results[half]["rules"] = rules_only(corpus[half])
    seconds = time.monotonic() - start
    out = ROOT / "reports"
    out.mkdir(exist_ok=True)
    text = report(results, seconds)
    (out / "understanding.md").write_text(text, encoding="utf-8")
    compact = {
        h: {
            p: [
                {"id": r["case"]["id"], **{k: v for k, v in r.items() if k != "case"}} for r in rows
            ]
            for p, rows in paths.items()
        }
        for h, paths in results.items()
    }
    (out / "understanding.json").write_text(
        json.dumps(compact, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    print(text.split("## By kind")[0])


if __name__ == "__main__":
    main()
