"""The reviewer's queue: 待我审核 (entries to approve, publish or check again) and 复核.

Entries are listed when this reviewer may approve or publish them, or when their 复核日期 has
come (the policy itself expired in 2022: an answer needs checking now and then).

复核 lists answers that may be wrong although the assistant was sure enough to give them:
those a citizen marked 没用, and those given with low confidence (:data:`LOW_CONFIDENCE`).
Each opens as its whole conversation (masked) and can become a draft entry, whose question
is what the citizen asked. Reviewers and admins only, like the dashboard.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from bot.faq.content import QUESTION_MAX
from bot.policy.clock import today as liling_today
from bot.turns.models import LOW_CONFIDENCE
from bot.turns.store import TurnLog, TurnView
from bot.web.deps import Desk, ReviewerReader, ReviewerWriter
from bot.web.errors import error_responses
from bot.web.faq_desk import FaqDesk, allowed_actions, entry_dict

router = APIRouter(prefix="/api/faq/review", tags=["faq"], responses=error_responses(401, 403, 503))

TurnId = Annotated[str, Path(min_length=32, max_length=32, pattern="^[0-9a-f]{32}$")]
PAGE = 20


def turn_dict(desk: FaqDesk, turn: TurnView) -> dict[str, Any]:
    """A turn for the page, its clauses named as the policy numbers them (三(一)5)."""
    clauses = desk.kb.clauses
    labels = [clauses[c].label if c in clauses else c for c in turn.clause_ids]
    return {**turn.to_dict(), "clause_labels": labels}


@router.get("")
def queue(
    staff: ReviewerReader, desk: Desk, offset: Annotated[int, Query(ge=0, le=100_000)] = 0
) -> dict[str, Any]:
    """Entries this reviewer may approve or publish now, and a page of the 复核 list."""
    waiting = []
    for entry in desk.store.list():
        if entry.status not in ("in_review", "approved"):
            continue
        actions = [a for a in allowed_actions(staff.user, entry) if a in ("approve", "publish")]
        if actions:
            waiting.append({**entry_dict(entry), "actions": actions})
    total, turns = TurnLog(desk.engine).review_queue(limit=PAGE, offset=offset)
    due = [entry_dict(entry) for entry in desk.store.due_for_review(liling_today())]
    return {
        "entries": waiting,
        "due": due,
        "turns": [turn_dict(desk, turn) for turn in turns],
        "turns_total": total,
        "count": len(waiting) + len(due) + total,
        "offset": offset,
        "page": PAGE,
        "threshold": LOW_CONFIDENCE,
    }


@router.get("/turns/{turn_id}", responses=error_responses(404))
def conversation(turn_id: TurnId, _staff: ReviewerReader, desk: Desk) -> dict[str, Any]:
    """The whole conversation the turn belongs to (masked), oldest turn first."""
    turns = TurnLog(desk.engine).conversation(turn_id)
    return {"turn_id": turn_id, "turns": [turn_dict(desk, turn) for turn in turns]}


@router.post("/turns/{turn_id}/done", responses=error_responses(404))
def done(turn_id: TurnId, _staff: ReviewerWriter, desk: Desk) -> dict[str, Any]:
    """Take the turn off the 复核 list (looked at, nothing to change)."""
    turn_log = TurnLog(desk.engine)
    turn_log.get(turn_id)
    turn_log.mark_reviewed([turn_id])
    return {"turn_id": turn_id, "reviewed": True}


@router.post("/turns/{turn_id}/draft", status_code=201, responses=error_responses(404, 422))
def draft(turn_id: TurnId, staff: ReviewerWriter, desk: Desk) -> dict[str, Any]:
    """A new draft whose question is what the citizen asked; the turn leaves the list."""
    turn_log = TurnLog(desk.engine)
    turn = turn_log.get(turn_id)
    entry = desk.store.create(staff.user, {"question": turn.text[:QUESTION_MAX]})
    turn_log.mark_reviewed([turn_id])
    return desk.detail(staff.user, entry)
