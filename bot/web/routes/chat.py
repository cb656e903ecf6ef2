"""``POST /api/chat``: a citizen's message to the assistant and its answer."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from bot.privacy.masking import mask_pii
from bot.turns.record import TURN_REF, new_turn_ref, turn_id
from bot.web.deps import Client, Config, Workers
from bot.web.errors import EmptyMessage, error_responses
from bot.web.schemas import ChatIn, within_limit
from bot.web.upstream import answer

router = APIRouter(prefix="/api", tags=["chat"])


@router.post("/chat", response_model=None, responses=error_responses(503))
async def chat(body: ChatIn, client: Client, workers: Workers, settings: Config) -> JSONResponse:
    """Forward ``{sender, message}`` to Rasa's REST channel; answer ``{messages, turn}``.

    Personal data is masked first (:func:`bot.privacy.masking.mask_pii`), so it never reaches
    Rasa's tracker store, event broker or logs. ``turn`` is the id the turn log keeps this
    turn under (:func:`bot.turns.record.turn_id` of a reference sent in the message's
    metadata): the widget names it when the citizen says the answer was 有用 / 没用
    (``POST /api/feedback``).
    """
    message = within_limit(body.message, "消息", settings.max_message_chars).strip()
    if not message:
        raise EmptyMessage()
    ref = new_turn_ref()
    messages = await answer(
        client, workers, settings, body.sender, mask_pii(message), {TURN_REF: ref}
    )
    # A plain JSONResponse skips FastAPI's recursive encoder: the payloads are large and
    # already JSON, and this route is on every chat turn's hot path.
    return JSONResponse({"messages": messages, "turn": turn_id(body.sender, ref)})
