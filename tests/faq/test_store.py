"""The FAQ desk's workflow, permissions, history and concurrency, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import sqlalchemy as sa

from bot.faq.errors import Conflict, InvalidTransition, NotFound, PermissionDenied, ValidationError
from bot.faq.store import FaqStore
from tests.support.faq import NEWBORN, Clock, published_entry


def test_full_workflow(store: FaqStore, clock: Clock) -> None:
    entry = store.create("editor", NEWBORN)
    assert (entry.status, entry.version, entry.revision) == ("draft", 1, 1)
    assert entry.key == "newborn_documents" and entry.author == "editor"
    assert store.published() == []

    assert store.submit("editor", entry.id).status == "in_review"
    approved = store.approve("reviewer", entry.id, "内容准确")
    assert (approved.status, approved.reviewer, approved.comment) == (
        "approved",
        "reviewer",
        "内容准确",
    )
    assert store.published() == [], "approved is not yet published"
    live = store.publish("reviewer2", entry.id)
    assert (live.status, live.published_version, live.version) == ("published", 4, 4)
    [served] = store.published()
    assert (served.key, served.answer, served.version) == (
        "newborn_documents",
        NEWBORN["answer"],
        4,
    )

    # Editing a published entry: a new draft, while the published version is still served.
    clock.advance(days=1)
    edited = store.update(
        "editor2", entry.id, {"answer": "带出生医学证明、户口簿。"}, live.revision
    )
    assert (edited.status, edited.published_version, edited.author) == ("draft", 4, "editor2")
    assert edited.reviewer is None, "changed content needs a new approval"
    assert store.published()[0].answer == NEWBORN["answer"]
    assert store.published()[0].version == 4

    store.submit("editor2", entry.id)
    store.approve("reviewer", entry.id)
    republished = store.publish("reviewer2", entry.id)
    assert republished.published_version == republished.version == 8
    assert store.published()[0].answer == "带出生医学证明、户口簿。"

    archived = store.archive("admin", entry.id)
    assert (archived.status, archived.published_version) == ("archived", None)
    assert store.published() == [], "archiving stops serving at once"

    restored = store.restore("reviewer", entry.id, 4)
    assert (restored.status, restored.version, restored.published_version) == ("published", 10, 10)
    assert restored.author == "editor", "the restored content keeps its author"
    [served] = store.published()
    assert (served.answer, served.version) == (NEWBORN["answer"], 10)

    actions = [(v.number, v.action, v.status, v.editor) for v in store.versions(entry.id)]
    assert actions == [
        (1, "create", "draft", "editor"),
        (2, "submit", "in_review", "editor"),
        (3, "approve", "approved", "reviewer"),
        (4, "publish", "published", "reviewer2"),
        (5, "update", "draft", "editor2"),
        (6, "submit", "in_review", "editor2"),
        (7, "approve", "approved", "reviewer"),
        (8, "publish", "published", "reviewer2"),
        (9, "archive", "archived", "admin"),
        (10, "restore", "published", "reviewer"),
    ]
    assert store.get(entry.id).revision == 10


def test_reject_sends_back_to_draft_with_the_comment(store: FaqStore) -> None:
    entry = store.create("editor", NEWBORN)
    store.submit("editor", entry.id)
    with pytest.raises(ValidationError, match="必须填写意见"):
        store.reject("reviewer", entry.id, "  ")
    rejected = store.reject("reviewer", entry.id, "请注明需要原件")
    assert (rejected.status, rejected.comment) == ("draft", "请注明需要原件")
    assert store.versions(entry.id)[-1].comment == "请注明需要原件"
    store.submit("editor", entry.id)
    store.approve("reviewer", entry.id)
    assert store.reject("reviewer2", entry.id, "还要改").status == "draft"


@pytest.mark.parametrize("action", ["approve", "reject", "publish", "archive"])
def test_editor_cannot_review(store: FaqStore, action: str) -> None:
    entry = store.create("editor", NEWBORN)
    store.submit("editor", entry.id)
    arguments = {"reject": ("理由",), "approve": ("好",)}.get(action, ())
    with pytest.raises(PermissionDenied, match="编辑不能"):
        getattr(store, action)("editor2", entry.id, *arguments)
    assert store.get(entry.id).status == "in_review"


def test_editor_can_never_publish_even_once_approved(store: FaqStore) -> None:
    entry = store.create("editor", NEWBORN)
    store.submit("editor", entry.id)
    store.approve("reviewer", entry.id)
    for editor in ("editor", "editor2"):
        with pytest.raises(PermissionDenied):
            store.publish(editor, entry.id)
    assert store.published() == []
    published = published_entry(store, {**NEWBORN, "key": "other"})
    with pytest.raises(PermissionDenied):
        store.restore("editor", published.id, 4)


@pytest.mark.parametrize("reviewer", ["reviewer", "admin"])
def test_nobody_publishes_or_approves_their_own_content(store: FaqStore, reviewer: str) -> None:
    entry = store.create(reviewer, NEWBORN)
    store.submit(reviewer, entry.id)
    with pytest.raises(PermissionDenied, match="不能审核自己撰写的条目"):
        store.approve(reviewer, entry.id)
    store.approve("reviewer2", entry.id)
    with pytest.raises(PermissionDenied, match="不能发布自己撰写的条目"):
        store.publish(reviewer, entry.id)
    assert store.publish("reviewer2", entry.id).status == "published"


def test_the_author_is_whoever_wrote_the_latest_content(store: FaqStore) -> None:
    entry = published_entry(store)
    # reviewer2 published it; after reviewer2 edits it, reviewer2 may not publish it again.
    store.update("reviewer2", entry.id, {"answer": "新的答案"}, entry.revision)
    store.submit("reviewer2", entry.id)
    store.approve("reviewer", entry.id)
    with pytest.raises(PermissionDenied, match="不能发布自己撰写的条目"):
        store.publish("reviewer2", entry.id)
    assert store.publish("reviewer", entry.id).status == "published"


def test_unknown_or_inactive_users_are_refused(store: FaqStore, engine: sa.engine.Engine) -> None:
    with pytest.raises(PermissionDenied, match="nobody 不存在或已停用"):
        store.create("nobody", NEWBORN)
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE users SET active = false WHERE username = 'editor'"))
    with pytest.raises(PermissionDenied, match="editor 不存在或已停用"):
        store.create("editor", NEWBORN)


@pytest.mark.parametrize(
    ("step", "message"),
    [
        (lambda s, i: s.publish("reviewer", i), "草稿.*不能发布"),
        (lambda s, i: s.approve("reviewer", i), "草稿.*不能审核通过"),
        (lambda s, i: s.reject("reviewer", i, "x"), "草稿.*不能退回"),
        (lambda s, i: s.restore("reviewer", i, 1), "第 1 版没有发布过"),
    ],
)
def test_invalid_transitions(store: FaqStore, step: Any, message: str) -> None:
    entry = store.create("editor", NEWBORN)
    with pytest.raises(InvalidTransition, match=message):
        step(store, entry.id)


def test_submit_twice_and_archive_twice_are_refused(store: FaqStore) -> None:
    entry = store.create("editor", NEWBORN)
    store.submit("editor", entry.id)
    with pytest.raises(InvalidTransition, match="待审核"):
        store.submit("editor", entry.id)
    store.archive("reviewer", entry.id)
    with pytest.raises(InvalidTransition, match="已归档"):
        store.archive("reviewer", entry.id)


def test_not_found(store: FaqStore) -> None:
    with pytest.raises(NotFound, match="条目 99 不存在"):
        store.get(99)
    entry = store.create("editor", NEWBORN)
    with pytest.raises(NotFound, match="没有第 7 版"):
        store.restore("reviewer", entry.id, 7)
    with pytest.raises(NotFound):
        store.diff(entry.id, 1, 2)


def test_second_update_from_the_same_revision_conflicts_and_keeps_the_text(
    store: FaqStore,
) -> None:
    entry = store.create("editor", NEWBORN)
    first = store.update("editor", entry.id, {"answer": "甲的答案"}, entry.revision)
    mine = {"answer": "乙写了很久的答案", "tags": ["新生儿", "材料"]}
    with pytest.raises(Conflict) as caught:
        store.update("editor2", entry.id, mine, entry.revision)
    assert str(caught.value) == (
        f"该条目已被他人修改（当前版本 {first.revision}），您的修改未保存，请刷新后重新编辑。"
    )
    assert caught.value.revision == first.revision == 2
    assert caught.value.rejected == mine
    assert store.get(entry.id).answer == "甲的答案"
    assert len(store.versions(entry.id)) == 2


def test_a_change_between_read_and_write_is_detected(
    store: FaqStore, engine: sa.engine.Engine, clock: Clock, kb: Any
) -> None:
    """Another process commits after this update read the entry but before it wrote."""
    entry = store.create("editor", NEWBORN)
    other = FaqStore(engine, kb.clauses, now=clock)
    clock.before_next_call = lambda: other.update(
        "editor2", entry.id, {"answer": "别人的答案"}, entry.revision
    )
    with pytest.raises(Conflict, match="当前版本 2") as caught:
        store.update("editor", entry.id, {"answer": "我的答案"}, entry.revision)
    assert caught.value.rejected == {"answer": "我的答案"}
    assert store.get(entry.id).answer == "别人的答案"
    assert [v.action for v in store.versions(entry.id)] == ["create", "update"]


def test_saving_unchanged_content_changes_nothing(store: FaqStore) -> None:
    entry = store.create("editor", NEWBORN)
    same = store.update("editor2", entry.id, {"question": " 孩子上户口要带什么材料？ "}, 1)
    assert (same.revision, same.version, same.author) == (1, 1, "editor")


def test_update_keeps_fields_it_leaves_out_and_the_key(store: FaqStore) -> None:
    entry = store.create("editor", NEWBORN)
    updated = store.update("editor", entry.id, {"tags": ["出生"]}, entry.revision)
    assert updated.question == NEWBORN["question"] and updated.tags == ("出生",)
    assert store.update("editor", entry.id, {"key": entry.key}, 2).key == entry.key
    with pytest.raises(ValidationError, match="标识创建后不能修改"):
        store.update("editor", entry.id, {"key": "renamed"}, 2)


def test_text_is_normalised_and_html_kept_as_text(store: FaqStore) -> None:
    entry = store.create(
        "editor",
        {
            "question": "  孩子上户口   要带\n什么材料？ ",
            "paraphrases": ["宝宝上户口", "", "宝宝上户口", "孩子上户口 要带 什么材料？"],
            "answer": "\n 第一段  <b>加粗</b>\n\n\n\n 第二段 \n",
            "clause_ids": ["3.1.1", "3.1.1"],
            "tags": [" 新生儿 "],
        },
    )
    assert entry.question == "孩子上户口 要带 什么材料？"
    assert entry.paraphrases == ("宝宝上户口",)
    assert entry.answer == "第一段 <b>加粗</b>\n\n第二段"
    assert (entry.clause_ids, entry.tags) == (("3.1.1",), ("新生儿",))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"question": "问", "clause_ids": ["3.1.1", "9.9.9"]}, "未知的条款编号：9.9.9"),
        ({"question": "   "}, "问题不能为空"),
        ({"answer": "只有答案"}, "问题不能为空"),
        ({"question": "长" * 201}, "问题不能超过 200 个字（现在 201 个）"),
        ({"question": "问", "paraphrases": ["好", "长" * 201]}, "第 2 个问法不能超过 200 个字"),
        ({"question": "问", "answer": "长" * 2001}, "答案不能超过 2000 个字"),
        ({"question": "问\x00题"}, "问题包含控制字符"),
        ({"question": "问", "answer": "答\x1b[31m案"}, "答案包含控制字符"),
        ({"question": "问", "paraphrases": "一个问法"}, "问法必须是列表"),
        ({"question": 42}, "问题必须是文本"),
        ({"question": "问", "tags": ["标" * 21]}, "标签不能超过 20 个字"),
        ({"question": "问", "tags": [str(n) for n in range(11)]}, "标签不能超过 10 个"),
        ({"question": "问", "author": "me"}, "未知字段：author"),
        ({"question": "问", "key": "Has Space"}, "标识 'Has Space' 无效"),
        ({"question": "问", "key": "9lives"}, "标识 '9lives' 无效"),
    ],
)
def test_validation_errors(store: FaqStore, data: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        store.create("editor", data)
    assert store.list() == []


def test_keys_are_unique_and_generated_when_absent(store: FaqStore) -> None:
    store.create("editor", NEWBORN)
    with pytest.raises(ValidationError, match="标识 newborn_documents 已被条目 1 使用"):
        store.create("editor", NEWBORN)
    taken = store.create("editor", {"question": "问一", "key": "entry_3"})
    generated = store.create("editor", {"question": "问二"})
    assert (taken.id, generated.id) == (2, 3)
    assert generated.key == "entry_3_2"
    assert store.create("editor", {"question": "问三"}).key == "entry_4"


def test_submit_needs_an_answer(store: FaqStore) -> None:
    entry = store.create("editor", {"question": "孩子上户口要带什么材料？"})
    assert entry.answer == ""
    with pytest.raises(ValidationError, match="答案为空"):
        store.submit("editor", entry.id)


def test_revision_counter_moves_only_when_the_published_set_changes(store: FaqStore) -> None:
    assert store.revision() == 0
    entry = store.create("editor", NEWBORN)
    store.submit("editor", entry.id)
    store.approve("reviewer", entry.id)
    assert store.revision() == 0
    store.publish("reviewer2", entry.id)
    assert store.revision() == 1
    edited = store.update("editor", entry.id, {"answer": "草稿答案"}, store.get(entry.id).revision)
    store.submit("editor", entry.id)
    store.reject("reviewer", entry.id, "不对")
    assert store.revision() == 1, f"draft work does not change what is served ({edited.status})"
    store.archive("reviewer", entry.id)
    assert store.revision() == 2
    store.restore("reviewer", entry.id, 4)
    assert store.revision() == 3
    draft = store.create("editor", {"question": "草稿"})
    store.archive("reviewer", draft.id)
    assert store.revision() == 3, "archiving an entry that was never served changes nothing"


def test_diff_lists_changed_fields_only(store: FaqStore) -> None:
    entry = store.create("editor", NEWBORN)
    store.update(
        "editor",
        entry.id,
        {"answer": "带出生医学证明。\n还要户口簿。", "paraphrases": ["宝宝怎么上户口", "新问法"]},
        entry.revision,
    )
    lines = store.diff(entry.id, 1, 2)
    assert lines == [
        "--- 问法（第 1 版）",
        "+++ 问法（第 2 版）",
        "@@ -1,2 +1,2 @@",
        "-新生儿落户需要哪些材料",
        " 宝宝怎么上户口",
        "+新问法",
        "--- 答案（第 1 版）",
        "+++ 答案（第 2 版）",
        "@@ -1 +1,2 @@",
        "-带出生医学证明和父母的户口簿、身份证。",
        "+带出生医学证明。",
        "+还要户口簿。",
    ]
    assert store.diff(entry.id, 2, 2) == []
    store.submit("editor", entry.id)
    assert store.diff(entry.id, 2, 3) == [
        "--- 状态（第 2 版）",
        "+++ 状态（第 3 版）",
        "@@ -1 +1 @@",
        "-draft",
        "+in_review",
    ]


def test_audit_rows_record_who_did_what(store: FaqStore) -> None:
    entry = published_entry(store)
    other = store.create("editor2", {"question": "别的问题"})
    rows = store.audit(entry_id=entry.id)
    assert [(r.username, r.action, r.detail) for r in rows] == [
        ("reviewer2", "publish", "第 4 版"),
        ("reviewer", "approve", "第 3 版；内容准确"),
        ("editor", "submit", "第 2 版"),
        ("editor", "create", "第 1 版"),
    ]
    everything = store.audit()
    assert everything[0].entry_id == other.id and everything[0].action == "create"
    assert {"user_add"} <= {r.action for r in everything}
    assert len(store.audit(limit=2)) == 2
    assert json.loads(json.dumps(rows[0].to_dict()))["at"].startswith("2026-03-02T08:30:00")


def test_list_filters_by_status_tag_and_text(store: FaqStore, clock: Clock) -> None:
    newborn = published_entry(store)
    clock.advance(minutes=5)
    marriage = store.create(
        "editor",
        {"question": "结婚后户口可以迁过来吗", "answer": "可以投靠配偶。", "tags": ["婚姻"]},
    )
    assert [e.id for e in store.list()] == [marriage.id, newborn.id], "latest change first"
    assert [e.id for e in store.list(status="published")] == [newborn.id]
    assert [e.id for e in store.list(status="draft")] == [marriage.id]
    assert [e.id for e in store.list(tag="新生儿")] == [newborn.id]
    assert [e.id for e in store.list(text="結婚")] == [marriage.id], "traditional matches"
    assert [e.id for e in store.list(text="NEWBORN")] == [newborn.id], "key, any case"
    assert [e.id for e in store.list(text="配偶")] == [marriage.id], "answer text"
    assert store.list(tag="婚姻", status="published") == []
    assert store.list()[1].published_version == 4
    with pytest.raises(ValidationError, match="未知的状态"):
        store.list(status="live")


def test_views_serialise_to_json(store: FaqStore) -> None:
    entry = published_entry(store)
    data = json.loads(json.dumps(entry.to_dict(), ensure_ascii=False))
    assert data["paraphrases"] == NEWBORN["paraphrases"]
    assert data["created_at"] == "2026-03-02T08:30:00+00:00"
    published = store.published()[0].to_dict()
    assert published == {
        "id": entry.id,
        "key": "newborn_documents",
        "question": NEWBORN["question"],
        "paraphrases": NEWBORN["paraphrases"],
        "answer": NEWBORN["answer"],
        "clause_ids": ["3.1.1"],
        "tags": ["新生儿"],
        "version": 4,
        "first_published_at": "2026-03-02T08:30:00+00:00",
        "published_at": "2026-03-02T08:30:00+00:00",
        "review_by": None,
    }
    assert store.versions(entry.id)[0].to_dict()["editor"] == "editor"


def test_datetimes_are_aware_utc(store: FaqStore, clock: Clock) -> None:
    entry = store.create("editor", NEWBORN)
    assert entry.created_at == clock.now and entry.created_at.utcoffset() is not None
    clock.advance(hours=3)
    assert store.submit("editor", entry.id).updated_at == clock.now
    assert store.get(entry.id).updated_at.tzinfo is not None


@pytest.mark.parametrize("author", ["reviewer", "admin"])
def test_nobody_restores_their_own_content_alone(store: FaqStore, author: str) -> None:
    # Issue 19, item 1: the author alone republished an archived version of their own text.
    entry = store.create(author, NEWBORN)
    store.submit(author, entry.id)
    store.approve("reviewer2", entry.id)
    store.publish("reviewer2", entry.id)
    store.archive("reviewer2", entry.id)
    with pytest.raises(PermissionDenied, match="不能恢复自己撰写的版本"):
        store.restore(author, entry.id, 4)
    assert store.published() == [] and store.get(entry.id).status == "archived"
    restored = store.restore("reviewer2", entry.id, 4)
    assert (restored.author, restored.reviewer) == (author, "reviewer2")


def test_restoring_judges_the_restored_content_not_the_latest(store: FaqStore) -> None:
    # The reviewer's own later draft does not stop them restoring the editor's published text.
    entry = published_entry(store)
    store.update("reviewer", entry.id, {"answer": "新答案。"}, entry.revision)
    assert store.restore("reviewer", entry.id, 4).author == "editor"


def test_review_dates_list_entries_for_review(store: FaqStore, clock: Clock) -> None:
    entry = store.create("editor", {"question": "进城落户要交回宅基地吗？"})
    other = store.create("editor", {"question": "居住证有什么用？"})
    today = clock.now.date()
    tomorrow = today + dt.timedelta(days=1)
    assert store.set_review_by("editor", entry.id, tomorrow).review_by == tomorrow
    store.set_review_by("reviewer", other.id, today - dt.timedelta(days=3))
    assert [e.id for e in store.due_for_review(today)] == [other.id]
    assert [e.id for e in store.due_for_review(tomorrow)] == [other.id, entry.id]
    assert store.get(entry.id).revision == entry.revision, "not content: no new version"
    assert store.audit(entry.id)[0].detail == f"复核日期：{tomorrow.isoformat()}"
    store.set_review_by("editor", other.id, None)
    assert store.due_for_review(today) == []


def approved(store: FaqStore, key: str = "scheduled") -> int:
    entry = store.create("editor", {**NEWBORN, "key": key})
    store.submit("editor", entry.id)
    return store.approve("reviewer", entry.id, "内容准确").id


def test_scheduled_publishing(store: FaqStore, clock: Clock) -> None:
    entry_id = approved(store)
    later = clock.now + dt.timedelta(hours=2)
    with pytest.raises(PermissionDenied):
        store.schedule_publish("editor", entry_id, later)  # editors do not publish
    with pytest.raises(ValidationError, match="应晚于现在"):
        store.schedule_publish("reviewer2", entry_id, clock.now)
    assert store.schedule_publish("reviewer2", entry_id, later).publish_at == later
    assert store.publish_due() == [] and store.get(entry_id).status == "approved"
    clock.advance(hours=2)
    revision = store.revision()
    assert store.publish_due() == [entry_id]
    published = store.get(entry_id)
    assert published.status == "published" and published.publish_at is None
    assert store.revision() == revision + 1, "the matcher sees the new entry"
    assert store.versions(entry_id)[-1].editor == "reviewer2"
    assert store.publish_due() == []


def test_a_change_after_scheduling_voids_it(store: FaqStore, clock: Clock) -> None:
    entry_id = approved(store)
    store.schedule_publish("reviewer2", entry_id, clock.now + dt.timedelta(minutes=5))
    store.reject("reviewer", entry_id, "还要改")
    store.update("editor", entry_id, {"answer": "改过的答案"}, store.get(entry_id).revision)
    store.submit("editor", entry_id)
    store.approve("reviewer", entry_id)
    clock.advance(minutes=10)
    assert store.publish_due() == []
    entry = store.get(entry_id)
    assert entry.status == "approved" and entry.publish_at is None
    assert "定时发布未执行" in store.audit(entry_id)[0].detail
    cancelled = approved(store, "cancelled")
    store.schedule_publish("reviewer2", cancelled, clock.now + dt.timedelta(minutes=5))
    assert store.schedule_publish("reviewer2", cancelled, None).publish_at is None
