"""A citizen's situation: the engine's input, as stated facts and unknowns.

The dialogue, the web gateway and the CLI each build one from what the citizen said (slots,
JSON, a file) and hand it to :func:`bot.policy.engine.assess`. Validation happens here, once,
against the vocabulary in :mod:`bot.policy.facts`, so no caller can pass a fact the clause
conditions do not know.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.policy.facts import FACTS, FactValue

UNKNOWN_WORDS = frozenset({"unknown", "不清楚", "不知道", ""})
"""Answers that mean "I do not know": the fact stays unknown, never false."""


class SituationError(ValueError):
    """A situation names a fact the engine does not know, or a value the fact cannot take."""


@dataclass(frozen=True)
class Situation:
    """What is known about a citizen: each fact true/false/a value, or unknown.

    Build one with :meth:`of` (keyword facts) or :meth:`from_mapping` (JSON-like data).
    """

    facts: Mapping[str, FactValue] = field(default_factory=dict)

    @classmethod
    def of(cls, **facts: FactValue | None) -> Situation:
        """Build a situation from keyword facts; ``None`` means unknown."""
        return cls.from_mapping(facts)

    @classmethod
    def from_mapping(cls, data: Mapping[str, object]) -> Situation:
        """Build a situation from a mapping, validating names and values.

        ``None``, ``"unknown"``, ``"不清楚"`` and ``"不知道"`` mean unknown.

        Raises:
            SituationError: A fact name is unknown or a value is not allowed.
        """
        known: dict[str, FactValue] = {}
        for name, value in data.items():
            fact = FACTS.get(name)
            if fact is None:
                raise SituationError(f"未知的情况项 '{name}'（可用：{', '.join(FACTS)}）")
            if value is None or (isinstance(value, str) and value.strip() in UNKNOWN_WORDS):
                continue
            if not fact.accepts(value):
                allowed = "true / false" if fact.is_bool else " / ".join(fact.values)
                raise SituationError(
                    f"'{name}' 的取值 {value!r} 无效（可用：{allowed}，或 null 表示不清楚）"
                )
            known[name] = value  # type: ignore[assignment]
        return cls(dict(known))

    def get(self, name: str) -> FactValue | None:
        """Return a fact's value, ``None`` when unknown."""
        return self.facts.get(name)

    def with_facts(self, **changes: FactValue | None) -> Situation:
        """Return a copy with some facts set (``None`` makes a fact unknown again)."""
        merged: dict[str, object] = dict(self.facts)
        merged.update(changes)
        return Situation.from_mapping(merged)

    def to_dict(self) -> dict[str, FactValue]:
        """Return the known facts as a plain dict, in fact order."""
        return {name: self.facts[name] for name in FACTS if name in self.facts}
