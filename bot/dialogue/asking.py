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

from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path

import yaml

from bot.policy.engine import Assessment

WEIGHTS_FILE = Path(__file__).with_name("asking.yml")
DEFAULT_WEIGHT = 1.0
WHO_FACTS = ("join_relative",)
"""Who is moving, with whom: asked right after the goal unless the words already point on."""


@cache
def route_weights() -> Mapping[str, float]:
    """Clause id → how common the route is (``asking.yml``)."""
    raw = yaml.safe_load(WEIGHTS_FILE.read_text(encoding="utf-8")) or {}
    routes = raw.get("routes") or {}
    return {str(cid): float(weight) for cid, weight in routes.items()}


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
