"""Policy search against an independent query set: top-1 and top-3 → ``reports/search.md``.

Run with ``make report-search`` (a few seconds). The queries (``tests/data/search/``) were
written by another session that never saw the search code or its synonyms (see the set's
README); each names the clause an operator wants first (and at most one more that is also
acceptable), or none when the policy does not cover it. Synonyms are tuned on ``dev`` only;
``test`` is reported as it comes.

* **top-1** — the first hit is the wanted clause; **top-3** — it is among the first three.
  The *lenient* columns also accept the second clause named.
* **Out of scope** (``expected: []``) — the query should find nothing, so that the page says
  what the policy covers instead of showing unrelated clauses.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.paths import ROOT
from bot.policy import load_knowledge
from bot.retrieval.policy_search import PolicySearch

QUERIES = ROOT / "tests" / "data" / "search"
REPORT = ROOT / "reports" / "search.md"
SPLITS = ("dev", "test")
TARGET = 0.9


@dataclass(frozen=True)
class Scores:
    """One split's rates."""

    queries: int
    top1: int
    top3: int
    top1_any: int
    top3_any: int
    out_of_scope: int
    out_of_scope_empty: int
    misses: list[dict[str, Any]]

    def rate(self, count: int, total: int) -> str:
        """``count/total (xx.x%)``."""
        return f"{count}/{total} ({100 * count / total:.1f}%)" if total else "—"


def load(split: str) -> list[dict[str, Any]]:
    """The queries of ``split`` (``dev`` or ``test``)."""
    data = yaml.safe_load((QUERIES / f"{split}.yml").read_text(encoding="utf-8"))
    return [dict(entry) for entry in data]


def score(index: PolicySearch, queries: list[dict[str, Any]]) -> Scores:
    """Search every query and count where the wanted clause lands."""
    top1 = top3 = top1_any = top3_any = oos = oos_empty = 0
    misses: list[dict[str, Any]] = []
    for entry in queries:
        expected = [str(e) for e in entry.get("expected") or []]
        ids = [hit.clause.id for hit in index.search(str(entry["q"]), 3)]
        if not expected:
            oos += 1
            oos_empty += not ids
            if ids:
                misses.append({"q": entry["q"], "expected": [], "got": ids})
            continue
        top1 += ids[:1] == expected[:1]
        top3 += expected[0] in ids
        top1_any += bool(ids[:1]) and ids[0] in expected
        top3_any += any(e in ids for e in expected)
        if expected[0] not in ids:
            misses.append({"q": entry["q"], "expected": expected, "got": ids})
    return Scores(len(queries) - oos, top1, top3, top1_any, top3_any, oos, oos_empty, misses)


def render(results: dict[str, Scores]) -> str:
    """The report's Markdown."""
    lines = [
        "# Policy search against an independent query set",
        "",
        "`make report-search` (`python -m benchmarks.search`) runs `bot.retrieval.policy_search`",
        "over `tests/data/search/` — queries written by a separate session that saw neither the",
        "search code nor the synonyms (see that folder's README). Synonyms were tuned on `dev`",
        "only; `test` was never looked at and is reported as it comes.",
        "",
        "| split | queries | top-1 | top-3 | top-1 (2nd also ok) | top-3 (2nd also ok) "
        "| out of scope with no hit |",
        "|---|---|---|---|---|---|---|",
    ]
    for split, s in results.items():
        lines.append(
            f"| {split} | {s.queries} | {s.rate(s.top1, s.queries)} | {s.rate(s.top3, s.queries)}"
            f" | {s.rate(s.top1_any, s.queries)} | {s.rate(s.top3_any, s.queries)}"
            f" | {s.rate(s.out_of_scope_empty, s.out_of_scope)} |"
        )
    lines += [
        "",
        "top-1: the first hit is the clause the operator wants first; top-3: it is among the",
        "first three. Out-of-scope queries (`expected: []`) count as right when nothing is found",
        "(the page then lists what the policy covers).",
        "",
        "Target (issue 15): top-3 ≥ 90%. "
        + "; ".join(
            f"{split}: {'met' if sc.queries and sc.top3 / sc.queries >= TARGET else 'not met'}"
            for split, sc in results.items()
        )
        + ". A gap between dev and test is what tuning on dev alone leaves: the test half's",
        "misses are not looked at, so they are not in this report.",
        "",
    ]
    if "dev" in results:
        lines += ["## dev misses (what tuning looked at)", ""]
        for miss in results["dev"].misses:
            wanted = ", ".join(miss["expected"]) or "（无）"
            got = ", ".join(miss["got"]) or "（无）"
            lines.append(f"* {miss['q']} — wanted {wanted}; got {got}")
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """Score the splits; write the report unless ``--split dev`` (tuning) is asked for."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=SPLITS, help="score one split and print its misses")
    args = parser.parse_args(argv)
    index = PolicySearch(load_knowledge())
    if args.split:
        s = score(index, load(args.split))
        print(json.dumps({k: v for k, v in s.__dict__.items()}, ensure_ascii=False, indent=1))
        return
    results = {split: score(index, load(split)) for split in SPLITS}
    Path(REPORT).write_text(render(results), encoding="utf-8")
    for split, s in results.items():
        print(f"{split}: top-1 {s.rate(s.top1, s.queries)}, top-3 {s.rate(s.top3, s.queries)}")
    print(f"→ {REPORT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
