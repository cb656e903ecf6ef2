"""The FAQ desk's entries: list, write, take through the workflow, compare, preview.

Saving (PUT) carries ``base_revision``, the revision that was edited: a stale one is a 409
that hands the unsaved fields back. The workflow steps (submit, approve, reject, publish,
archive, restore) may carry it too, and are refused (409) when the entry changed meanwhile.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query

from bot.faq.errors import InvalidTransition, ValidationError
from bot.policy.clock import CHINA
from bot.policy.clock import today as liling_today
from bot.web.deps import Desk, SignedIn, Writer
from bot.web.errors import error_responses
from bot.web.faq_desk import FaqDesk, entry_dict, readable_diff
from bot.web.schemas import (
    CommentIn,
    JsonObject,
    PreviewIn,
    RestoreIn,
    ReviewByIn,
    ScheduleIn,
    StepIn,
)

# Every route needs a session (login answers 401 to a wrong password) and the database.
router = APIRouter(prefix="/api/faq", tags=["faq"], responses=error_responses(401, 503))

_READ_ONE = error_responses(404)
_WRITE = error_responses(403)
"""A change: the role or the CSRF token may refuse it."""
_STEP = error_responses(403, 404, 409)
"""A change to an entry: also no such entry, or not in a status that allows it."""


@router.get("/entries")
def list_entries(
    _staff: SignedIn,
    desk: Desk,
    status: Annotated[str, Query(max_length=16)] = "",
    tag: Annotated[str, Query(max_length=40)] = "",
    q: Annotated[str, Query(max_length=200)] = "",
) -> dict[str, Any]:
    """Entries, latest change first, filtered; ``tags`` lists every tag in use."""
    everything = desk.store.list()
    filtered = bool(status or tag or q.strip())
    found = desk.store.list(status or None, tag or None, q.strip()) if filtered else everything
    return {
        "entries": [entry_dict(entry) for entry in found],
        "tags": sorted({t for entry in everything for t in entry.tags}),
    }


@router.post("/entries", status_code=201, responses=_WRITE)
def create_entry(data: JsonObject, staff: Writer, desk: Desk) -> dict[str, Any]:
    """A new draft from ``data`` (question, paraphrases, answer, clause_ids, tags, key)."""
    return desk.detail(staff.user, desk.store.create(staff.user, data))


@router.get("/entries/{entry_id}", responses=_READ_ONE)
def get_entry(entry_id: int, staff: SignedIn, desk: Desk) -> dict[str, Any]:
    """The entry, its versions and audit trail, and the steps the user may take."""
    return desk.detail(staff.user, desk.store.get(entry_id))


@router.put("/entries/{entry_id}", responses=_STEP)
def update_entry(entry_id: int, data: JsonObject, staff: Writer, desk: Desk) -> dict[str, Any]:
    """Save edited fields as a draft; ``base_revision`` is the revision that was edited."""
    fields = dict(data)
    base = fields.pop("base_revision", None)
    if not isinstance(base, int) or isinstance(base, bool):
        raise ValidationError("缺少 base_revision（编辑时看到的版本号），请刷新后重试")
    return desk.detail(staff.user, desk.store.update(staff.user, entry_id, fields, base))


@router.post("/entries/{entry_id}/submit", responses=_STEP)
def submit(entry_id: int, staff: Writer, desk: Desk, body: StepIn | None = None) -> dict[str, Any]:
    """Send a draft for review."""
    _check_base(desk, entry_id, body.base_revision if body else None)
    return desk.detail(staff.user, desk.store.submit(staff.user, entry_id))


@router.post("/entries/{entry_id}/approve", responses=_STEP)
def approve(
    entry_id: int, staff: Writer, desk: Desk, body: CommentIn | None = None
) -> dict[str, Any]:
    """Approve an entry in review (not one's own)."""
    body = body or CommentIn()
    _check_base(desk, entry_id, body.base_revision)
    return desk.detail(staff.user, desk.store.approve(staff.user, entry_id, body.comment))


@router.post("/entries/{entry_id}/reject", responses=_STEP)
def reject(
    entry_id: int, staff: Writer, desk: Desk, body: CommentIn | None = None
) -> dict[str, Any]:
    """Send an entry back to its author, saying why."""
    body = body or CommentIn()
    _check_base(desk, entry_id, body.base_revision)
    return desk.detail(staff.user, desk.store.reject(staff.user, entry_id, body.comment))


@router.post("/entries/{entry_id}/publish", responses=_STEP)
def publish(entry_id: int, staff: Writer, desk: Desk, body: StepIn | None = None) -> dict[str, Any]:
    """Publish an approved entry (not one's own)."""
    _check_base(desk, entry_id, body.base_revision if body else None)
    return desk.detail(staff.user, desk.store.publish(staff.user, entry_id))


@router.post("/entries/{entry_id}/archive", responses=_STEP)
def archive(entry_id: int, staff: Writer, desk: Desk, body: StepIn | None = None) -> dict[str, Any]:
    """Stop serving an entry and set it aside."""
    _check_base(desk, entry_id, body.base_revision if body else None)
    return desk.detail(staff.user, desk.store.archive(staff.user, entry_id))


@router.post("/entries/{entry_id}/restore", responses=_STEP)
def restore(entry_id: int, body: RestoreIn, staff: Writer, desk: Desk) -> dict[str, Any]:
    """Publish again a version that was published before."""
    _check_base(desk, entry_id, body.base_revision)
    return desk.detail(staff.user, desk.store.restore(staff.user, entry_id, body.version))


@router.get("/entries/{entry_id}/diff", responses=_READ_ONE)
def diff(
    entry_id: int,
    a: Annotated[int, Query(ge=1)],
    b: Annotated[int, Query(ge=1)],
    _staff: SignedIn,
    desk: Desk,
) -> dict[str, Any]:
    """Unified-diff lines from version ``a`` to version ``b``, field by field."""
    return {"a": a, "b": b, "lines": readable_diff(desk.store.diff(entry_id, a, b))}


@router.post("/preview", responses=_WRITE)
def preview(body: PreviewIn, _staff: Writer, desk: Desk) -> dict[str, Any]:
    """The assistant's answer for unsaved text: ``{text, payload}`` from ``faq_answer``."""
    return desk.preview(body, liling_today())


def _check_base(desk: FaqDesk, entry_id: int, base_revision: int | None) -> None:
    """Refuse a step taken on an entry that changed since the user looked at it."""
    if base_revision is None:
        return
    current = desk.store.get(entry_id)
    if current.revision != base_revision:
        raise InvalidTransition(
            f"该条目刚被他人修改（当前版本 {current.revision}），请查看最新内容后再操作。"
        )


@router.put("/entries/{entry_id}/review-by", responses=error_responses(403, 404))
def review_by(entry_id: int, body: ReviewByIn, staff: Writer, desk: Desk) -> dict[str, Any]:
    """Set or clear the entry's 复核日期: from that day it is listed in 待我审核."""
    return desk.detail(staff.user, desk.store.set_review_by(staff.user, entry_id, body.review_by))


@router.put("/entries/{entry_id}/schedule", responses=error_responses(403, 404, 409))
def schedule(entry_id: int, body: ScheduleIn, staff: Writer, desk: Desk) -> dict[str, Any]:
    """定时发布 the approved entry at ``publish_at`` (China time unless it has an offset)."""
    at = None
    if body.publish_at is not None:
        try:
            at = dt.datetime.fromisoformat(body.publish_at)
        except ValueError:
            raise ValidationError("时间格式应为 年-月-日T时:分，例如 2026-03-01T09:00") from None
        if at.tzinfo is None:
            at = at.replace(tzinfo=CHINA)
    return desk.detail(staff.user, desk.store.schedule_publish(staff.user, entry_id, at))
