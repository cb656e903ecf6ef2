"""Present an assessment: the JSON payload and the Chinese answer text.

Both are built from the same :class:`~bot.policy.engine.Assessment`, so the widget, the
staff page, the CLI and the tests read the same facts. Nothing here decides eligibility.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from bot.policy.checklist import ChecklistGroup, build_checklist, checklist_block
from bot.policy.clock import today as liling_today
from bot.policy.engine import Assessment, ClauseFinding, DocumentNeed, LaterChange, Outcome
from bot.policy.facts import FACTS
from bot.policy.loader import load_knowledge
from bot.policy.model import (
    KINDS,
    STATUSES,
    Clause,
    Knowledge,
    Note,
    PolicyDocument,
    PolicyMeta,
    Procedure,
)

CONFIRM_CAVEAT = "一般还会要求，请向派出所确认"
"""After a document that rests on weak evidence (:attr:`DocumentNeed.confirm`)."""

WEAK_NOTE_CAVEAT = "（未经可靠来源核实，请向派出所确认）"
"""After a note that rests on weak evidence (:attr:`Note.confirm`)."""


def cn_date(day: dt.date) -> str:
    """A date as Chinese official text writes it, e.g. ``2022年7月28日`` (no leading zeros)."""
    return f"{day.year}年{day.month}月{day.day}日"


def cn_month(day: dt.date) -> str:
    """A month as Chinese text writes it, e.g. ``2024年3月``."""
    return f"{day.year}年{day.month}月"


def policy_block(meta: PolicyMeta, today: dt.date) -> dict[str, Any]:
    """The ``policy`` block of every payload: which document, and whether it has expired.

    ``today`` is the date the answer is made as of (``as_of``); ``status`` is the document's
    standing as last checked (``last_checked``), ``expired`` its standing on ``as_of``.
    """
    return {
        "doc_no": meta.doc_no,
        "title": meta.title,
        "expires": meta.expires.isoformat(),
        "expired": meta.expired(today),
        "id": meta.id,
        "issuer": meta.issuer,
        "effective": meta.effective.isoformat(),
        "as_of": today.isoformat(),
        "status": meta.status,
        "status_label": STATUSES.get(meta.status, meta.status),
        "evidence": meta.evidence,
        "last_checked": meta.last_checked.isoformat() if meta.last_checked else None,
    }


EVIDENCE_WORDS = {
    "N": "国家层面的官方表述",
    "H": "湖南省官方文本",
    "HC": "湖南省官方发布的转载或新闻报道",
    "G": "其他地区的做法，未核实",
    "U": "来源不确定，未核实",
}
"""How the evidence of a later passage is said (the tags of the research note
``later-measures.md``; its HC is a Hunan text known through a copy or a press report)."""


def evidence_words(change: LaterChange) -> str:
    """The evidence of a later passage in words, saying when it is known from the news."""
    words = EVIDENCE_WORDS.get(change.passage.evidence, change.passage.evidence)
    if change.document.reported and "报道" not in words:
        words += "（经新闻报道转述）"
    return words


def attribution(change: LaterChange) -> str:
    """Who says it, worded by evidence: a press-reported measure is never stated as the rule.

    E.g. "据湖南省公安厅2024年3月发布的举措（新闻报道）"; an official text is named as such.
    """
    document, passage = change.document, change.passage
    if document.reported:
        if passage.measure:
            return f"据新闻报道，{passage.measure}（{passage.effective_text}）"
        called = document.called or "文件"
        return f"据{document.issuer}{cn_month(document.issued)}发布的{called}（新闻报道）"
    number = f"（{document.doc_no}）" if document.doc_no else ""
    return f"{document.issuer}《{document.title}》{number}"


def change_lead(change: LaterChange) -> str:
    """Who says it and from when: the attribution, dated unless it already is."""
    passage = change.passage
    # The attribution already dates a named measure and the announcement itself.
    dated = passage.measure or passage.effective == change.document.issued
    return attribution(change) + ("" if dated else f"，{passage.effective_text}起")


def change_line(change: LaterChange, knowledge: Knowledge) -> str:
    """A later change as one line: who, from when, the words (or a marked summary), scope.

    Only a verbatim passage stands between quotation marks; a summary says it is one.
    """
    passage = change.passage
    words = f"“{passage.quote}”" if passage.quote else f"{passage.summary}（概述，非原文）"
    if passage.quote and passage.source.remark:
        words += f"（{passage.source.remark}）"
    scope = [knowledge.clause(cid).label for cid in change.clauses]
    scope += [knowledge.documents[m].name for m in change.materials if m in knowledge.documents]
    evidence = evidence_words(change)
    return f"{change_lead(change)}：{words}（涉及{'、'.join(scope)}；依据：{evidence}）"


def changes_scope(knowledge: Knowledge, as_of: dt.date) -> str:
    """What "之后的变化" covers: the measures after the base document, as of the date."""
    return f"{knowledge.meta.doc_no}之后的举措，按{cn_date(as_of)}"


def no_successor(knowledge: Knowledge, as_of: dt.date) -> str | None:
    """After the base document's expiry: that no successor was found (never that one exists)."""
    meta = knowledge.meta
    if not meta.expired(as_of) or meta.last_checked is None:
        return None
    return (
        f"{meta.doc_no}失效后，截至{cn_date(meta.last_checked)}核查，"
        f"未查到{meta.issuer}此后发布的同类政策文件"
    )


def changes_heading(knowledge: Knowledge, as_of: dt.date) -> str:
    """The heading of "之后的变化": never a claim that a successor document exists."""
    found = no_successor(knowledge, as_of)
    return (
        f"之后的变化（{changes_scope(knowledge, as_of)}）" + (f"。{found}" if found else "") + "："
    )


def change_item(change: LaterChange, knowledge: Knowledge) -> dict[str, Any]:
    """A later change in the payload (``changes``)."""
    document, passage = change.document, change.passage
    return {
        "document": document.id,
        "document_title": document.title,
        "doc_no": document.doc_no,
        "issuer": document.issuer,
        "kind": document.kind,
        "passage": passage.id,
        "title": passage.title,
        "quote": passage.quote,
        "summary": passage.summary,
        "date": passage.effective.isoformat(),
        "date_text": passage.effective_text,
        "evidence": passage.evidence,
        "evidence_label": evidence_words(change),
        "attribution": attribution(change),
        "lead": change_lead(change),
        "text": change_line(change, knowledge),
        "clauses": [{"id": cid, "label": knowledge.clause(cid).label} for cid in change.clauses],
        "materials": list(change.materials),
        "source": {
            "title": passage.source.title,
            "url": passage.source.url,
            "date": passage.source.date,
            "remark": passage.source.remark,
        },
    }


def changes_block(
    changes: tuple[LaterChange, ...], knowledge: Knowledge, as_of: dt.date
) -> dict[str, Any]:
    """``later``: the heading and the changes, as the cards draw them."""
    return {
        "heading": changes_heading(knowledge, as_of),
        "scope": changes_scope(knowledge, as_of),
        "no_successor": no_successor(knowledge, as_of),
        "items": [change_item(change, knowledge) for change in changes],
    }


def changes_lines(
    changes: tuple[LaterChange, ...], knowledge: Knowledge, as_of: dt.date
) -> list[str]:
    """The "之后的变化" paragraph of a text answer (empty when nothing changed)."""
    if not changes:
        return []
    lines = ["", changes_heading(knowledge, as_of)]
    lines.extend(f"· {change_line(change, knowledge)}" for change in changes)
    return lines


CHECK_EVERY_MONTHS = 6
"""A document's standing is checked again after this many months (the FAQ desk reminds)."""


def _months_between(earlier: dt.date, later: dt.date) -> int:
    return (
        (later.year - earlier.year) * 12 + later.month - earlier.month - (later.day < earlier.day)
    )


def document_entry(document: PolicyDocument, as_of: dt.date) -> dict[str, Any]:
    """A policy document as the lists show it (``hukou policies``, ``/api/policies``)."""
    return {
        "id": document.id,
        "kind": document.kind,
        "kind_label": KINDS.get(document.kind, document.kind),
        "title": document.title,
        "doc_no": document.doc_no,
        "issuer": document.issuer,
        "issued": document.issued_text,
        "effective": document.effective.isoformat(),
        "effective_text": document.effective_text or cn_date(document.effective),
        "expires": document.expires.isoformat() if document.expires else None,
        "status": document.status,
        "status_label": STATUSES.get(document.status, document.status),
        "standing": document.standing(as_of),
        "evidence": document.evidence,
        "reported": document.reported,
        "last_checked": document.last_checked.isoformat(),
        "passages": len(document.passages),
        "sources": [
            {"title": source.title, "url": source.url, "date": source.date}
            for source in document.sources
        ],
    }


def reminders(knowledge: Knowledge, today: dt.date, months: int = CHECK_EVERY_MONTHS) -> list[str]:
    """What the FAQ desk should check: a document in use past its expiry, an old check."""
    found = []
    base = knowledge.base
    if base.standing(today) == "expired" and base.expires is not None:
        found.append(
            f"本助手据以判断的《{base.title}》（{base.doc_no}）已过标注的失效日期"
            f"（{cn_date(base.expires)}），仍在使用：请确认{base.issuer}是否发布了新的文件"
            "（答复均附有失效提示）。"
        )
    for document in knowledge.policies:
        age = _months_between(document.last_checked, today)
        if age >= months:
            found.append(
                f"《{document.title}》上次核查是{cn_date(document.last_checked)}，"
                f"已超过{months}个月，请重新核查其状态和来源，并更新 last_checked。"
            )
    return found


def policies_block(
    knowledge: Knowledge, today: dt.date, months: int = CHECK_EVERY_MONTHS
) -> dict[str, Any]:
    """The registry of documents as of ``today``, with the FAQ desk's reminders."""
    return {
        "as_of": today.isoformat(),
        "check_every_months": months,
        "documents": [document_entry(d, today) for d in knowledge.policies],
        "reminders": reminders(knowledge, today, months),
    }


def note_line(note: Note) -> str:
    """A researched remark as one answer line, flagged when its evidence is weak."""
    return f"说明：{note.text}{WEAK_NOTE_CAVEAT if note.confirm else ''}"


def clause_brief(clause: Clause) -> dict[str, Any]:
    """The short form of a clause used in every payload: id, label, title, quote."""
    return {"id": clause.id, "label": clause.label, "title": clause.title, "quote": clause.quote}


def clause_detail(clause: Clause) -> dict[str, Any]:
    """The full form of a clause for the knowledge-base export."""
    return {
        **clause_brief(clause),
        "extra_quotes": list(clause.extra_quotes),
        "facts": list(clause.facts),
        "companions": clause.companions,
        "documents": [
            {
                "id": req.document.id,
                "name": req.document.name,
                "when": req.when,
                "reliability": req.reliability,
                "confirm": req.confirm,
            }
            for req in clause.requirements
        ],
        "departments": list(clause.departments),
        "procedure": _procedure(clause.procedure) if clause.procedure else None,
        "related": [{"id": item.id, "why": item.why} for item in clause.related],
        "topics": list(clause.topics),
        "key_for": dict(clause.key_for),
        "conditional": [
            {"right": item.right, "condition": item.condition} for item in clause.conditional
        ],
    }


def _procedure(procedure: Procedure) -> dict[str, Any]:
    return {
        "id": procedure.id,
        "where": procedure.where,
        "approval": procedure.approval,
        "time_limit": procedure.time_limit,
        "notes": list(procedure.notes),
        "reliability": procedure.reliability,
    }


def _note(note: Note) -> dict[str, Any]:
    return {
        "text": note.text,
        "reliability": note.reliability,
        "confirm": note.confirm,
        "sources": list(note.sources),
    }


def _is_overview(assessment: Assessment, finding: ClauseFinding) -> bool:
    return finding.clause is assessment.overview and finding not in assessment.cited


def _finding(finding: ClauseFinding, overview: bool = False) -> dict[str, Any]:
    brief = clause_brief(finding.clause)
    if overview and finding.clause.heading:
        # The section as a whole: its heading, not the residence-permit fallback sentence.
        brief["quote"] = finding.clause.heading
    return {
        **brief,
        "overview": overview,
        "why": [reason.text() for reason in finding.reasons],
        "companions": finding.clause.companions,
        "departments": list(finding.clause.departments),
        "notes": [_note(note) for note in finding.clause.notes],
        "conditional": [
            {"right": item.right, "condition": item.condition}
            for item in finding.clause.conditional
        ],
    }


def _document(need: DocumentNeed) -> dict[str, Any]:
    return {
        "id": need.document.id,
        "name": need.document.name,
        "purpose": need.document.purpose,
        "obtain": need.document.obtain,
        "for": list(need.for_clauses),
        "when": need.when,
        "notes": list(need.notes),
        "reliability": need.reliability,
        "confirm": need.confirm,
        "sources": list(need.sources),
    }


def question(fact_name: str) -> dict[str, Any]:
    """The question that establishes a fact, with its answer options."""
    fact = FACTS[fact_name]
    if fact.is_bool:
        options = [{"value": True, "label": "是"}, {"value": False, "label": "否"}]
    else:
        options = [{"value": value, "label": label} for value, label in fact.values.items()]
    options.append({"value": None, "label": "不清楚"})
    return {"fact": fact.name, "label": fact.label, "question": fact.question, "options": options}


def payload(assessment: Assessment, knowledge: Knowledge | None = None) -> dict[str, Any]:
    """The machine-readable answer (sent beside the text as the bot's ``custom`` message)."""
    kb = knowledge or load_knowledge()
    kb_related = [kb.clause(item.id) for item in assessment.related]
    return {
        "type": "assessment",
        "outcome": assessment.outcome.value,
        "headline": headline(assessment, kb),
        "status_tag": status_notice(kb, assessment.today, full=False),
        "situation": assessment.situation.to_dict(),
        "clauses": [
            {
                **_finding(f, _is_overview(assessment, f)),
                "ruled_out": f in assessment.near_misses,
            }
            for f in assessment.shown
        ],
        "documents": [_document(need) for need in assessment.documents],
        "checklist": checklist_block(assessment, kb),
        "missing": list(assessment.missing),
        "questions": [question(name) for name in assessment.missing],
        "possible": [
            {**clause_brief(f.clause), "unknown": list(f.unknown)} for f in assessment.possible
        ],
        "ruled_out": [_finding(f) for f in assessment.ruled_out],
        "related": [
            {**clause_brief(clause), "why": item.why}
            for clause, item in zip(kb_related, assessment.related, strict=True)
        ],
        "referrals": [clause_brief(clause) for clause in assessment.referrals],
        "procedures": [_procedure(p) for p in assessment.procedures],
        "notices": list(notices(assessment, kb)),
        "policy": policy_block(kb.meta, assessment.today),
        "as_of": assessment.as_of.isoformat(),
        "changes": changes_block(assessment.changes, kb, assessment.as_of),
    }


def policy_reference(meta: PolicyMeta) -> str:
    """The document an answer rests on, as a headline names it (year, full title, number)."""
    return f"{meta.signed.year}年《{meta.issuer}{meta.title}》（{meta.doc_no}）"


def _cited_labels(findings: Iterable[ClauseFinding]) -> str:
    return "、".join(f"【{f.clause.label}】{f.clause.title}" for f in findings)


def headline(assessment: Assessment, knowledge: Knowledge) -> str:
    """The first line of an answer: what the 2017 document says for this case, no more.

    It names the document, so the expiry notice after it reads as what it is: that
    document's rule, not a promise of today's requirements.
    """
    ref = policy_reference(knowledge.meta)
    outcome = assessment.outcome
    if outcome is Outcome.ELIGIBLE:
        return f"按{ref}，您的情况适用{_cited_labels(assessment.applicable)}。"
    if outcome is Outcome.RESIDENCE_PERMIT:
        return (
            f"按{ref}，您说的情况不在城镇落户的几种情形之内；"
            "该文件规定可以申领居住证，按居住证享有基本公共服务。"
        )
    if outcome is Outcome.REFUSED:
        return f"按{ref}，您说的情况不属于可以往农村地区迁移户口的特殊情形。"
    if outcome is Outcome.UNDETERMINED:
        if not assessment.likely:
            return "还需要了解一些情况才能判断。"
        return f"按{ref}，您的情况可能适用{_cited_labels(assessment.likely)}，还需要确认几点。"
    if outcome is Outcome.NEED_GOAL:
        return "请先告诉我您想办理什么事情。"
    return "您想了解政策的哪方面内容？"


def status_notice(knowledge: Knowledge, as_of: dt.date, full: bool = True) -> str:
    """The document's standing said once in full per conversation, as a short tag after.

    Full: that it expired on its marked date and the answer is its rule, to be confirmed at
    the 派出所. Short: the same in a bracket, so every answer still says it.
    """
    meta = knowledge.meta
    expires = cn_date(meta.expires)
    if meta.expired(as_of):
        if full:
            return (
                f"请注意：该文件标注的失效日期为{expires}，现已过期。以上是该文件的规定，"
                "不一定是现在的办理要求，办理前请向户口所在地或拟迁入地派出所确认。"
            )
        return f"（依据{meta.signed.year}年文件，已于{expires}失效，请向派出所确认）"
    if full:
        return f"请注意：该文件标注的失效日期为{expires}，办理前请向派出所确认具体要求。"
    return f"（依据{meta.doc_no}，失效日期{expires}，请向派出所确认）"


def conditional_lines(clause: Clause) -> list[str]:
    """Rights the clause grants only on a condition: the condition said with the right."""
    return [
        f"注意：“{item.right}”是有条件的——原文写明要“{item.condition}”，"
        "不是办了居住证或落了户就当然享有，具体以教育等主管部门和派出所的答复为准。"
        for item in clause.conditional
    ]


def checklist_lines(groups: Iterable[ChecklistGroup]) -> list[str]:
    """The citizen's checklist as text lines, by group ("" first, empty when none)."""
    lines: list[str] = []
    for group in groups:
        lines.append(f"{group.title}：")
        lines.extend(
            _document_row(item.name, item.condition and f"{item.condition}才需要", item.confirm)
            for item in group.items
        )
    return ["", "需要准备的材料：", *lines] if lines else []


def _document_row(name: str, when: str | None, confirm: bool) -> str:
    """One ticked line of a document list: the name, when it is needed, a caveat."""
    return (
        f"□ {name}" + (f"（{when}）" if when else "") + (f"——{CONFIRM_CAVEAT}" if confirm else "")
    )


def render_text(
    assessment: Assessment,
    knowledge: Knowledge | None = None,
    full_notice: bool = True,
    for_citizen: bool = False,
) -> str:
    """The answer in plain Chinese: clause, quote, why, documents, where to go, notices.

    The first line is the :func:`headline`, the second the document's standing
    (:func:`status_notice`: in full, or as a short tag when the conversation already had it).
    ``for_citizen`` (the chat): the merged checklist instead of the staff's rows, and no
    research notes (evidence, other places' practice), which stay on the hotline page.
    """
    kb = knowledge or load_knowledge()
    lines = [headline(assessment, kb), status_notice(kb, assessment.today, full_notice)]
    if assessment.as_of != liling_today():
        # An answer for another day says which: what applied then is not what applies now.
        lines[0] = f"（按{cn_date(assessment.as_of)}作答）" + lines[0]
    for finding in assessment.shown:
        clause = finding.clause
        near_miss = finding in assessment.near_misses
        lines.append("")
        lines.append(
            f"【{clause.label}】{clause.title}" + ("（按您说的情况不适用）" if near_miss else "")
        )
        quote = clause.heading if _is_overview(assessment, finding) and clause.heading else None
        lines.append(f"原文：“{quote or clause.quote}”")
        if finding.reasons:
            label = "已知情况" if assessment.outcome is Outcome.UNDETERMINED else "适用理由"
            if near_miss:
                label = "不适用的原因"
            lines.append(f"{label}：" + "；".join(reason.text() for reason in finding.reasons))
        if near_miss:
            continue
        lines.extend(conditional_lines(clause))
        if clause.companions:
            lines.append(f"可一并落户：{clause.companions}")
        if not for_citizen:
            lines.extend(note_line(note) for note in clause.notes)
    if assessment.outcome is Outcome.REFUSED:
        lines.append("")
        for finding in assessment.ruled_out:
            why = "；".join(reason.text() for reason in finding.reasons)
            lines.append(f"· 不适用{finding.clause.label}（{finding.clause.title}）：{why}")
    if assessment.missing:
        lines.append("")
        lines.append("还需要确认：")
        lines.extend(f"· {FACTS[name].question}" for name in assessment.missing)
    if for_citizen:
        lines.extend(checklist_lines(build_checklist(assessment, kb)))
    elif assessment.documents:
        lines.append("")
        lines.append("需要准备的材料：")
        lines.extend(
            _document_row(need.document.name, need.when, need.confirm)
            for need in assessment.documents
        )
    for procedure in assessment.procedures:
        lines.append("")
        lines.append(f"到哪里办：{procedure.where}")
        if procedure.approval:
            lines.append(f"审批：{procedure.approval}")
        if procedure.time_limit:
            lines.append(f"办理时限：{procedure.time_limit}")
    if assessment.related:
        lines.append("")
        lines.append("相关规定：")
        for related in assessment.related:
            clause = kb.clause(related.id)
            lines.append(f"· {clause.label} {clause.title}：{related.why}")
    lines.extend(changes_lines(assessment.changes, kb, assessment.as_of))
    lines.append("")
    # The standing is the second line already; the other notices follow the answer.
    lines.extend(notices(assessment, kb)[1:])
    return "\n".join(lines).rstrip("\n")


def validity_notice(knowledge: Knowledge, today: dt.date) -> str:
    """The notice on the policy's marked validity, compared with ``today``."""
    meta = knowledge.meta
    expires = cn_date(meta.expires)
    if meta.expired(today):
        return (
            f"提示：《{meta.title}》（{meta.doc_no}）标注的失效日期为{expires}，现已过期。"
            "以上内容依据该文件原文，现行办理要求请以醴陵市公安局户政部门和派出所的答复为准。"
        )
    return f"提示：《{meta.title}》（{meta.doc_no}）标注的失效日期为{expires}。"


def notices(assessment: Assessment, knowledge: Knowledge | None = None) -> tuple[str, ...]:
    """The Chinese notices under an answer: validity, confirm documents, catch-all referrals.

    The validity notice always comes first: it is the one thing every answer must say.
    """
    kb = knowledge or load_knowledge()
    lines = [validity_notice(kb, assessment.today)]
    if assessment.outcome in (Outcome.ELIGIBLE, Outcome.RESIDENCE_PERMIT, Outcome.REFUSED):
        lines.append(
            "所需材料以派出所户籍窗口的要求为准，标有“请向派出所确认”的是其他地区常见要求，醴陵是否需要请事先确认。"
        )
    for clause in assessment.referrals:
        lines.append(
            f"政策还规定了“{clause.quote.rstrip('。')}”（{clause.label}），但没有列明具体情形；"
            "您的情况如不在上述条款内，请向户口所在地或拟迁入地派出所咨询。"
        )
    return tuple(lines)
