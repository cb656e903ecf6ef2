"""试问一下: which entry would the FAQ matcher answer each wording with, and how often it did.

An editor types the ways citizens might ask; for each, the matcher that the assistant uses
(:class:`bot.retrieval.faq_index.FaqIndex`, built here over the published entries with the
entry being edited as it stands in the form, saved or not) says which entry it would answer
with (score ≥ :data:`~bot.retrieval.faq_index.THRESHOLD`), offer ("您是想问……吗？", score ≥
:data:`~bot.retrieval.faq_index.SUGGEST`) or neither, with the scores. Before the FAQ is asked,
the assistant's NLU may take a message as a situation to assess instead: this checks the FAQ's
part, which is the part the entry's wordings decide.

For a saved entry, the turn log's counts come along: how often the entry answered citizens and
how often that answer was marked 没用 (numbers only, so editors may see them too).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field, StrictInt, StrictStr

from bot.faq.content import MAX_PARAPHRASES, QUESTION_MAX
from bot.faq.errors import ValidationError
from bot.retrieval.faq_index import SUGGEST, THRESHOLD, FaqIndex
from bot.web.deps import Desk, Writer
from bot.web.errors import error_responses
from bot.web.routes.faq_dashboard import dashboard

router = APIRouter(prefix="/api/faq", tags=["faq"], responses=error_responses(401, 403, 503))

WORDINGS_MAX = 20


class TryIn(BaseModel):
    """The entry as it stands in the editor, and the wordings to try."""

    entry_id: StrictInt | None = None
    question: StrictStr = ""
    paraphrases: list[StrictStr] = Field(default_factory=list, max_items=MAX_PARAPHRASES)
    wordings: list[StrictStr] = Field(..., max_items=WORDINGS_MAX)


@dataclass(frozen=True)
class _Phrased:
    """An entry as the matcher sees it."""

    id: int
    question: str
    paraphrases: tuple[str, ...]


def _verdict(score: float) -> str:
    return "answer" if score >= THRESHOLD else "suggest" if score >= SUGGEST else "none"


@router.post("/try", responses=error_responses(422))
def try_wordings(body: TryIn, _staff: Writer, desk: Desk) -> dict[str, Any]:
    """For each wording: the best entries with their scores, and what the assistant would do."""
    wordings = [" ".join(w.split())[:QUESTION_MAX] for w in body.wordings]
    if not any(wordings):
        raise ValidationError("请至少输入一种问法")
    this = body.entry_id if body.entry_id is not None else 0  # 0: the unsaved new entry
    entries = [
        _Phrased(e.id, e.question, tuple(e.paraphrases))
        for e in desk.store.published()
        if e.id != this
    ]
    question = " ".join(body.question.split())[:QUESTION_MAX]
    if question:
        entries.append(_Phrased(this, question, tuple(p for p in body.paraphrases if p.strip())))
    index = FaqIndex(entries)
    results = []
    for wording in wordings:
        matches = index.match(wording, 3, SUGGEST) if wording else []
        best = matches[0] if matches else None
        results.append(
            {
                "wording": wording,
                "verdict": _verdict(best.score) if best else "none",
                "reaches_this": best is not None and best.entry.id == this,
                "matches": [
                    {
                        "entry_id": m.entry.id,
                        "question": m.entry.question,
                        "score": m.score,
                        "phrasing": m.phrasing,
                        "this": m.entry.id == this,
                    }
                    for m in matches
                ],
            }
        )
    return {
        "threshold": THRESHOLD,
        "suggest": SUGGEST,
        "results": results,
        "usage": None if body.entry_id is None else dashboard(desk).entry_usage(body.entry_id),
    }
