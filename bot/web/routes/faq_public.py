"""``GET /api/faq/published``: what citizens read on the 政策解读 page (no sign-in)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from bot.policy.clock import today as liling_today
from bot.web.deps import Desk
from bot.web.errors import error_responses

router = APIRouter(prefix="/api/faq", tags=["faq"], responses=error_responses(503))


@router.get("/published")
def published(desk: Desk) -> dict[str, Any]:
    """What citizens are served, grouped by topic, with the policy's validity notice."""
    return desk.published(liling_today())
