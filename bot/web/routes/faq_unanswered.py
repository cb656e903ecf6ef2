"""Questions the assistant could not answer, grouped, and drafts started from them."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from bot.web.deps import Desk, SignedIn, Writer
from bot.web.errors import error_responses

# Every route needs a session (login answers 401 to a wrong password) and the database.
router = APIRouter(prefix="/api/faq", tags=["faq"], responses=error_responses(401, 503))


@router.get("/unanswered")
def unanswered(_staff: SignedIn, desk: Desk) -> dict[str, Any]:
    """Open groups of similar questions the assistant could not answer, biggest first."""
    return {"groups": [group.to_dict() for group in desk.store.unanswered_groups()]}


@router.post("/unanswered/{group_id}/draft", status_code=201, responses=error_responses(403, 404))
def draft(group_id: int, staff: Writer, desk: Desk) -> dict[str, Any]:
    """A new draft from a group's wordings (the group is marked handled)."""
    return desk.detail(staff.user, desk.store.draft_from_group(staff.user, group_id))
