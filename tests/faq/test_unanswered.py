"""Unanswered questions: stored masked, grouped for staff, turned into drafts."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from bot.faq.errors import NotFound, ValidationError
from bot.faq.store import FaqStore
from tests.support.faq import Clock


def raw_rows(engine: sa.engine.Engine) -> list[tuple[object, ...]]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(sa.text("SELECT * FROM faq_unanswered"))]


def test_personal_data_never_reaches_the_database(
    store: FaqStore, engine: sa.engine.Engine
) -> None:
    store.record_unanswered(
        "我叫张三丰，身份证430281199001011234，电话138 1234 5678，孩子怎么上户口？", "fallback"
    )
    [row] = raw_rows(engine)
    stored = " ".join(str(value) for value in row)
    for secret in ("张三丰", "三丰", "430281199001011234", "13812345678", "138 1234 5678", "5678"):
        assert secret not in stored
    [group] = store.unanswered_groups()
    assert group.text == "我叫[姓名]，身份证[身份证号]，电话[手机号]，孩子怎么上户口？"
    assert group.reasons == ("fallback",)


def test_text_is_cleaned_and_cut_to_500_characters(
    store: FaqStore, engine: sa.engine.Engine
) -> None:
    store.record_unanswered("  户口\x00 问题\n\n" + "长" * 600, "out_of_scope")
    [group] = store.unanswered_groups()
    assert group.text.startswith("户口 问题 长长")
    assert len(group.text) == 500
    store.record_unanswered(" \n\t", "fallback")
    assert len(raw_rows(engine)) == 1, "blank text is not recorded"
    with pytest.raises(ValidationError, match="原因不能为空"):
        store.record_unanswered("问题", " ")
    with pytest.raises(ValidationError, match="原因不能超过 32 个字"):
        store.record_unanswered("问题", "x" * 33)


def test_similar_questions_are_grouped_and_counted(store: FaqStore, clock: Clock) -> None:
    for text in (
        "孩子上户口要什么材料",  # id 1
        "离婚后户口怎么迁",  # id 2
        "请问孩子上户口需要什么材料？",  # id 3
        "孩子上户口要什么材料",  # id 4
        "居住证怎么办理",  # id 5
        "离婚了户口怎么迁回去",  # id 6
        "孩子上户口要哪些材料",  # id 7
    ):
        store.record_unanswered(text, "fallback")
        clock.advance(minutes=1)
    store.record_unanswered("离婚后户口怎么迁", "out_of_scope")
    groups = store.unanswered_groups()
    summary = [(g.id, g.count, g.text) for g in groups]
    assert summary == [
        (1, 4, "孩子上户口要什么材料"),
        (2, 3, "离婚后户口怎么迁"),
        (5, 1, "居住证怎么办理"),
    ]
    assert groups[0].examples == (
        "孩子上户口要什么材料",
        "请问孩子上户口需要什么材料？",
        "孩子上户口要哪些材料",
    )
    assert groups[1].reasons == ("fallback", "out_of_scope")
    assert groups[1].last_seen == clock.now, "ordered by count, then most recent"
    assert [g.id for g in store.unanswered_groups(limit=2)] == [1, 2]


def test_examples_are_at_most_five_distinct_wordings(store: FaqStore) -> None:
    for suffix in "？?。!！啊呀嘛":
        store.record_unanswered(f"孩子上户口要什么材料{suffix}", "fallback")
    [group] = store.unanswered_groups()
    assert group.count == 8
    assert len(group.examples) == 5 == len(set(group.examples))


def test_draft_from_group(store: FaqStore) -> None:
    for text in ("孩子上户口要什么材料", "请问孩子上户口需要什么材料？", "孩子上户口要什么材料"):
        store.record_unanswered(text, "fallback")
    store.record_unanswered("居住证怎么办理", "fallback")
    [children, permit] = store.unanswered_groups()

    draft = store.draft_from_group("editor", children.id)
    assert (draft.status, draft.question, draft.answer) == ("draft", "孩子上户口要什么材料", "")
    assert draft.paraphrases == ("请问孩子上户口需要什么材料？",)
    with pytest.raises(ValidationError, match="答案为空"):
        store.submit("editor", draft.id)
    assert [g.id for g in store.unanswered_groups()] == [permit.id], "the group is handled"
    handled = store.unanswered_groups(include_handled=True)
    assert {g.id for g in handled} == {children.id, permit.id}
    with pytest.raises(NotFound, match=f"没有编号为 {children.id} 的未处理问题组"):
        store.draft_from_group("editor", children.id)
    assert store.audit(entry_id=draft.id)[0].detail == "第 1 版；由未解答问题组 1（3 条）生成"

    filled = store.update("editor", draft.id, {"answer": "带出生医学证明。"}, draft.revision)
    assert store.submit("editor", filled.id).status == "in_review"


def test_new_questions_after_handling_form_a_new_group(store: FaqStore) -> None:
    store.record_unanswered("孩子上户口要什么材料", "fallback")
    store.draft_from_group("editor", 1)
    store.record_unanswered("孩子上户口要什么材料？", "fallback")
    assert [(g.id, g.count) for g in store.unanswered_groups()] == [(2, 1)]


def seed(store: FaqStore, clock: Clock) -> None:
    """Four groups over three days: ids 1 (3 questions), 2, 3 and 4 (one each)."""
    for text in ("孩子上户口要什么材料", "改名字怎么办", "请问孩子上户口需要什么材料？"):
        store.record_unanswered(text, "fallback")
    clock.advance(days=1)
    store.record_unanswered("想改名，要带哪些证件", "fallback")  # lexically apart from 改名字怎么办
    store.record_unanswered("孩子上户口要哪些材料", "fallback")
    clock.advance(days=1)
    store.record_unanswered("今天天气怎么样", "out_of_scope")
    store.record_unanswered("居住证怎么办理", "fallback")


def test_a_page_of_groups_by_text_and_date(store: FaqStore, clock: Clock) -> None:
    start = clock.now
    seed(store, clock)
    total, page = store.unanswered_page(limit=2)
    assert total == 5 and [(g.id, g.count) for g in page] == [(1, 3), (6, 1)]
    assert [g.id for g in store.unanswered_page(offset=2, limit=2)[1]] == [7, 4]
    assert [g.id for g in store.unanswered_page(text="改名")[1]] == [4, 2]
    assert [g.id for g in store.unanswered_page(text="孩子上戶口")[1]] == [1]  # traditional
    day_two = start + dt.timedelta(days=1)
    within = store.unanswered_page(start=day_two, end=day_two + dt.timedelta(days=1))[1]
    assert [g.id for g in within] == [1, 4], "a group counts if any question falls in the range"


def test_groups_are_ignored_done_or_merged(store: FaqStore, clock: Clock) -> None:
    seed(store, clock)
    assert store.resolve_group("editor", 6, "ignored") == 1
    assert store.resolve_group("editor", 7, "done") == 1
    with pytest.raises(NotFound):
        store.resolve_group("editor", 6, "done")
    with pytest.raises(ValidationError):
        store.resolve_group("editor", 1, "deleted")
    merged = store.merge_groups("editor", [4, 2])
    assert (merged.id, merged.count) == (2, 2)
    assert set(merged.examples) == {"改名字怎么办", "想改名，要带哪些证件"}
    store.record_unanswered("改名字怎么办？", "fallback")  # joins the merged group as usual
    assert [(g.id, g.count) for g in store.unanswered_groups()] == [(2, 3), (1, 3)]
    with pytest.raises(ValidationError, match="至少选择两组"):
        store.merge_groups("editor", [2, 2])
    draft = store.draft_from_group("editor", 2)
    assert {"改名字怎么办", "想改名，要带哪些证件"} <= {draft.question, *draft.paraphrases}
    assert [g.id for g in store.unanswered_groups()] == [1]
    actions = [row.action for row in store.audit()][:4]
    assert actions == ["create", "unanswered_merge", "unanswered_done", "unanswered_ignored"]
