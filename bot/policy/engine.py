"""The eligibility engine: a citizen's situation in, an assessment out.

Pure Python, no Rasa import. This module (with the clause conditions in
``policy_text/clauses.yml`` that it evaluates) is the only place where eligibility is
decided; the dialogue, the actions and the web routes only ask it.

Principles:

* A fact the citizen did not state is unknown (``None``), never false; it can appear in
  :attr:`Assessment.missing`, never as the reason a clause was ruled out.
* A negated fact (没交社保, 不是大学生) is ``False`` and rules out the clauses that need it.
* Every assessment is made as of a date (openfisca's parameters, Catala's date ranges): the
  base document's validity on that date, and the passages of later documents
  (``policy_text/policies/``) in effect on it that touch a shown clause
  (:attr:`Assessment.changes`). Later passages are shown beside the clauses; they never
  change which clause applies.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from enum import Enum

from bot.policy.clock import today as liling_today
from bot.policy.conditions import AllOf, AnyOf, Atom, Condition, Not, Result
from bot.policy.facts import FACTS, FactValue
from bot.policy.loader import load_knowledge
from bot.policy.model import (
    WEAK_RELIABILITY,
    Clause,
    Document,
    Knowledge,
    Passage,
    PolicyDocument,
    Procedure,
    Related,
    Requirement,
)
from bot.policy.situation import Situation

RELIABILITY_ORDER = ("N", "H", "HC", "G", "U")
"""Most to least reliable evidence; a merged document keeps its best tag."""


class Outcome(str, Enum):
    """What the assessment amounts to for the citizen."""

    NEED_GOAL = "need_goal"
    """We do not yet know what the citizen wants to do."""
    ELIGIBLE = "eligible"
    """At least one clause applies."""
    UNDETERMINED = "undetermined"
    """No clause applies yet, but unknown facts could still make one apply."""
    RESIDENCE_PERMIT = "residence_permit"
    """Settling in town: no route applies; the residence permit is the answer (3.1, 4.2)."""
    REFUSED = "refused"
    """Moving hukou to a rural area outside the listed cases is not handled (3.2)."""
    INFORMATION = "information"
    """The citizen only wants information; nothing to decide."""


@dataclass(frozen=True)
class Reason:
    """One fact behind a decision: what the clause needs and what the citizen said."""

    fact: str
    required: str
    stated: str
    met: bool

    def text(self) -> str:
        """Chinese sentence for explanations: the fact, and what was needed if it failed."""
        if self.met:
            return self.stated
        return f"需要“{self.required}”，您的情况是“{self.stated}”"


@dataclass(frozen=True)
class ClauseFinding:
    """A clause together with why it applies, could apply, or is ruled out."""

    clause: Clause
    reasons: tuple[Reason, ...] = ()
    unknown: tuple[str, ...] = ()


@dataclass(frozen=True)
class DocumentNeed:
    """A document to bring, merged across the clauses that need it."""

    document: Document
    for_clauses: tuple[str, ...]
    when: str | None
    notes: tuple[str, ...]
    reliability: str
    sources: tuple[str, ...]

    @property
    def confirm(self) -> bool:
        """Shown as "usually also asked for — confirm at the 派出所"."""
        return self.reliability in WEAK_RELIABILITY


@dataclass(frozen=True)
class LaterChange:
    """A passage of a later document, in effect on the assessment's date, that bears on it.

    Attributes:
        document: The later document (湖南省公安厅's measures, the national direction …).
        passage: Its words or summary, date and evidence.
        clauses: The shown clauses it bears on, in the answer's order.
        materials: The listed materials it bears on (e.g. identity papers).
    """

    document: PolicyDocument
    passage: Passage
    clauses: tuple[str, ...]
    materials: tuple[str, ...] = ()


def later_changes(
    kb: Knowledge,
    clause_ids: Iterable[str],
    day: dt.date,
    situation: Situation | None = None,
    material_ids: Iterable[str] = (),
) -> tuple[LaterChange, ...]:
    """The later passages in effect on ``day`` that bear on these clauses or materials.

    In the manner of openfisca's dated parameters: a passage counts from its effective date
    (never before), and a later document counts until its own expiry. A passage whose
    ``applies_when`` is known false for the situation is left out.
    """
    clause_ids, material_ids = tuple(dict.fromkeys(clause_ids)), tuple(dict.fromkeys(material_ids))
    found: list[LaterChange] = []
    for document in kb.later:
        if document.standing(day) != "in_force":
            continue
        for passage in document.passages:
            if not passage.in_effect(day):
                continue
            if _ruled_out_for(passage, situation):
                continue
            links = [link for link in passage.changes if link.document == kb.meta.id]
            touched = tuple(c for c in clause_ids if any(link.touches(c) for link in links))
            materials = tuple(m for m in material_ids if any(m in link.materials for link in links))
            if touched or materials:
                found.append(LaterChange(document, passage, touched, materials))
    return tuple(found)


def _ruled_out_for(passage: Passage, situation: Situation | None) -> bool:
    """Whether the passage's ``applies_when`` is known false for the situation."""
    if situation is None or passage.condition is None:
        return False
    return passage.condition.evaluate(situation).value is False


@dataclass(frozen=True)
class Assessment:
    """The engine's answer for one situation.

    Attributes:
        situation: The facts it was computed from.
        outcome: What it amounts to.
        applicable: Clauses that apply, ranked, each with the facts that made it apply.
        possible: Clauses that could still apply, each with the unknown facts they need and
            the stated facts that already point to it.
        ruled_out: Clauses excluded by a stated fact, each with the reason.
        fallback: Clauses cited because nothing else applies (``role: fallback_for`` in
            clauses.yml: 3.1 + 4.2, or 3.2).
        missing: Unknown facts that could still change the outcome, in asking order.
        documents: Documents to bring, merged and deduplicated.
        procedures: Where to apply and the time limits.
        related: Clauses worth knowing (land rights, public services, residence permit…).
        referrals: Catch-all clauses the citizen should ask the 派出所 about
            (``role: referral_for`` in clauses.yml: 3.1.7, 3.2.9).
        today: The date the assessment was made as of (:attr:`as_of`): the real date unless
            another one was asked for.
        expired: Whether the policy's marked validity has ended on ``today``.
        changes: Passages of later documents in effect on ``today`` that bear on the shown
            clauses or the listed materials ("之后的变化"), in document and passage order.
        overview: While the route is undetermined, the section that governs the goal
            (``role: section_for``: 三(一) or 三(二)); shown, not cited for documents.
        asked: Facts the citizen asked about without stating them (坐过牢的人能迁回农村吗):
            the possible clauses that turn on them are likely too, after those the stated
            facts point to.
        near_misses: When nothing applies, the ruled-out routes the citizen's own words are
            about (能投靠他吗…没住在一起; 在厂里上班没交社保): shown with why they do not
            apply, never cited for documents.

    The Chinese notices (validity, where the policy is silent, confirm documents) are
    presentation: :func:`bot.policy.present.notices` builds them from this assessment.
    """

    situation: Situation
    outcome: Outcome
    applicable: tuple[ClauseFinding, ...]
    possible: tuple[ClauseFinding, ...]
    ruled_out: tuple[ClauseFinding, ...]
    fallback: tuple[ClauseFinding, ...]
    missing: tuple[str, ...]
    documents: tuple[DocumentNeed, ...]
    procedures: tuple[Procedure, ...]
    related: tuple[Related, ...]
    referrals: tuple[Clause, ...]
    today: dt.date
    expired: bool
    overview: Clause | None = None
    near_misses: tuple[ClauseFinding, ...] = ()
    asked: frozenset[str] = frozenset()
    changes: tuple[LaterChange, ...] = ()

    OVERVIEW_AFTER = 2
    """Where the overview goes among the likely clauses: after the two best ones."""

    @property
    def as_of(self) -> dt.date:
        """The date the answer holds for."""
        return self.today

    @property
    def likely(self) -> tuple[ClauseFinding, ...]:
        """Possible clauses the citizen's words point to: a stated fact matched, or one asked."""
        return tuple(finding for finding in self.possible if _points(finding, self.asked))

    @property
    def cited(self) -> tuple[ClauseFinding, ...]:
        """The clauses the answer rests on: applicable ones, else the fallback, else likely."""
        return self.applicable or self.fallback or self.likely

    @property
    def shown(self) -> tuple[ClauseFinding, ...]:
        """The clauses the answer shows: :attr:`cited`, with the overview among them.

        The overview comes after the two best likely routes: a message that points to a
        route shows that route first, a general one ("城里落户有哪些办法") the section.
        """
        cited = self.cited
        at = self.OVERVIEW_AFTER
        if self.overview is None:
            # The fallback (居住证) is the answer; the routes asked about say why not.
            return (*cited, *self.near_misses)
        near = self.near_misses[:1]
        if near and cited and _closeness(near[0], self.situation)[0] > _score(cited[0], self.asked):
            # The words are about a route they then rule out (28岁…迁回爸妈村里: 三(二)5 is for
            # minors): that route, why not, and the section before the routes still open.
            return (*near, ClauseFinding(self.overview), *cited, *self.near_misses[1:])
        if len(cited) > at and _standing(cited[0], self.asked) == _standing(cited[at], self.asked):
            # The words single out no route (迁回爸妈村里: every return meets 原籍农村 alike):
            # the section first, the routes after it in the document's order.
            return (ClauseFinding(self.overview), *cited, *self.near_misses)
        overview = (*self.near_misses[:1], ClauseFinding(self.overview))
        return (*cited[:at], *overview, *cited[at:], *self.near_misses[1:])


def _score(finding: ClauseFinding, asked: frozenset[str]) -> int:
    """How much the words point to a clause: stated facts it meets, one more if one is asked."""
    touched = not asked.isdisjoint(finding.clause.facts)
    return sum(reason.met for reason in finding.reasons) + touched


def _standing(finding: ClauseFinding, asked: frozenset[str]) -> tuple[int, bool]:
    """The score and whether a fact of it is asked about: equal ranks single out neither."""
    return _score(finding, asked), not asked.isdisjoint(finding.clause.facts)


def _points(finding: ClauseFinding, asked: frozenset[str]) -> bool:
    return bool(finding.reasons) or not asked.isdisjoint(finding.clause.facts)


def assess(
    situation: Situation,
    knowledge: Knowledge | None = None,
    today: dt.date | None = None,
    asked: Iterable[str] = (),
) -> Assessment:
    """Assess a situation against the policy.

    Args:
        situation: What is known about the citizen.
        knowledge: The knowledge base; this checkout's ``policy_text/`` when omitted (callers
            that honour ``HUKOU_POLICY_DIR`` pass ``load_knowledge(bot.paths.policy_dir())``).
        today: The date the assessment is made as of (the base document's validity, the
            later measures in effect); the real date when omitted.
        asked: Facts the words ask about without stating them; they only rank the possible
            clauses (see :attr:`Assessment.asked`), never decide one.
    """
    kb = knowledge or load_knowledge()
    today = today or liling_today()
    goal = situation.get("goal")

    applicable: list[ClauseFinding] = []
    possible: list[ClauseFinding] = []
    ruled_out: list[ClauseFinding] = []
    for clause in kb.clauses.values():
        if clause.condition is None or not _relevant(clause.condition, goal):
            continue
        result = clause.condition.evaluate(situation)
        if result.value is True:
            applicable.append(ClauseFinding(clause, _reasons(result, situation)))
        elif result.value is None:
            partial = Result(None, result.partial)
            possible.append(ClauseFinding(clause, _reasons(partial, situation), result.unknown))
        else:
            ruled_out.append(ClauseFinding(clause, _reasons(result, situation)))

    referral = kb.referral_for(goal)
    if not applicable and referral is not None and referral.points_when is not None:
        pointed = referral.points_when.evaluate(situation)
        if pointed.value is True:
            # A case the document leaves to national rules (随军, 移民安置): its catch-all is
            # the likely route, cited first, never as applicable.
            possible.insert(0, ClauseFinding(referral, _reasons(pointed, situation)))

    asked_about = frozenset(name for name in asked if situation.get(name) is None) - {"goal"}

    # What the words point to first: the clauses most stated facts meet, a fact asked about
    # counting as one met (坐过牢的人能迁回农村吗 is about 三(二)4 as much as 迁回农村 is about
    # any return), and among equals the one asked about (stable: the document's order).
    def weight(finding: ClauseFinding) -> tuple[int, bool, bool]:
        touched = not asked_about.isdisjoint(finding.clause.facts)
        return -_score(finding, asked_about), not touched, not _points(finding, asked_about)

    possible.sort(key=weight)

    fallback: list[ClauseFinding] = []
    if goal is None:
        outcome = Outcome.NEED_GOAL
    elif goal == "info":
        outcome = Outcome.INFORMATION
    elif applicable:
        outcome = Outcome.ELIGIBLE
    elif possible:
        outcome = Outcome.UNDETERMINED
    elif goal == "settle_urban":
        outcome = Outcome.RESIDENCE_PERMIT
    else:
        outcome = Outcome.REFUSED
    if outcome in (Outcome.RESIDENCE_PERMIT, Outcome.REFUSED):
        fallback = [ClauseFinding(clause) for clause in kb.fallback_for(goal)]

    missing = (
        _missing(goal, possible) if outcome in (Outcome.NEED_GOAL, Outcome.UNDETERMINED) else ()
    )
    likely = [finding for finding in possible if _points(finding, asked_about)]
    cited = applicable or fallback or likely
    referrals = (referral,) if referral is not None and outcome is not Outcome.ELIGIBLE else ()

    assessment = Assessment(
        situation=situation,
        outcome=outcome,
        applicable=tuple(applicable),
        possible=tuple(possible),
        ruled_out=tuple(ruled_out),
        fallback=tuple(fallback),
        missing=missing,
        documents=_documents(cited, situation),
        procedures=_procedures(cited, goal),
        related=_related(cited),
        referrals=referrals,
        today=today,
        expired=kb.meta.expired(today),
        overview=kb.section_for(goal) if outcome is Outcome.UNDETERMINED else None,
        near_misses=(
            _near_misses(ruled_out, situation)
            if outcome in (Outcome.UNDETERMINED, Outcome.RESIDENCE_PERMIT)
            else ()
        ),
        asked=asked_about,
    )
    changes = later_changes(
        kb,
        (finding.clause.id for finding in assessment.shown),
        today,
        situation,
        (need.document.id for need in assessment.documents),
    )
    return replace(assessment, changes=changes)


NEAR_MISSES = 2
"""At most this many ruled-out routes are shown: the ones the citizen said most about."""


def _near_misses(
    ruled_out: Iterable[ClauseFinding], situation: Situation
) -> tuple[ClauseFinding, ...]:
    """The ruled-out routes the citizen's words are most about.

    Those meeting the most stated facts first (在厂里上班…没交社保 is 三(一)6's near miss), then
    those with most facts stated (besides the goal).
    """

    def closeness(finding: ClauseFinding) -> tuple[int, int]:
        return _closeness(finding, situation)

    ranked = sorted((f for f in ruled_out if closeness(f)[1]), key=closeness, reverse=True)
    return tuple(ranked[:NEAR_MISSES])


def _closeness(finding: ClauseFinding, situation: Situation) -> tuple[int, int]:
    """(stated facts a clause's tests accept, facts it tests that are stated), the goal aside."""
    atoms = [a for a in _atoms(finding.clause.condition) if a.fact != "goal"]
    known = [(a, situation.get(a.fact)) for a in atoms if situation.get(a.fact) is not None]
    met = sum(1 for atom, value in known if value in atom.accepted)
    return met, len({atom.fact for atom, _ in known})


def _goal_atoms(condition: Condition) -> list[Atom]:
    if isinstance(condition, Atom):
        return [condition] if condition.fact == "goal" else []
    if isinstance(condition, AllOf):
        return [atom for part in condition.parts for atom in _goal_atoms(part)]
    if isinstance(condition, (AnyOf, Not)):
        return []  # a goal test under any/not does not restrict the clause as a whole
    return []


def _atoms(condition: Condition | None) -> list[Atom]:
    """The fact tests a condition asks to hold (those under ``not`` ask the opposite: left out)."""
    if isinstance(condition, Atom):
        return [condition]
    if isinstance(condition, (AllOf, AnyOf)):
        return [atom for part in condition.parts for atom in _atoms(part)]
    return []


def _relevant(condition: Condition, goal: FactValue | None) -> bool:
    """A clause is relevant unless its required goal is known to be another one."""
    if goal is None:
        return True
    return all(goal in atom.accepted for atom in _goal_atoms(condition))


def _reasons(result: Result, situation: Situation) -> tuple[Reason, ...]:
    reasons = []
    for atom in result.because:
        if atom.fact == "goal":
            continue  # "you want to settle in town" is the question, not a reason
        stated = situation.get(atom.fact)
        assert stated is not None  # atoms in `because` always have known values
        fact = FACTS[atom.fact]
        reasons.append(
            Reason(atom.fact, atom.describe(), fact.describe(stated), stated in atom.accepted)
        )
    return tuple(reasons)


def _missing(goal: FactValue | None, possible: Iterable[ClauseFinding]) -> tuple[str, ...]:
    """Unknown facts in asking order: the goal, then what the likely clauses still need."""
    order: dict[str, None] = {}
    if goal is None:
        order["goal"] = None
    findings = list(possible)
    # Clauses the citizen's own words already point to are settled first.
    findings.sort(key=lambda finding: not finding.reasons)
    for finding in findings:
        for name in finding.unknown:
            order.setdefault(name, None)
    return tuple(order)


def _requirement_state(req: Requirement, situation: Situation) -> bool | None:
    """Whether a document row holds for the situation: True, False, or None (unknown)."""
    if req.goals and situation.get("goal") not in req.goals:
        return False
    if req.only_if is not None and req.only_if.evaluate(situation).value is False:
        return False
    if req.condition is None:
        return None if req.when else True
    return req.condition.evaluate(situation).value


@dataclass
class _MergedNeed:
    document: Document
    reliability: str
    for_clauses: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)

    def add(self, clause_id: str, req: Requirement) -> None:
        for items, item in ((self.for_clauses, clause_id), (self.notes, req.note)):
            if item and item not in items:
                items.append(item)
        self.sources.extend(s for s in req.sources if s not in self.sources)
        if _rank(req.reliability) < _rank(self.reliability):
            self.reliability = req.reliability


def _documents(cited: Iterable[ClauseFinding], situation: Situation) -> tuple[DocumentNeed, ...]:
    merged: dict[tuple[str, str | None], _MergedNeed] = {}
    for finding in cited:
        for req in finding.clause.requirements:
            state = _requirement_state(req, situation)
            if state is False:
                continue
            # A condition the citizen is known to meet needs no "if …" remark.
            when = None if state is True and req.condition is not None else req.when
            need = merged.setdefault(
                (req.document.id, when), _MergedNeed(req.document, req.reliability)
            )
            need.add(finding.clause.id, req)
    needs = [
        DocumentNeed(
            document=need.document,
            for_clauses=tuple(need.for_clauses),
            when=when,
            notes=tuple(need.notes),
            reliability=need.reliability,
            sources=tuple(need.sources),
        )
        for (_, when), need in merged.items()
    ]
    # Documents every applicant needs first, then conditional ones; weak evidence last.
    needs.sort(key=lambda need: (need.confirm, need.when is not None))
    return tuple(needs)


def _rank(tag: str) -> int:
    return RELIABILITY_ORDER.index(tag) if tag in RELIABILITY_ORDER else len(RELIABILITY_ORDER)


def _procedures(cited: Iterable[ClauseFinding], goal: FactValue | None) -> tuple[Procedure, ...]:
    seen: dict[str, Procedure] = {}
    for finding in cited:
        procedure = finding.clause.procedure_for(goal)
        if procedure is not None:
            seen.setdefault(procedure.id, procedure)
    return tuple(seen.values())


def _related(cited: Iterable[ClauseFinding]) -> tuple[Related, ...]:
    cited_ids = set()
    related: dict[str, Related] = {}
    for finding in cited:
        cited_ids.add(finding.clause.id)
        for item in finding.clause.related:
            related.setdefault(item.id, item)
    return tuple(item for cid, item in related.items() if cid not in cited_ids)
