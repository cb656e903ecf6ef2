"""``POST /api/feedback``: a citizen's 有用 / 没用 on one answer, kept with its turn.

The widget names the turn by the ``turn`` id ``POST /api/chat`` answered with
(:func:`bot.turns.record.turn_id`); the turn log keeps the verdict, the reason and the comment
(masked: :meth:`bot.turns.store.TurnLog.attach_feedback`) beside the turn's channel, cited
clauses and outcome, which the turn itself brings when it is written. Feedback may come
before the turn (the consumer may lag): the store joins the two.

The route is limited like the chat (:mod:`bot.web.ratelimit`, :mod:`bot.web.bodylimit`). When
the database cannot take it, the answer is a 503 saying so in Chinese
(:class:`~bot.web.errors.FeedbackNotSaved`): the widget keeps the choice to send again.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlalchemy.exc import SQLAlchemyError

from bot.turns.store import TurnLog
from bot.web.errors import FeedbackNotSaved, error_responses
from bot.web.faq_desk import FaqDesk
from bot.web.schemas import FeedbackIn, FeedbackOut

router = APIRouter(prefix="/api", tags=["chat"])


@router.post("/feedback", response_model=FeedbackOut, responses=error_responses(503))
def feedback(body: FeedbackIn, request: Request) -> FeedbackOut:
    """Keep ``{turn, useful, reason, comment}``; a later verdict on the same turn replaces it.

    A plain ``def``: FastAPI runs it in its thread pool, so the database never blocks the
    event loop the chat's turns run on.
    """
    desk: FaqDesk = request.app.state.faq_desk
    try:
        desk.ready()
        TurnLog(desk.engine).attach_feedback(
            body.turn,
            body.useful,
            body.reason if not body.useful else "",
            body.comment,
        )
    except SQLAlchemyError as exc:
        raise FeedbackNotSaved() from exc
    return FeedbackOut(turn=body.turn)
