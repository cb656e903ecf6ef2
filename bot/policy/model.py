"""The knowledge base of the policy, as loaded from ``policy_text/``.

Everything here is read-only data: the engine reads it, nothing writes it after loading.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from bot.policy.conditions import Condition

WEAK_RELIABILITY = frozenset({"G", "U"})
"""Reliability tags of evidence that is only other places' practice or uncertain: documents
and notes resting on it are shown with "请向派出所确认"."""

RELIABILITY_LABELS = {
    "N": "国家法规",
    "H": "湖南省规定",
    "HC": "湖南省内市县做法",
    "G": "其他地区一般做法",
    "U": "来源不确定",
}


@dataclass(frozen=True)
class Source:
    """A public source behind a document or procedure (``[S10]`` in the research note)."""

    id: str
    title: str
    url: str | None
    date: str | None
    tag: str


@dataclass(frozen=True)
class Document:
    """A document a citizen may have to bring."""

    id: str
    name: str
    purpose: str
    obtain: str | None


@dataclass(frozen=True)
class Requirement:
    """One document that one clause needs, with its condition and evidence."""

    document: Document
    when: str | None
    note: str | None
    sources: tuple[str, ...]
    reliability: str
    goals: tuple[str, ...] = ()
    """Only for these goals (e.g. 4.1 serves newborns, late registration and deaths)."""
    condition: Condition | None = None
    """Machine-readable form of ``when``: the row is left out when this is known false."""

    @property
    def confirm(self) -> bool:
        """Whether the item rests only on other places' practice: "usually also asked for"."""
        return self.reliability in WEAK_RELIABILITY


@dataclass(frozen=True)
class Note:
    """A researched remark on a route (a condition, a restriction, a comparison)."""

    text: str
    sources: tuple[str, ...]
    reliability: str

    @property
    def confirm(self) -> bool:
        """Whether the remark rests only on weak evidence and must be confirmed at the 派出所."""
        return self.reliability in WEAK_RELIABILITY


@dataclass(frozen=True)
class Procedure:
    """Where to apply, who approves, and how long it takes."""

    id: str
    where: str
    approval: str | None
    time_limit: str | None
    notes: tuple[str, ...]
    sources: tuple[str, ...]
    reliability: str


@dataclass(frozen=True)
class Related:
    """A clause worth knowing about when another one applies."""

    id: str
    why: str


@dataclass(frozen=True)
class Clause:
    """One clause of the policy (a numbered section, item or annex row)."""

    id: str
    label: str
    title: str
    quote: str
    extra_quotes: tuple[str, ...] = ()
    heading: str | None = None
    """The section's own heading, verbatim (``(一)全面放开我市城镇地区落户限制``): quoted when the
    section is shown as the overview of an undetermined route, instead of its fallback quote."""
    condition: Condition | None = None
    points_when: Condition | None = None
    """For a catch-all referral (三(一)7, 三(二)9): the situations the document leaves to national
    rules that point to it (随军, 移民安置); the referral is then cited as the likely route."""
    companions: str | None = None
    annex: tuple[str, ...] = ()
    responsible: tuple[str, ...] = ()
    related: tuple[Related, ...] = ()
    topics: tuple[str, ...] = ()
    requirements: tuple[Requirement, ...] = ()
    procedure: Procedure | None = None
    goal_procedures: tuple[tuple[str, Procedure], ...] = ()
    """Where one clause covers several matters (4.1), the procedure for each goal."""
    departments: tuple[str, ...] = ()
    notes: tuple[Note, ...] = ()

    def procedure_for(self, goal: object) -> Procedure | None:
        """The procedure for the citizen's goal, else the clause's general one."""
        for procedure_goal, procedure in self.goal_procedures:
            if procedure_goal == goal:
                return procedure
        return self.procedure

    @property
    def facts(self) -> tuple[str, ...]:
        """The facts the clause turns on (empty for clauses that are not eligibility routes)."""
        return self.condition.facts() if self.condition is not None else ()


@dataclass(frozen=True)
class PolicyMeta:
    """Publication data of the policy document."""

    doc_no: str
    title: str
    issuer: str
    signed: dt.date
    published: dt.date
    effective: dt.date
    expires: dt.date
    index_no: str
    source_office: str

    def expired(self, today: dt.date) -> bool:
        """Whether the policy's marked validity has ended on ``today``."""
        return today > self.expires


@dataclass(frozen=True)
class Knowledge:
    """The whole knowledge base: text, metadata, clauses, documents, sources, procedures."""

    meta: PolicyMeta
    text: str
    clauses: dict[str, Clause]
    documents: dict[str, Document]
    sources: dict[str, Source]
    procedures: dict[str, Procedure]
    topics: dict[str, tuple[str, ...]] = field(default_factory=dict)
    general_notes: tuple[Note, ...] = ()
    fallbacks: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Goal → the clauses cited when nothing applies (``role: fallback_for`` in clauses.yml)."""
    referrals: dict[str, str] = field(default_factory=dict)
    """Goal → its catch-all clause (``role: referral_for`` in clauses.yml)."""
    sections: dict[str, str] = field(default_factory=dict)
    """Goal → the section that governs it as a whole (``role: section_for`` in clauses.yml)."""

    def clause(self, clause_id: str) -> Clause:
        """Return a clause by id (``3.1.5``, ``annex.3``).

        Raises:
            KeyError: No clause has that id.
        """
        return self.clauses[clause_id]

    def fallback_for(self, goal: object) -> tuple[Clause, ...]:
        """The clauses cited for ``goal`` when no clause applies, in document order."""
        ids = self.fallbacks.get(goal, ()) if isinstance(goal, str) else ()
        return tuple(self.clauses[cid] for cid in ids)

    def referral_for(self, goal: object) -> Clause | None:
        """The catch-all clause for ``goal`` ("其他符合…的情形"), if the goal has one."""
        cid = self.referrals.get(goal) if isinstance(goal, str) else None
        return None if cid is None else self.clauses[cid]

    def section_for(self, goal: object) -> Clause | None:
        """The section that governs ``goal`` as a whole (三(一) for settling in a town)."""
        cid = self.sections.get(goal) if isinstance(goal, str) else None
        return None if cid is None else self.clauses[cid]

    def clauses_for_topic(self, topic: str) -> list[Clause]:
        """Return the clauses that answer a kind of question, in document order."""
        return [self.clauses[cid] for cid in self.topics.get(topic, ())]
