"""``POST /api/lookup``: the hotline's one-shot answer for a caller's situation."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

from fastapi import APIRouter

from bot.nlu.extractor import FactExtractor
from bot.policy import Situation, assess
from bot.policy.present import payload
from bot.web.deps import Config, KnowledgeBase
from bot.web.schemas import LookupIn, within_limit

router = APIRouter(prefix="/api", tags=["lookup"])


@lru_cache(maxsize=1)
def _extractor() -> FactExtractor:
    return FactExtractor()


@router.post("/lookup")
async def lookup(body: LookupIn, kb: KnowledgeBase, settings: Config) -> dict[str, Any]:
    """The caller's situation assessed, with the facts understood from their words.

    The words are read by rules (no model); the facts staff ticked override them. Unknown
    facts or values are a 422.
    """
    text = within_limit(body.text, "描述", settings.max_message_chars)
    understood = _extractor().facts(text) if text.strip() else {}
    situation = Situation.from_mapping({**understood, **body.facts})
    result = assess(situation, kb, dt.date.today())
    return {"understood": understood, **payload(result, kb)}
