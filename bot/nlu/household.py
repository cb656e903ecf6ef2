"""One caller, several applicants: a hotline description split into one situation per person.

A caller often speaks for a household: "我是城区户口，老婆是外县的，孩子3岁，我妈在乡下，想把她们
都迁到我这里". The fact rules read such a message as *one* applicant's situation, so the wife's
hukou, the child's age and the mother's village end up mixed. Here the people the message names
(:meth:`bot.nlu.attribution.Attribution.people`) become applicants of their own, each with the
facts that are theirs, seen from them:

* their own hukou area: the place named in a clause they are the subject of (老婆是外县的 →
  the wife's hukou is outside Liling; 我妈在乡下 → the mother's is in Liling's rural area);
* the relative they would join (the caller): ``join_relative`` from their side (the wife joins
  her spouse, the child a parent, the mother her child), and the caller's hukou area as that
  relative's (``spouse_hukou_area`` or ``relative_hukou_area``);
* a child's age said in the child's own clause (孩子3岁): ``is_minor``, of the child — never of
  the caller (attribution's rule for ``is_minor``);
* the goal: the one the words state, else the move to the caller's hukou (迁到我这里) as a move
  into the caller's area.

Rules, not a model, as in :mod:`bot.nlu.attribution`: regular expressions and the same people
and place lists; no spaCy, so the gateway can split a description in well under a millisecond.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from bot.nlu.attribution import AREA_GOAL, MOVE_VERB, Attribution, Person, PlaceMention, Role
from bot.nlu.normalize import normalize

FactValue = str | bool

ApplicantRole = Literal["self", "spouse", "child", "parent", "other"]

ROLE_LABELS: dict[str, str] = {
    "self": "本人",
    "spouse": "配偶",
    "child": "子女",
    "parent": "父母",
    "other": "其他亲属",
}
"""How the hotline page names an applicant by their relation to the caller."""

JOINS: dict[str, tuple[str, str]] = {
    "spouse": ("spouse", "spouse_hukou_area"),
    "child": ("parent", "relative_hukou_area"),
    "parent": ("child", "relative_hukou_area"),
}
"""An applicant's relation to the caller → whom they join (``join_relative``) and the fact that
holds the caller's hukou area from their side."""

RELATIVE_ROLES: tuple[Role, ...] = ("spouse", "child", "parent")
"""Relatives a caller can move to their own hukou under 三(一)1 / 三(二)5."""

PRONOUNS = frozenset({"他", "她", "他们", "她们", "其"})

AGE = re.compile(r"(\d{1,3}|[一二两三四五六七八九十]{1,3})(周岁|岁|个月)")
_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"两": 2}


@dataclass(frozen=True)
class Applicant:
    """One person a call is about, with the facts the words give for them."""

    role: ApplicantRole
    word: str
    """The word the caller used (老婆, 孩子, 我妈), or empty for the caller."""
    facts: dict[str, FactValue] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """The page's name for them: the relation, with the caller's word (配偶（老婆）)."""
        base = ROLE_LABELS[self.role]
        return f"{base}（{self.word}）" if self.word and self.word != base else base


def chinese_number(text: str) -> int:
    """``3`` or ``三``/``十二``/``两`` as an int (ages are small numbers)."""
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (_DIGITS.get(tens, 1) if tens else 1) * 10 + (_DIGITS.get(ones, 0) if ones else 0)
    return _DIGITS.get(text, 0)


@lru_cache(maxsize=1)
def _attribution() -> Attribution:
    return Attribution()


def split(text: str, caller_facts: Mapping[str, FactValue]) -> list[Applicant]:
    """The applicants a description names, each with their own facts.

    Args:
        text: The caller's words (as typed; normalised here).
        caller_facts: The facts the understanding read from the whole description (as one
            applicant's: the caller's own hukou area is ``current_hukou_area``).

    Returns:
        One :class:`Applicant` per relative named (spouse, child, parent; first mention order)
        when the words name at least two of them; otherwise an empty list: the description is
        one applicant's, and the answer for it is the ordinary one.
    """
    normalized = normalize(text)
    who = _attribution()
    people = who.people(normalized)
    named: dict[str, str] = {}
    for person in people:
        word = normalized[person.start : person.end]
        if person.role in RELATIVE_ROLES and word not in PRONOUNS:
            named.setdefault(person.role, word)
    if len(named) < 2:
        return []
    places = who.places(normalized)
    caller_area = caller_facts.get("current_hukou_area") or _caller_area(normalized, people, places)
    goal = caller_facts.get("goal")
    if goal is None and MOVE_VERB.search(normalized) and isinstance(caller_area, str):
        # 把她们都迁到我这里: the move is into the caller's area.
        goal = AREA_GOAL.get(caller_area)
    found = []
    for role, word in named.items():
        facts: dict[str, FactValue] = {}
        if goal is not None:
            facts["goal"] = goal
        joins, area_fact = JOINS[role]
        facts["join_relative"] = joins
        if isinstance(caller_area, str):
            facts[area_fact] = caller_area
        if role == "spouse":
            facts["marital_status"] = "married"
        for person in (p for p in people if p.role == role):
            start, end = who.clause_bounds(normalized, person.start)
            area = who.area_in(places, start, end)
            if area is not None and "current_hukou_area" not in facts:
                facts["current_hukou_area"] = area
            age = AGE.search(normalized, person.end, end)
            if role == "child" and age is not None and "is_minor" not in facts:
                months = age.group(2) == "个月"
                facts["is_minor"] = months or chinese_number(age.group(1)) < 18
        found.append(Applicant(role, word, facts))  # type: ignore[arg-type]
    return found


HUKOU_WORD = re.compile(r"户口|户籍")


def _caller_area(text: str, people: list[Person], places: list[PlaceMention]) -> str | None:
    """The caller's hukou area from a clause of theirs that names both a hukou and a place.

    (我是醴陵城区户口: the whole-message reading may leave it out when relatives are named.)
    """
    who = _attribution()
    for person in people:
        if person.role != "self":
            continue
        start, end = who.clause_bounds(text, person.start)
        if HUKOU_WORD.search(text, start, end):
            area = who.area_in(places, start, end)
            if area is not None:
                return area
    return None


def for_role(role: str, caller_facts: Mapping[str, FactValue]) -> dict[str, FactValue]:
    """The facts an applicant the operator added gets from the caller's words.

    Only what follows from the relation: whom they join and the caller's hukou area from
    their side, and the goal the words state. The caller (``self``) gets the words' facts.
    """
    if role == "self":
        return dict(caller_facts)
    facts: dict[str, FactValue] = {}
    if "goal" in caller_facts:
        facts["goal"] = caller_facts["goal"]
    if role in JOINS:
        joins, area_fact = JOINS[role]
        facts["join_relative"] = joins
        area = caller_facts.get("current_hukou_area")
        if isinstance(area, str):
            facts[area_fact] = area
    return facts
