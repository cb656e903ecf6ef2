"""Clause conditions as data, evaluated in three-valued (Kleene) logic.

A condition in ``clauses.yml`` is either an atom string or a mapping with one key:

* ``"goal = settle_urban"`` — an enum fact has this value;
* ``"housing in owned, rented"`` — an enum fact has one of these values;
* ``"veteran"`` / ``"veteran = false"`` — a boolean fact is true / false;
* ``{all: [...]}``, ``{any: [...]}``, ``{not: ...}``.

An unknown fact makes an atom unknown, never false: ``all`` is false as soon as one part
is false, ``any`` is true as soon as one part is true, and otherwise the result stays
unknown together with the facts that could still decide it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from bot.policy.facts import FACTS, FactValue


class ConditionError(ValueError):
    """A condition does not parse or names an unknown fact or value."""


class FactSource(Protocol):
    """Anything that can tell a fact's value, ``None`` meaning unknown."""

    def get(self, name: str) -> FactValue | None:
        """Return the fact's value, or ``None`` when it is unknown."""


@dataclass(frozen=True)
class Result:
    """The value of a condition for one situation.

    Attributes:
        value: ``True``, ``False`` or ``None`` (unknown).
        because: The atoms with known values that decided the result: the satisfied atoms
            when true, the failed atoms when false. Empty when unknown.
        unknown: When the value is unknown, the facts that could still decide it, in the
            order the condition names them.
        partial: When the value is unknown, the atoms already satisfied on the way to it
            (what makes the clause a likely candidate).
    """

    value: bool | None
    because: tuple[Atom, ...] = ()
    unknown: tuple[str, ...] = ()
    partial: tuple[Atom, ...] = ()


@dataclass(frozen=True)
class Atom:
    """A test on one fact: its value is one of ``accepted``."""

    fact: str
    accepted: frozenset[FactValue]

    def evaluate(self, facts: FactSource) -> Result:
        """Evaluate the atom against known facts."""
        actual = facts.get(self.fact)
        if actual is None:
            return Result(None, (), (self.fact,))
        return Result(actual in self.accepted, (self,))

    def facts(self) -> tuple[str, ...]:
        """Return the fact this atom turns on."""
        return (self.fact,)

    def describe(self) -> str:
        """Describe what the atom requires in Chinese, e.g. ``住所：自有住房或租房``."""
        fact = FACTS[self.fact]
        if fact.is_bool:
            return fact.describe(next(iter(self.accepted)))
        names = [fact.values[str(v)] for v in sorted(self.accepted, key=str)]
        return f"{fact.label}：{'或'.join(names)}"


@dataclass(frozen=True)
class AllOf:
    """True when every part is true."""

    parts: tuple[Condition, ...]

    def evaluate(self, facts: FactSource) -> Result:
        """Evaluate in Kleene logic: any false part makes the whole false."""
        results = [part.evaluate(facts) for part in self.parts]
        failed = [r for r in results if r.value is False]
        if failed:
            return Result(False, _merge(r.because for r in failed))
        if all(r.value for r in results):
            return Result(True, _merge(r.because for r in results))
        return Result(
            None,
            (),
            _unique(r.unknown for r in results if r.value is None),
            _merge(r.because if r.value else r.partial for r in results),
        )

    def facts(self) -> tuple[str, ...]:
        """Return every fact named anywhere in the condition."""
        return _unique(part.facts() for part in self.parts)


@dataclass(frozen=True)
class AnyOf:
    """True when at least one part is true."""

    parts: tuple[Condition, ...]

    def evaluate(self, facts: FactSource) -> Result:
        """Evaluate in Kleene logic: any true part makes the whole true."""
        results = [part.evaluate(facts) for part in self.parts]
        for result in results:
            if result.value is True:
                return result
        if all(r.value is False for r in results):
            return Result(False, _merge(r.because for r in results))
        open_results = [r for r in results if r.value is None]
        return Result(
            None,
            (),
            _unique(r.unknown for r in open_results),
            _merge(r.partial for r in open_results),
        )

    def facts(self) -> tuple[str, ...]:
        """Return every fact named anywhere in the condition."""
        return _unique(part.facts() for part in self.parts)


@dataclass(frozen=True)
class Not:
    """True when the part is false."""

    part: Condition

    def evaluate(self, facts: FactSource) -> Result:
        """Negate a known result; unknown stays unknown."""
        result = self.part.evaluate(facts)
        if result.value is None:
            return Result(None, (), result.unknown)
        return Result(not result.value, result.because)

    def facts(self) -> tuple[str, ...]:
        """Return every fact named anywhere in the condition."""
        return self.part.facts()


Condition = Atom | AllOf | AnyOf | Not


def _merge(groups: Iterable[Iterable[Atom]]) -> tuple[Atom, ...]:
    """Concatenate atom groups, keeping each atom once, in first-seen order."""
    seen: dict[Atom, None] = {}
    for group in groups:
        for atom in group:
            seen.setdefault(atom, None)
    return tuple(seen)


def _unique(groups: Iterable[Iterable[str]]) -> tuple[str, ...]:
    """Concatenate fact-name groups, keeping each name once, in first-seen order."""
    seen: dict[str, None] = {}
    for group in groups:
        for name in group:
            seen.setdefault(name, None)
    return tuple(seen)


def parse(spec: object) -> Condition:
    """Parse a condition from its YAML form.

    Raises:
        ConditionError: The form is wrong, or a fact or value is not declared in
            :mod:`bot.policy.facts`.
    """
    if isinstance(spec, str):
        return _parse_atom(spec)
    if isinstance(spec, Mapping) and len(spec) == 1:
        ((key, value),) = spec.items()
        if key in ("all", "any"):
            if not isinstance(value, list) or not value:
                raise ConditionError(f"'{key}' needs a non-empty list")
            parts = tuple(parse(item) for item in value)
            return AllOf(parts) if key == "all" else AnyOf(parts)
        if key == "not":
            return Not(parse(value))
    raise ConditionError(f"not a condition: {spec!r} (use an atom string, all, any or not)")


def _parse_atom(text: str) -> Atom:
    text = text.strip()
    if " in " in text:
        name, _, rest = text.partition(" in ")
        raw_values = [v.strip() for v in rest.split(",") if v.strip()]
    elif "=" in text:
        name, _, rest = text.partition("=")
        raw_values = [rest.strip()]
    else:
        name, raw_values = text, ["true"]
    name = name.strip()
    fact = FACTS.get(name)
    if fact is None:
        raise ConditionError(f"unknown fact '{name}' in condition '{text}'")
    accepted: set[FactValue] = set()
    for raw in raw_values:
        if fact.is_bool:
            if raw not in ("true", "false"):
                raise ConditionError(f"fact '{name}' is yes/no; '{raw}' is not true or false")
            accepted.add(raw == "true")
        elif raw in fact.values:
            accepted.add(raw)
        else:
            allowed = ", ".join(fact.values)
            raise ConditionError(f"fact '{name}' has no value '{raw}' (allowed: {allowed})")
    if not accepted:
        raise ConditionError(f"condition '{text}' names no value")
    return Atom(name, frozenset(accepted))
