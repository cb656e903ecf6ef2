"""Questions the assistant could not answer, grouped: search, dates, pages, close, merge, export.

Open groups are listed biggest first, filtered by text and date (China dates, both ends
included) and paged; a group becomes a draft, is marked 已处理 (answered elsewhere) or 忽略
(noise), or several are merged into one (near-duplicates the grouping kept apart). The list
downloads as CSV.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field, StrictInt

from bot.faq.errors import ValidationError
from bot.faq.records import UnansweredGroup
from bot.policy.clock import CHINA
from bot.web.deps import Desk, SignedIn, Writer
from bot.web.errors import error_responses
from bot.web.faq_desk import FaqDesk

# Every route needs a session (login answers 401 to a wrong password) and the database.
router = APIRouter(prefix="/api/faq", tags=["faq"], responses=error_responses(401, 503))

PAGE = 50
EXPORT_MAX = 10_000
Text = Annotated[str, Query(max_length=200)]
Day = Annotated[str, Query(max_length=10, description="YYYY-MM-DD（北京时间的日期）")]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]


class MergeIn(BaseModel):
    """The open groups to put together (at least two)."""

    group_ids: list[StrictInt] = Field(..., min_items=2, max_items=50)


def _bounds(start: str, end: str) -> tuple[dt.datetime | None, dt.datetime | None]:
    """The UTC instants of the start of ``start`` and the end of ``end`` (China dates)."""
    try:
        first = dt.date.fromisoformat(start) if start else None
        last = dt.date.fromisoformat(end) if end else None
    except ValueError:
        raise ValidationError("日期格式应为 年-月-日，例如 2026-03-01") from None
    if first and last and first > last:
        raise ValidationError("开始日期不能晚于结束日期")

    def instant(day: dt.date | None) -> dt.datetime | None:
        return None if day is None else dt.datetime.combine(day, dt.time(), CHINA)

    return instant(first), instant(last + dt.timedelta(days=1) if last else None)


def _page(
    desk: FaqDesk, q: str, start: str, end: str, offset: int, limit: int
) -> tuple[int, list[UnansweredGroup]]:
    first, after = _bounds(start, end)
    return desk.store.unanswered_page(text=q, start=first, end=after, offset=offset, limit=limit)


@router.get("/unanswered", responses=error_responses(422))
def unanswered(
    _staff: SignedIn,
    desk: Desk,
    q: Text = "",
    start: Day = "",
    end: Day = "",
    offset: Offset = 0,
) -> dict[str, Any]:
    """Open groups of similar questions, biggest first: a page of those that match."""
    total, groups = _page(desk, q, start, end, offset, PAGE)
    return {
        "groups": [group.to_dict() for group in groups],
        "total": total,
        "offset": offset,
        "page": PAGE,
    }


@router.get("/unanswered.csv", response_class=Response, responses=error_responses(422))
def unanswered_csv(
    _staff: SignedIn, desk: Desk, q: Text = "", start: Day = "", end: Day = ""
) -> Response:
    """The matching open groups as CSV (UTF-8 with BOM, for Excel), at most 10,000."""
    _, groups = _page(desk, q, start, end, 0, EXPORT_MAX)
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(["编号", "问题", "次数", "最近一次", "原因", "其他问法"])
    for group in groups:
        row = [
            group.id,
            group.text,
            group.count,
            group.last_seen.astimezone(CHINA).strftime("%Y-%m-%d %H:%M"),
            "、".join(group.reasons),
            " / ".join(group.examples[1:]),
        ]
        # A cell starting with = + - @ would run as a formula in Excel (CSV injection).
        writer.writerow(["'" + str(c) if str(c)[:1] in ("=", "+", "-", "@") else c for c in row])
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="unanswered.csv"'},
    )


@router.post("/unanswered/{group_id}/draft", status_code=201, responses=error_responses(403, 404))
def draft(group_id: int, staff: Writer, desk: Desk) -> dict[str, Any]:
    """A new draft from a group's wordings (the group is marked handled)."""
    return desk.detail(staff.user, desk.store.draft_from_group(staff.user, group_id))


@router.post("/unanswered/{group_id}/{resolution}", responses=error_responses(403, 404, 422))
def resolve(group_id: int, resolution: str, staff: Writer, desk: Desk) -> dict[str, Any]:
    """Close a group: ``done`` (已处理, answered elsewhere) or ``ignore`` (忽略, noise)."""
    kinds = {"done": "done", "ignore": "ignored"}
    if resolution not in kinds:
        raise ValidationError("处理方式只能是 done（已处理）或 ignore（忽略）")
    closed = desk.store.resolve_group(staff.user, group_id, kinds[resolution])
    return {"group_id": group_id, "resolution": kinds[resolution], "questions": closed}


@router.post("/unanswered-merge", responses=error_responses(403, 404, 422))
def merge(body: MergeIn, staff: Writer, desk: Desk) -> dict[str, Any]:
    """Put open groups together; the one with the smallest id keeps its id."""
    return desk.store.merge_groups(staff.user, body.group_ids).to_dict()
