"""The order the assistant asks in: what settles the most likely routes first.

The engine says which facts are still unknown (:attr:`Assessment.missing`, in its order) and
which routes could still apply (:attr:`Assessment.possible`, each with the facts it still
needs). Choosing 在醴陵城镇落户 from the menu took seven taps before the housing question,
because the engine's order lists the family route's five facts first. Here each missing fact
is scored by how much route it can settle: for every possible route that turns on it, the
route's weight (how common the route is, ``asking.yml``) divided by how many facts that route
still needs. One answer that can settle a common route (住房) beats one of five answers that
together settle another. Facts the citizen's own words already point to (a route with stated
reasons) keep the engine's order first; then who is moving with whom (:data:`WHO_FACTS`:
投靠配偶、父母、子女, or nobody), which tells apart the family routes from the citizen's own;
and a fact already stated is never asked (it is not missing).

Pure: no Rasa import; the weights are data.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from bot.policy.engine import Assessment
from bot.policy.facts import FACTS

WEIGHTS_FILE = Path(__file__).with_name("asking.yml")
DEFAULT_WEIGHT = 1.0
NONE_OF_THEM = "都不是"
WHO_FACTS = ("join_relative",)
"""Who is moving, with whom: asked right after the goal unless the words already point on."""


@cache
def _settings() -> dict[str, Any]:
    raw = yaml.safe_load(WEIGHTS_FILE.read_text(encoding="utf-8")) or {}
    groups = [tuple(str(name) for name in group) for group in raw.get("at_once") or []]
    short = {str(k): str(v) for k, v in (raw.get("short") or {}).items()}
    unknown = {name for group in groups for name in group} - set(FACTS)
    if unknown or set(short) - set(FACTS):
        raise ValueError(f"{WEIGHTS_FILE.name}: unknown facts {sorted(unknown | set(short))}")
    return {
        "routes": {str(cid): float(w) for cid, w in (raw.get("routes") or {}).items()},
        "at_once": tuple(groups),
        "short": short,
    }


def route_weights() -> Mapping[str, float]:
    """Clause id → how common the route is (``asking.yml``)."""
    routes: Mapping[str, float] = _settings()["routes"]
    return routes


def asked_together(fact: str, to_ask: Sequence[str]) -> tuple[str, ...]:
    """The facts one question asks when ``fact`` is next: its ``at_once`` group still to ask.

    Just ``fact`` when its group has no other fact still to ask (or it has no group).
    """
    for group in _settings()["at_once"]:
        if fact in group:
            together = tuple(name for name in to_ask if name in group)
            if fact in together and len(together) > 1:
                return together
    return (fact,)


def short_label(fact: str) -> str:
    """A fact's quick-reply title in a combined question (its label when none is set)."""
    label: str = _settings()["short"].get(fact, FACTS[fact].label)
    return label


def together_buttons(facts: Sequence[str]) -> list[dict[str, str]]:
    """The quick replies of a combined question: 都不是 (all false), each status, 不清楚."""
    none_of = {name: "false" for name in facts}
    buttons = [{"title": NONE_OF_THEM, "payload": "/inform" + json.dumps(none_of)}]
    buttons += [
        {"title": short_label(name), "payload": "/inform" + json.dumps({name: "true"})}
        for name in facts
    ]
    buttons.append({"title": "不清楚", "payload": "/dont_know"})
    return buttons


def together_question(facts: Sequence[str]) -> str:
    """The text of a combined question: each status in full, one a line."""
    lines = ["您属于下面哪种情形？都不是请点“都不是”。"]
    lines += [f"· {FACTS[name].label}" for name in facts]
    return "\n".join(lines)


def asking_order(
    assessment: Assessment,
    skipped: Iterable[str] = (),
    weights: Mapping[str, float] | None = None,
) -> list[str]:
    """The missing facts in the order to ask them, minus those the citizen could not answer.

    ``goal`` first when unknown; then the facts of routes the citizen's words point to, in
    the engine's order; then who is moving; then the rest by how much likely route one
    answer can settle.
    """
    weights = route_weights() if weights is None else weights
    skip = set(skipped)
    missing = [name for name in assessment.missing if name not in skip]
    position = {name: index for index, name in enumerate(missing)}
    pointed: set[str] = set()
    score: dict[str, float] = dict.fromkeys(missing, 0.0)
    for finding in assessment.possible:
        unknown = [name for name in finding.unknown if name in position]
        if not unknown:
            continue
        if finding.reasons:
            pointed.update(unknown)
        share = weights.get(finding.clause.id, DEFAULT_WEIGHT) / len(unknown)
        for name in unknown:
            score[name] += share

    def key(name: str) -> tuple[bool, bool, bool, float, int]:
        who = name in WHO_FACTS
        return (name != "goal", name not in pointed, not who, -score[name], position[name])

    return sorted(missing, key=key)
