"""The knowledge base of the policy, as loaded from ``policy_text/``.

Everything here is read-only data: the engine reads it, nothing writes it after loading.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cached_property

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


CHECKLIST_GROUPS = {
    "identity": "本人证件",
    "relationship": "关系证明",
    "residence": "住所",
    "other": "其他",
}
"""The groups of a citizen's checklist (``group:`` in documents.yml), in the order shown."""


@dataclass(frozen=True)
class Document:
    """A document a citizen may have to bring."""

    id: str
    name: str
    purpose: str
    obtain: str | None
    group: str = "other"
    """Its group on the checklist (:data:`CHECKLIST_GROUPS`)."""


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
    only_if: Condition | None = None
    """A part of ``when`` that the facts can tell (``父母离异的`` only concerns a child joining
    a parent): the row is left out when this is known false, but its holding does not settle
    ``when`` (there is no fact for the rest), so the words stay."""

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
class ConditionalRight:
    """A right a clause grants only on a condition it names (随迁子女 中考 under 四(二)).

    Both fields are verbatim spans of the clause's quote: answers say the condition beside the
    right, never the right as plainly available.
    """

    right: str
    condition: str


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
    key_for: tuple[tuple[str, str], ...] = ()
    """Topic → the clause's key sentence for it (a verbatim span), led with in topic answers."""
    conditional: tuple[ConditionalRight, ...] = ()

    def key_sentence(self, topic: str | None = None) -> str:
        """The sentence a topic answer leads with: the topic's, else the clause's quote."""
        for key_topic, sentence in self.key_for:
            if key_topic == topic:
                return sentence
        return self.quote

    def procedure_for(self, goal: object) -> Procedure | None:
        """The procedure for the citizen's goal, else the clause's general one."""
        for procedure_goal, procedure in self.goal_procedures:
            if procedure_goal == goal:
                return procedure
        return self.procedure

    @cached_property
    def facts(self) -> tuple[str, ...]:
        """The facts the clause turns on (empty for clauses that are not eligibility routes).

        Cached: the engine asks it of every clause several times per assessment (≈ 35 walks
        of the condition tree per answer; a fifth of the engine's time), and a clause never
        changes once loaded. (``cached_property`` needs the instance ``__dict__``: this
        dataclass must not get ``slots=True``.)
        """
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
    id: str = "base"
    """The document's id in the registry of policy documents (``policies/README.md``)."""
    status: str = "in_force"
    """Its standing as last checked (:data:`STATUSES`)."""
    evidence: str = "H"
    sources: tuple[str, ...] = ()
    last_checked: dt.date | None = None

    def expired(self, today: dt.date) -> bool:
        """Whether the policy's marked validity has ended on ``today``."""
        return today > self.expires


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
EARLIEST_DATE = dt.date(2000, 1, 1)
LATEST_DATE = dt.date(2099, 12, 31)


def as_of_date(value: object) -> dt.date | None:
    """The date an answer is asked for, from ``YYYY-MM-DD`` text (``None`` or ``""``: today).

    The web's ``date`` and the CLI's ``--date`` read it alike.

    Raises:
        ValueError: With a Chinese message: not such a date, or outside 2000–2099.
    """
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value.strip()):
        raise ValueError("应为 YYYY-MM-DD 格式的日期，例如 2024-07-01")
    try:
        day = dt.date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"不是有效的日期：{value.strip()}") from None
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise ValueError("应在 2000-01-01 至 2099-12-31 之间")
    return day


STATUSES = {
    "in_force": "现行有效",
    "expired": "已过标注的失效日期",
    "repealed": "已废止",
    "announced": "已发布（新闻发布，未见正式文本和文号）",
    "reported": "见于新闻报道",
}
"""A policy document's standing as last checked, as staff read it."""

KINDS = {
    "base": "本助手据以判断的政策文件",
    "measures": "之后的举措",
    "notice": "政策方向提示",
}
"""What a document is to the assistant: the one it decides on, later measures shown where they
touch a clause, or a notice of the direction of policy."""


@dataclass(frozen=True)
class PolicySource:
    """A source of a later document, with the stored text its quotes are spans of."""

    id: str
    title: str
    url: str | None
    date: str | None
    text: str
    """The stored text (``source/*.txt`` in the document's folder)."""
    text_is: str | None = None
    """What the stored text is: a page's opening, an excerpt recorded in the research note."""
    remark: str | None = None
    """Said after each quote from this source (``转载原文为繁体字``)."""


@dataclass(frozen=True)
class Link:
    """What a passage changes: clauses (``3.1.*`` = 三(一) and its items) and materials."""

    document: str
    clauses: tuple[str, ...] = ()
    materials: tuple[str, ...] = ()

    def touches(self, clause_id: str) -> bool:
        """Whether the passage bears on ``clause_id``."""
        for pattern in self.clauses:
            if pattern.endswith(".*"):
                section = pattern[:-2]
                if clause_id == section or clause_id.startswith(section + "."):
                    return True
            elif clause_id == pattern:
                return True
        return False


@dataclass(frozen=True)
class Passage:
    """One measure of a later document: its words (or a summary), its date and evidence.

    Exactly one of ``quote`` (a verbatim span of its source's stored text, shown between
    quotation marks) and ``summary`` (never shown between quotation marks) is set.
    """

    id: str
    title: str
    quote: str | None
    summary: str | None
    source: PolicySource
    effective: dt.date
    """The first day it is shown; a month-only date counts from the month's last day."""
    effective_text: str
    """The date as the source gives it, in Chinese (``2024年7月1日``, ``2022年7月``)."""
    evidence: str
    measure: str | None = None
    """The named document the words come from, when the passage quotes one (a notice)."""
    changes: tuple[Link, ...] = ()
    condition: Condition | None = None
    """Shown only where this is not known false (``applies_when``)."""

    def in_effect(self, day: dt.date) -> bool:
        """Whether the passage is in effect on ``day``."""
        return self.effective <= day


@dataclass(frozen=True)
class PolicyDocument:
    """A policy document in the registry: the one the engine decides on, or a later one."""

    id: str
    kind: str
    title: str
    doc_no: str | None
    issuer: str
    issued: dt.date
    issued_text: str
    effective: dt.date
    expires: dt.date | None
    status: str
    evidence: str
    last_checked: dt.date
    sources: tuple[PolicySource, ...] = ()
    passages: tuple[Passage, ...] = ()
    reported: bool = False
    """Known from news reports, not from the published text."""
    called: str | None = None
    """What the issuer's publication is called in a sentence (``举措``)."""
    folder: str = ""
    effective_text: str = ""
    """The effective date as the source gives it (``2022年7月`` when only the month is known)."""

    def standing(self, day: dt.date) -> str:
        """``not_yet``, ``in_force`` or ``expired`` on ``day``, from the dates alone."""
        if day < self.effective:
            return "not_yet"
        if self.expires is not None and day > self.expires:
            return "expired"
        return "in_force"


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
    later: tuple[PolicyDocument, ...] = ()
    """Later documents (``policies/*/document.yml``), in order of issue."""

    @property
    def base(self) -> PolicyDocument:
        """The document the engine decides on, as an entry of the registry."""
        meta = self.meta
        return PolicyDocument(
            id=meta.id,
            kind="base",
            title=meta.title,
            doc_no=meta.doc_no,
            issuer=meta.issuer,
            issued=meta.signed,
            issued_text=f"{meta.signed.year}年{meta.signed.month}月{meta.signed.day}日",
            effective=meta.effective,
            expires=meta.expires,
            status=meta.status,
            evidence=meta.evidence,
            last_checked=meta.last_checked or meta.published,
            effective_text=f"{meta.effective.year}年{meta.effective.month}月{meta.effective.day}日",
        )

    @property
    def policies(self) -> tuple[PolicyDocument, ...]:
        """Every document of the registry: the base first, then the later ones."""
        return (self.base, *self.later)

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
