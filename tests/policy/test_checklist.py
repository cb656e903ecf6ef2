"""The citizen's checklist: merged, grouped, only this situation's rows, a link of facts only."""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import parse_qsl

import pytest

from bot.policy import PolicyDataError, load_knowledge
from bot.policy.checklist import (
    ChecklistItem,
    build_checklist,
    checklist_link,
    checklist_query,
    situation_from_query,
)
from bot.policy.engine import assess
from bot.policy.loader import DEFAULT_DIR
from bot.policy.model import CHECKLIST_GROUPS
from bot.policy.present import payload
from bot.policy.situation import Situation

KB = load_knowledge()

SPOUSE_JOINING = {
    "goal": "settle_urban",
    "join_relative": "spouse",
    "marital_status": "married",
    "spouse_hukou_area": "liling_urban",
    "lives_with_relative": True,
}
RELATIVE_UNKNOWN = {
    "goal": "settle_urban",
    "lives_with_relative": True,
    "relative_hukou_area": "liling_urban",
}
CHILD_JOINING_PARENT = {"goal": "settle_urban", "join_relative": "parent"}


def _items(facts: dict[str, object]) -> list[ChecklistItem]:
    groups = build_checklist(assess(Situation.from_mapping(facts), KB), KB)
    return [item for group in groups for item in group.items]


def _by_id(facts: dict[str, object]) -> dict[str, ChecklistItem]:
    return {item.id: item for item in _items(facts)}


@pytest.mark.parametrize(
    ("facts", "most", "absent"),
    [
        # The case: a wife joining her husband in town (三(一)1).
        (SPOUSE_JOINING, 8, {"divorce_proof", "parents_consent"}),
        # The relative not yet named: was 15 rows, 申请表 / 户口簿 / 关系证明 three times each.
        (RELATIVE_UNKNOWN, 8, set()),
        ({"goal": "settle_urban", "housing": "owned"}, 8, {"marriage_certificate"}),
    ],
)
def test_one_row_per_document_and_no_rows_for_other_cases(
    facts: dict[str, object], most: int, absent: set[str]
) -> None:
    items = _items(facts)
    ids = [item.id for item in items]
    assert items, "the situation cites a clause, so there are documents"
    assert len(ids) == len(set(ids)), f"a document listed twice: {ids}"
    assert len(items) <= most
    assert absent.isdisjoint(ids)
    assert not any("离婚" in item.name for item in items if facts is SPOUSE_JOINING)


def test_the_spouse_case_lists_what_a_spouse_brings_plainly() -> None:
    items = _by_id(SPOUSE_JOINING)
    for document in ("application_form", "hukou_booklet", "marriage_certificate"):
        assert items[document].condition is None
        assert items[document].clauses == ("3.1.1",)
        assert items[document].labels == ("三(一)1",)


def test_a_row_whose_condition_is_unknown_is_marked_with_what_to_ask() -> None:
    items = _by_id(RELATIVE_UNKNOWN)
    marriage = items["marriage_certificate"]
    assert marriage.condition == "夫妻投靠的"
    assert marriage.asks == ("join_relative",)
    # Needed in several cases: every case named, once.
    booklet = items["hukou_booklet"]
    assert booklet.condition is not None
    assert booklet.condition.count("夫妻投靠的") == 1
    assert "子女投靠父母的" in booklet.condition
    # A condition with no fact behind it is marked but not asked.
    assert items["id_photos"].condition == "年满6周岁且人口信息系统中没有照片的"
    assert items["id_photos"].asks == ()
    # Needed by one case without condition and by others with one: needed, plainly.
    assert items["application_form"].condition is None


def test_a_part_known_to_hold_keeps_the_rest_of_the_condition() -> None:
    # 父母离异的 concerns a child joining a parent; joining a parent does not make it so.
    items = _by_id(CHILD_JOINING_PARENT)
    assert items["divorce_proof"].condition == "父母离异的"
    assert items["divorce_proof"].asks == ()
    assert items["divorce_proof"].confirm  # other places' practice only


def test_a_row_whose_condition_is_false_is_dropped() -> None:
    with_spouse = _by_id({**RELATIVE_UNKNOWN, "join_relative": "spouse"})
    with_parent = _by_id({**RELATIVE_UNKNOWN, "join_relative": "parent"})
    assert "marriage_certificate" in with_spouse
    assert "marriage_certificate" not in with_parent
    assert "divorce_proof" not in with_spouse
    assert "divorce_proof" in with_parent


def test_groups_come_in_checklist_order_and_each_document_in_its_group() -> None:
    groups = build_checklist(assess(Situation.from_mapping(RELATIVE_UNKNOWN), KB), KB)
    order = list(CHECKLIST_GROUPS)
    assert [group.id for group in groups] == sorted((group.id for group in groups), key=order.index)
    assert [group.title for group in groups][:2] == ["本人证件", "关系证明"]
    for group in groups:
        assert group.items
        assert all(KB.documents[item.id].group == group.id for item in group.items)


def test_no_clause_cited_no_checklist() -> None:
    assert build_checklist(assess(Situation.of(goal="move_rural"), KB), KB) == ()


def test_every_shipped_document_has_a_known_group() -> None:
    assert {document.group for document in KB.documents.values()} <= set(CHECKLIST_GROUPS)


def test_an_unknown_group_is_refused(tmp_path: Path) -> None:
    data_dir = tmp_path / "policy_text"
    shutil.copytree(DEFAULT_DIR, data_dir)
    path = data_dir / "documents.yml"
    text = path.read_text(encoding="utf-8")
    at = text.index("group: relationship")
    path.write_text(text.replace("group: relationship", "group: family", 1), encoding="utf-8")
    line = text[:at].count("\n") + 1
    with pytest.raises(PolicyDataError) as info:
        load_knowledge(data_dir)
    assert any(
        str(p).startswith(f"policy_text/documents.yml:{line - 2}:")
        and "unknown group 'family'" in str(p)
        for p in info.value.problems
    )


# The link: fact values only, keys sorted.


@pytest.mark.parametrize(
    ("facts", "query"),
    [
        (
            SPOUSE_JOINING,
            "goal=settle_urban&join_relative=spouse&lives_with_relative=1"
            "&marital_status=married&spouse_hukou_area=liling_urban",
        ),
        (
            {"goal": "settle_urban", "urban_social_insurance": False},
            "goal=settle_urban&urban_social_insurance=0",
        ),
        ({"veteran": True, "goal": "move_rural", "housing": None}, "goal=move_rural&veteran=1"),
        ({}, ""),
    ],
)
def test_the_query_carries_known_fact_values_sorted(facts: dict[str, object], query: str) -> None:
    situation = Situation.from_mapping(facts)
    assert checklist_query(situation) == query
    assert checklist_link(situation) == ("/checklist?" + query if query else "/checklist")


@pytest.mark.parametrize("facts", [SPOUSE_JOINING, RELATIVE_UNKNOWN, CHILD_JOINING_PARENT, {}])
def test_the_query_round_trips(facts: dict[str, object]) -> None:
    situation = Situation.from_mapping(facts)
    back, ignored = situation_from_query(dict(parse_qsl(checklist_query(situation))))
    assert ignored == ()
    assert back.to_dict() == situation.to_dict()


@pytest.mark.parametrize(
    ("params", "kept", "reason"),
    [
        ({"name": "张三"}, {}, "name：不是本清单使用的情况项"),
        ({"veteran": "yes"}, {}, "veteran（退役士兵）：取值应为 1 或 0"),
        ({"housing": "mansion"}, {}, "housing（在醴陵城镇地区的住所）：不是可用的取值"),
        ({"goal": "settle_urban", "phone": "13800000000"}, {"goal": "settle_urban"}, "phone："),
        ({"x" * 200: "1"}, {}, "x" * 30 + "…："),
    ],
)
def test_junk_params_are_ignored_with_a_reason(
    params: dict[str, str], kept: dict[str, object], reason: str
) -> None:
    situation, ignored = situation_from_query(params)
    assert situation.to_dict() == kept
    (line,) = ignored
    assert line.startswith(reason)
    assert "13800000000" not in line and "张三" not in line


def test_the_payload_carries_the_checklist_and_keeps_the_documents() -> None:
    data = payload(assess(Situation.from_mapping(SPOUSE_JOINING), KB), KB)
    assert data["documents"], "the staff-side rows are still there"
    checklist = data["checklist"]
    assert checklist["link"] == checklist_link(Situation.from_mapping(SPOUSE_JOINING))
    rows = [item for group in checklist["groups"] for item in group["items"]]
    assert {"id", "name", "clauses", "condition", "asks", "confirm"} <= set(rows[0])
    assert rows[0]["clauses"] == [{"id": "3.1.1", "label": "三(一)1"}]
    assert all(set(group) == {"id", "title", "items"} for group in checklist["groups"])
    # Research notes and other cities' comparisons stay with the staff: not on the checklist.
    assert "notes" not in rows[0] and "sources" not in rows[0]


def test_only_if_needs_the_words_it_is_part_of(tmp_path: Path) -> None:
    data_dir = tmp_path / "policy_text"
    shutil.copytree(DEFAULT_DIR, data_dir)
    path = data_dir / "requirements.yml"
    text = path.read_text(encoding="utf-8")
    old = "      when: 父母离异的\n      only_if: join_relative = parent"
    assert old in text
    path.write_text(
        text.replace(old, "      when: null\n      only_if: join_relative = parent", 1), "utf-8"
    )
    with pytest.raises(PolicyDataError) as info:
        load_knowledge(data_dir)
    assert any("only_if without the words of 'when'" in str(p) for p in info.value.problems)
