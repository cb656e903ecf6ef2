"""Answers that are not eligibility assessments: topics, validity, hand-off, declines.

Each function returns ``(text, payload)``; the Rasa actions only send them. No Rasa import.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import Any

from bot.dialogue.memory import NOTICE_FULL
from bot.policy.engine import Assessment, ClauseFinding, assess, later_changes
from bot.policy.facts import FACTS, MOVE_GOALS, FactValue
from bot.policy.model import Clause, Knowledge
from bot.policy.present import (
    changes_block,
    changes_lines,
    changes_scope,
    clause_brief,
    cn_date,
    conditional_lines,
    no_successor,
    payload,
    policies_block,
    policy_block,
    policy_reference,
    status_notice,
    validity_notice,
)
from bot.policy.situation import Situation
from bot.retrieval.policy_search import search_for

Answer = tuple[str, dict[str, Any]]


def one_bubble(text: str) -> str:
    """``text`` as the chat shows it, in one bubble.

    Rasa's REST channel splits a text at blank lines into several bubbles, so paragraphs are
    kept apart by single line breaks instead.
    """
    return re.sub(r"\n{2,}", "\n", text)


WHERE_TO_ASK = (
    "户口所在地或拟迁入地的派出所户籍窗口",
    "醴陵市公安局户政部门",
    "12345政务服务便民热线（一般政务咨询）",
)
"""Where a citizen can ask people: the offices the policy and the research name, and the
general government line. No number besides 12345 (the research found none to verify)."""

REFERRAL = (
    f"建议您到{WHERE_TO_ASK[0]}咨询，或向{WHERE_TO_ASK[1]}咨询；"
    "其他政务问题可以拨打12345政务服务便民热线。"
)

HANDOFF_TITLE = "人工咨询渠道"
"""What 转人工 was: a list of where to ask people, not a promise of a person."""

SCOPE_BUTTONS = (
    ("在醴陵城镇落户", "/want_settle_urban"),
    ("把户口迁往农村", "/want_move_rural"),
    ("新生儿上户口", "/ask_newborn"),
    ("办居住证", "/ask_residence_permit"),
    ("进城后土地权益", "/ask_land_rights"),
    ("政策是否有效", "/ask_policy_validity"),
    (HANDOFF_TITLE, "/human_handoff"),
)
"""What the assistant can do, offered where it cannot help (four shown, the rest behind 更多)."""


def scope_buttons() -> list[dict[str, str]]:
    """:data:`SCOPE_BUTTONS` as quick replies."""
    return [{"title": title, "payload": payload} for title, payload in SCOPE_BUTTONS]


def notice_line(kb: Knowledge, today: dt.date, full: bool) -> str:
    """The expiry notice under an answer: in full once per conversation, a short tag after."""
    return validity_notice(kb, today) if full else status_notice(kb, today, full=False)


def _payload(kind: str, kb: Knowledge, today: dt.date, **extra: Any) -> dict[str, Any]:
    return {
        "type": kind,
        "clauses": [],
        "documents": [],
        "missing": [],
        "notices": [validity_notice(kb, today)],
        "policy": policy_block(kb.meta, today),
        **extra,
    }


def _quoting(
    kind: str,
    lines: list[str],
    clauses: Sequence[Clause],
    kb: Knowledge,
    today: dt.date,
    briefs: list[dict[str, Any]] | None = None,
    full_notice: bool = True,
    **extra: Any,
) -> Answer:
    """An answer that quotes clauses, completed with their later changes and the notice.

    Under the text: 之后的变化 of the quoted clauses, then the validity notice; in the
    payload: the clauses (``briefs`` when given, else each clause's brief with its
    departments) and the ``changes`` block.
    """
    changes = later_changes(kb, [clause.id for clause in clauses], today)
    text = [*lines, *changes_lines(changes, kb, today), "", notice_line(kb, today, full_notice)]
    answer = _payload(
        kind,
        kb,
        today,
        clauses=briefs
        if briefs is not None
        else [{**clause_brief(c), "departments": list(c.departments)} for c in clauses],
        changes=changes_block(changes, kb, today),
        notice=NOTICE_FULL if full_notice else "short",
        **extra,
    )
    # The card shows the first notice: the same short tag as the text, once the full one
    # was given.
    answer["notices"] = [notice_line(kb, today, full_notice)]
    return "\n".join(text), answer


def _clause_lines(clause: Clause) -> list[str]:
    # Research notes (evidence, other places' practice) stay on the hotline page.
    lines = [f"【{clause.label}】{clause.title}", f"原文：“{clause.quote}”"]
    lines.extend(f"原文：“{quote}”" for quote in clause.extra_quotes)
    if clause.departments:
        lines.append(f"负责部门：{'、'.join(clause.departments)}")
    return lines


RANKED_TOPICS: dict[str, int] = {"reform_work": 3}
"""Topics whose clauses are ranked by the question's words, and how many of them are quoted:
the reform's goals, leadership, rules, finance, publicity, petitions and population records
(一, 四(三), 五(三), 六 and the annex's tasks) are one question to the classifier, many to
the document."""


def _found_by(question: str, clauses: Sequence[Clause], kb: Knowledge) -> list[Clause]:
    """The ``clauses`` the policy search finds for ``question``, in its order.

    When it finds none of them: all of them, in the document's order (the caller keeps the
    first few).
    """
    # The words every such question holds (户籍改革, 醴陵) rank nothing: the rest do.
    query = GENERIC_WORDS.sub(" ", question)
    hits = search_for(kb).search(query, limit=50) if query.strip() else []
    order = {hit.clause.id: rank for rank, hit in enumerate(hits)}
    # Only the clauses the words find (信访 → 附件第17项 alone, not 指导思想 beside it); when they
    # find none, the topic's first clauses.
    ranked = sorted((c for c in clauses if c.id in order), key=lambda c: order[c.id])
    ranked = ranked or list(clauses)
    # An annex row that repeats its section (附件第4项 = 四(三); 附件第15项 within 六(三)) is the
    # section, which names the row's department: quoted once, as the section, where it ranked.
    sections = [c for c in clauses if not c.id.startswith("annex.")]
    found: list[Clause] = []
    for clause in ranked:
        if clause.id.startswith("annex."):
            clause = next((c for c in sections if clause.quote in c.quote), clause)
        if clause not in found:
            found.append(clause)
    return found


GENERIC_WORDS = re.compile(
    r"户籍制度改革|户籍改革|户口改革|户改|户籍|户口|改革|制度|醴陵|政策|方面"
)
"""Words of every question about how the reform is run: left out of its ranking."""


def topic_answer(
    topics: tuple[str, ...],
    kb: Knowledge,
    today: dt.date,
    situation: Situation | None = None,
    asked: frozenset[str] = frozenset(),
    full_notice: bool = True,
    question: str = "",
) -> Answer:
    """Quote the clauses that answer a direct question (land rights, schooling …).

    When the same words also describe a move of the citizen's own (``situation`` states a
    move goal: "我们一家是水库移民，安置到城区，孩子上学怎么办"), the question is answered
    first and the clauses for the situation follow, with why: the citizen asked both.
    A topic of many clauses (:data:`RANKED_TOPICS`: how the reform is run) is answered by the
    few of them the ``question``'s words find.
    """
    ranked = [t for t in topics if t in RANKED_TOPICS]
    clauses: list[Clause] = []
    for topic in topics:
        for clause in kb.clauses_for_topic(topic):
            # The annex's rows repeat the sections' tasks, with the department: quoted only
            # for a ranked topic, where a department is often what is asked (信访归谁管).
            if clause not in clauses and (ranked or not clause.id.startswith("annex.")):
                clauses.append(clause)
    if ranked:
        clauses = _found_by(question, clauses, kb)[: RANKED_TOPICS[ranked[0]]]
    if not clauses:
        return not_covered(kb, today)
    keys = key_sentences(clauses, topics)
    # The answer first: each clause's key sentence for the question, verbatim; the rest after.
    lines = [f"按{policy_reference(kb.meta)}："]
    for clause, key in zip(clauses, keys, strict=True):
        # An annex row's task is done by its department (信访 → 市信访局): said with the quote.
        doer = "、".join(clause.responsible) if ranked else ""
        doer = f"，责任单位：{doer}" if doer else ""
        lines.append(f"“{key}”（{clause.label}{doer}）")
        lines.extend(conditional_lines(clause))
    lines += ["", "详细原文："]
    for clause in clauses:
        lines.append("")
        lines.extend(_clause_lines(clause))
    briefs = [{**clause_brief(c), "departments": list(c.departments)} for c in clauses]
    quoted = list(clauses)
    extra: dict[str, Any] = {}
    assessed, shown = _situation_routes(situation, kb, today, asked, skip=clauses)
    if assessed is not None and shown:
        lines += ["", "按您说的情况，还可以看这些条款："]
        for finding in shown:
            lines.append("")
            lines.extend(_clause_lines(finding.clause))
            if finding.reasons:
                lines.append("您的情况：" + "；".join(r.text() for r in finding.reasons))
        briefs += [
            {
                **clause_brief(f.clause),
                "departments": list(f.clause.departments),
                "for_situation": True,
                "why": [r.text() for r in f.reasons],
            }
            for f in shown
        ]
        quoted += [f.clause for f in shown]
        extra["assessment"] = payload(assessed, kb)
    extra["key_sentences"] = [
        {"id": clause.id, "label": clause.label, "text": key}
        for clause, key in zip(clauses, keys, strict=True)
    ]
    return _quoting(
        "clause",
        lines,
        quoted,
        kb,
        today,
        briefs=briefs,
        full_notice=full_notice,
        topics=list(topics),
        **extra,
    )


def _situation_routes(
    situation: Situation | None,
    kb: Knowledge,
    today: dt.date,
    asked: frozenset[str],
    skip: Sequence[Clause] = (),
) -> tuple[Assessment | None, list[ClauseFinding]]:
    """The assessment of a move the question also states, and the routes it shows.

    ``None`` when no move is stated. Routes that could apply, minus ``skip`` (clauses the
    answer quotes already); a route ruled out is said so only in the assessment itself.
    """
    if situation is None or situation.get("goal") not in MOVE_GOALS:
        return None, []
    assessed = assess(situation, kb, today, asked)
    shown = [f for f in assessed.shown if f not in assessed.near_misses and f.clause not in skip]
    return assessed, shown


def key_sentences(clauses: Sequence[Clause], topics: Sequence[str]) -> list[str]:
    """Each clause's key sentence for the question's topic (``key_for``), else its quote."""
    found = []
    for clause in clauses:
        topic = next((t for t in topics if t in clause.topics), None)
        found.append(clause.key_sentence(topic))
    return found


def validity_answer(
    kb: Knowledge,
    today: dt.date,
    situation: Situation | None = None,
    asked: frozenset[str] = frozenset(),
) -> Answer:
    """Say when the policy was issued, took effect and is marked to expire.

    When the question names a move ("醴陵城镇落户的政策是哪一年出的？现在还在用吗"), the
    clauses of the 2017 document for that move follow, quoted, so the citizen sees what the
    expired text said about the very thing asked (as a topic question's answer does).
    """
    meta = kb.meta
    lines = [
        f"《{meta.title}》（{meta.doc_no}）由{meta.issuer}于{cn_date(meta.signed)}签发，"
        f"{cn_date(meta.published)}公布施行，标注的失效日期为{cn_date(meta.expires)}。",
        validity_notice(kb, today),
    ]
    lines.extend(f"说明：{note.text}" for note in kb.general_notes if note.reliability == "N")
    lines.extend(_later_documents(kb, today))
    extra: dict[str, Any] = {}
    assessed, shown = _situation_routes(situation, kb, today, asked)
    if assessed is not None and shown:
        lines += ["", "您问到的事项，该文件的相关条款："]
        for finding in shown:
            lines.append("")
            lines.extend(_clause_lines(finding.clause))
        extra["clauses"] = [
            {**clause_brief(f.clause), "departments": list(f.clause.departments)} for f in shown
        ]
        extra["assessment"] = payload(assessed, kb)
    return "\n".join(lines), _payload(
        "policy",
        kb,
        today,
        policies=policies_block(kb, today)["documents"],
        notice=NOTICE_FULL,
        **extra,
    )


def _later_documents(kb: Knowledge, today: dt.date) -> list[str]:
    """The later documents in force on ``today``, each worded by its evidence.

    Never a claim that a successor exists: only what was found, and that none was found.
    """
    later = [doc for doc in kb.later if doc.standing(today) == "in_force"]
    found = no_successor(kb, today)
    if not later and found is None:
        return []
    lines = [f"之后的变化（{changes_scope(kb, today)}）："]
    if found:
        lines.append(f"{found}。")
    for doc in later:
        source = "，据新闻报道" if doc.reported else ""
        number = doc.doc_no or "无文号"
        lines.append(f"· {doc.issuer}：{doc.title}（{doc.issued_text}，{number}{source}）")
    if later:
        lines.append("问具体事项时，我会在答复后列出与所引条款有关的变化。")
    return lines


def handoff_answer(kb: Knowledge, today: dt.date) -> Answer:
    """The channels where people answer (人工咨询渠道); never a promise or an invented number."""
    lines = [
        f"{HANDOFF_TITLE}：我是自动助手，不能转接工作人员。可以找人咨询的地方：",
        *(f"· {place}" for place in WHERE_TO_ASK),
        "没有查到可以核实的专门咨询电话，所以不提供其他号码。"
        "去之前可以把我列出的材料清单截图或打印带上，对照确认。",
    ]
    return "\n".join(lines), _payload("handoff", kb, today, channels=list(WHERE_TO_ASK))


OUT_OF_SCOPE_WHERE = (
    "护照、身份证、户口本补办或改名等证件业务，请到派出所户籍窗口或醴陵市公安局户政部门咨询",
    "其他政务问题可以拨打12345政务服务便民热线",
)
"""Out of scope, where to go instead: only the offices the policy and the research name."""


def out_of_scope_answer(kb: Knowledge, today: dt.date) -> Answer:
    """Decline plainly, say where to go, and offer what the assistant can do."""
    where = "；".join(OUT_OF_SCOPE_WHERE)
    text = "\n".join(
        [
            f"这个问题不在{kb.meta.doc_no}的范围内，我不能回答，以免误导您。",
            f"{where}。",
            "我能解答的是醴陵的落户、户口迁往农村、新生儿和无户口人员登记、死亡注销、居住证，"
            "可以点下面的选项：",
        ]
    )
    return text, _payload("out_of_scope", kb, today, where=list(OUT_OF_SCOPE_WHERE))


def other_city_answer(
    place: str,
    facts: Mapping[str, FactValue],
    kb: Knowledge,
    today: dt.date,
    asked: frozenset[str] = frozenset(),
    full_notice: bool = True,
) -> Answer:
    """Another city's rules: say so, refer there, and give Liling's rule for the same case.

    "嫁到苏州几年能落户": the assistant answers for Liling only; where 醴政发〔2017〕6号 has a
    rule for the same situation (三(一)1 sets no marriage-length condition) it quotes it,
    as Liling's, not as the other city's. Facts only asked about (武汉大学生落户是不是不要
    工作) rank Liling's clauses for the same question.
    """
    known = dict(facts)
    known.setdefault("goal", "settle_urban")
    assessment = assess(Situation.from_mapping(known), kb, today, asked)
    assessed = payload(assessment, kb)
    # Liling's rule for the same case: the routes that apply or could; not those ruled out.
    shown = [f for f in assessment.shown if f not in assessment.near_misses][:3]
    lines = [
        f"我只解答醴陵市的户籍政策（{kb.meta.doc_no}），不能回答{place}的落户规定，"
        f"请向{place}当地的公安机关（派出所户籍窗口）咨询。",
    ]
    if shown:
        lines += ["", "如果您问的是在醴陵遇到同样的情况，醴陵的规定是："]
        for finding in shown:
            lines.append("")
            lines.extend(_clause_lines(finding.clause))
    lines += ["", notice_line(kb, today, full_notice)]
    answer = _payload(
        "other_city",
        kb,
        today,
        place=place,
        notice=NOTICE_FULL if full_notice else "short",
        clauses=[c for c in assessed["clauses"] if not c.get("ruled_out")][:3],
        assessment=assessed,
    )
    return "\n".join(lines), answer


def not_covered(kb: Knowledge, today: dt.date) -> Answer:
    """The policy says nothing about this: say so and refer onwards."""
    text = f"{kb.meta.doc_no}没有对这个问题作出规定，我不能替政策作答。{REFERRAL}"
    return text, _payload("fallback", kb, today, stage="refer")


CLARIFY_OPTIONS = SCOPE_BUTTONS


def clarify_answer(kb: Knowledge, today: dt.date, second_time: bool) -> Answer:
    """First low-confidence message: ask which topic; the second: refer onwards honestly."""
    if second_time:
        text, payload = not_covered(kb, today)
        return "抱歉，我还是没能理解您的问题。" + text, payload
    text = "抱歉，我没太明白。您想问的是下面哪一类？也可以换个说法描述您的情况。"
    payload = _payload(
        "fallback",
        kb,
        today,
        stage="clarify",
        options=[{"title": t, "payload": p} for t, p in CLARIFY_OPTIONS],
    )
    return text, payload


GOAL_BUTTONS = tuple(
    (label, '/inform{"goal": "' + value + '"}') for value, label in FACTS["goal"].values.items()
)


FAQ_SUGGEST_PREFIX = "您是想问下面的问题吗？"


def faq_answer(
    kb: Knowledge,
    today: dt.date,
    *,
    question: str,
    answer: str,
    clause_ids: Sequence[str],
    entry_id: int | None = None,
    key: str | None = None,
    version: int | None = None,
    full_notice: bool = True,
) -> Answer:
    """A published FAQ entry's answer, with the verbatim quote of each clause it cites.

    The FAQ desk's live preview and the assistant both call this, so editors see exactly
    what citizens will be told. ``entry_id``/``key``/``version`` are ``None`` in a preview
    of unsaved text.
    """
    clauses = [kb.clause(clause_id) for clause_id in clause_ids if clause_id in kb.clauses]
    lines = [answer.strip() or "（答案尚未填写）"]
    for clause in clauses:
        lines += ["", f"依据【{clause.label}】{clause.title}", f"原文：“{clause.quote}”"]
    faq = {"id": entry_id, "key": key, "version": version, "question": question}
    return _quoting("faq", lines, clauses, kb, today, full_notice=full_notice, faq=faq)


def faq_suggestion(candidates: Sequence[tuple[int, str]], kb: Knowledge, today: dt.date) -> Answer:
    """Offer FAQ entries that may be meant (``(entry id, question)`` pairs) as buttons.

    Each option's payload is ``/choose_faq{"faq_id": "<id>"}``; the last option says none
    of them fits (the assistant then asks for other words).
    """
    options = [
        {"title": question, "payload": '/choose_faq{"faq_id": "' + str(entry_id) + '"}'}
        for entry_id, question in candidates
    ]
    options.append({"title": "都不是，我换个说法", "payload": "/deny"})
    return FAQ_SUGGEST_PREFIX, _payload("fallback", kb, today, stage="suggest", options=options)
