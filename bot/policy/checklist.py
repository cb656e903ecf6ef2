"""The citizen's checklist: one merged, grouped list of the documents to bring.

Pure Python, no Rasa import. The chat card, the ``/checklist`` page and the hotline page all
build it here from the engine's :class:`~bot.policy.engine.Assessment`, so they cannot list
different documents for the same situation.

Why a separate list from :attr:`Assessment.documents`: the engine keeps one row per document
*and condition* (what staff read, with evidence notes), which for a relative not yet named
listed 申请表, 户口簿 and 关系证明 three times each. A citizen needs one row per document:

* rows are merged by document id, listing every clause the document is for;
* a row whose condition is known false for this situation is already left out by the engine;
* a row whose condition is unknown is kept and marked with the condition in words
  (:attr:`ChecklistItem.condition`) and the facts it turns on (:attr:`ChecklistItem.asks`),
  so the page can ask; a row needed without condition (or on a condition known to hold) is
  plain;
* rows are grouped 本人证件 / 关系证明 / 住所 / 其他 by the ``group:`` of each document in
  ``policy_text/documents.yml`` (:data:`~bot.policy.model.CHECKLIST_GROUPS`).

Evidence notes and other cities' practice are not on it: those stay on the hotline page.

The checklist's link carries only fact values (``goal=settle_urban&join_relative=spouse``),
never anything the citizen typed: :func:`checklist_query` writes it, :func:`situation_from_query`
reads it back and says which parameters it ignored and why.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from bot.policy.engine import Assessment, DocumentNeed
from bot.policy.facts import FACTS, FactValue
from bot.policy.model import CHECKLIST_GROUPS, Knowledge
from bot.policy.situation import Situation

CHECKLIST_PATH = "/checklist"
"""Where the checklist page is served; its query is :func:`checklist_query`."""

CONDITION_JOINER = "，或"
"""Between the conditions of a document needed in more than one case."""

_BOOL_VALUES = {"1": True, "0": False}
_MAX_NAME_SHOWN = 30
"""An ignored parameter's name is cut to this length when it is named back."""


@dataclass(frozen=True)
class ChecklistItem:
    """One document on the checklist.

    Attributes:
        id: The document's id in ``documents.yml``.
        name: Its Chinese name.
        clauses: The ids of the cited clauses it is for, in the answer's order.
        labels: The same clauses as the policy numbers them (``三(一)1``).
        condition: ``None`` when it is needed in this situation; otherwise the case it is
            needed in, in words (the situation does not say yet).
        asks: The facts that condition turns on (empty when the policy data has no
            machine-readable form of it): what the page can ask to settle the row.
        confirm: Whether it rests only on weak evidence ("请向派出所确认").
    """

    id: str
    name: str
    clauses: tuple[str, ...]
    labels: tuple[str, ...]
    condition: str | None
    asks: tuple[str, ...]
    confirm: bool


@dataclass(frozen=True)
class ChecklistGroup:
    """A group of the checklist (本人证件, 关系证明, 住所, 其他) with its items."""

    id: str
    title: str
    items: tuple[ChecklistItem, ...]


def build_checklist(assessment: Assessment, knowledge: Knowledge) -> tuple[ChecklistGroup, ...]:
    """The documents of an assessment, one row per document, grouped in checklist order.

    Empty groups are left out; an assessment that cites no clause gives an empty checklist.
    """
    by_document: dict[str, list[DocumentNeed]] = {}
    for need in assessment.documents:
        by_document.setdefault(need.document.id, []).append(need)
    items = [_item(needs, knowledge, assessment.situation) for needs in by_document.values()]
    groups = []
    for group_id, title in CHECKLIST_GROUPS.items():
        members = tuple(item for item in items if knowledge.documents[item.id].group == group_id)
        if members:
            groups.append(ChecklistGroup(group_id, title, members))
    return tuple(groups)


def _item(needs: list[DocumentNeed], knowledge: Knowledge, situation: Situation) -> ChecklistItem:
    """Merge the engine's rows for one document (one per condition) into one item."""
    document = needs[0].document
    clauses = tuple(dict.fromkeys(cid for need in needs for cid in need.for_clauses))
    plain = [need for need in needs if need.when is None]
    condition: str | None = None
    asks: tuple[str, ...] = ()
    if not plain:
        whens = dict.fromkeys(need.when for need in needs if need.when)
        condition = CONDITION_JOINER.join(whens)
        asks = _condition_facts(needs, knowledge, situation)
    # A row needed anyway is as reliable as its unconditional evidence; otherwise the best.
    deciding = plain or needs
    return ChecklistItem(
        id=document.id,
        name=document.name,
        clauses=clauses,
        labels=tuple(knowledge.clause(cid).label for cid in clauses),
        condition=condition,
        asks=asks,
        confirm=all(need.confirm for need in deciding),
    )


def _condition_facts(
    needs: Iterable[DocumentNeed], knowledge: Knowledge, situation: Situation
) -> tuple[str, ...]:
    """The facts still unknown that the conditions of these rows turn on, in fact order."""
    names: set[str] = set()
    for need in needs:
        for clause_id in need.for_clauses:
            for req in knowledge.clause(clause_id).requirements:
                if req.document.id != need.document.id or req.when != need.when:
                    continue
                for condition in (req.condition, req.only_if):
                    if condition is not None:
                        names.update(condition.facts())
    return tuple(name for name in FACTS if name in names and situation.get(name) is None)


def checklist_query(situation: Situation) -> str:
    """The checklist link's query: known fact values only, keys sorted (a stable link).

    Boolean facts are ``1`` / ``0``, enum facts their value name; unknown facts are left out.
    """
    pairs = []
    for name, value in sorted(situation.to_dict().items()):
        pairs.append((name, _encode(value)))
    return urlencode(pairs)


def checklist_link(situation: Situation) -> str:
    """The path of the checklist page for a situation (``/checklist?…``)."""
    query = checklist_query(situation)
    return f"{CHECKLIST_PATH}?{query}" if query else CHECKLIST_PATH


def _encode(value: FactValue) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return value


def situation_from_query(params: Mapping[str, str]) -> tuple[Situation, tuple[str, ...]]:
    """Read a checklist link's query back into a situation.

    Only fact names with a valid value are read; anything else is ignored, never guessed at.

    Returns:
        The situation, and one Chinese line per ignored parameter saying why.
    """
    facts: dict[str, FactValue] = {}
    ignored: list[str] = []
    for key, raw in params.items():
        shown = key if len(key) <= _MAX_NAME_SHOWN else key[:_MAX_NAME_SHOWN] + "…"
        fact = FACTS.get(key)
        if fact is None:
            ignored.append(f"{shown}：不是本清单使用的情况项，已忽略")
            continue
        value = raw.strip()
        if fact.is_bool:
            if value not in _BOOL_VALUES:
                ignored.append(f"{shown}（{fact.label}）：取值应为 1 或 0，已忽略")
                continue
            facts[key] = _BOOL_VALUES[value]
        elif value in fact.values:
            facts[key] = value
        else:
            ignored.append(f"{shown}（{fact.label}）：不是可用的取值，已忽略")
    return Situation(facts), tuple(ignored)


def checklist_block(assessment: Assessment, knowledge: Knowledge) -> dict[str, Any]:
    """The ``checklist`` block of a payload: the groups as plain data, and the page's link."""
    return {
        "groups": [
            {
                "id": group.id,
                "title": group.title,
                "items": [
                    {
                        "id": item.id,
                        "name": item.name,
                        "clauses": [
                            {"id": cid, "label": label}
                            for cid, label in zip(item.clauses, item.labels, strict=True)
                        ],
                        "condition": item.condition,
                        "asks": list(item.asks),
                        "confirm": item.confirm,
                    }
                    for item in group.items
                ],
            }
            for group in build_checklist(assessment, knowledge)
        ],
        "link": checklist_link(assessment.situation),
    }
