"""Questions the assistant could not answer, grouped, and drafts started from them."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from bot.web.deps import Desk, SignedIn, Writer

router = APIRouter(prefix="/api/faq", tags=["faq"])


@router.get("/unanswered")
def unanswered(_staff: SignedIn, desk: Desk) -> dict[str, Any]:
    """Open groups of similar questions the assistant could not answer, biggest first."""
    return {"groups": [group.to_dict() for group in desk.store.unanswered_groups()]}


@router.post("/unanswered/{group_id}/draft", status_code=201)
def draft(group_id: int, staff: Writer, desk: Desk) -> dict[str, Any]:
    """A new draft from a group's wordings (the group is marked handled)."""
    return desk.detail(staff.user, desk.store.draft_from_group(staff.user, group_id))
