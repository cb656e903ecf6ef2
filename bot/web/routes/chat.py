"""``POST /api/chat``: a citizen's message to the assistant and its answer."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from bot.privacy.masking import mask_pii
from bot.web.deps import Client, Config, Workers
from bot.web.errors import AssistantUnavailable, EmptyMessage, error_responses
from bot.web.schemas import ChatIn, within_limit
from bot.web.upstream import forward, probe

router = APIRouter(prefix="/api", tags=["chat"])


@router.post("/chat", response_model=None, responses=error_responses(503))
async def chat(body: ChatIn, client: Client, workers: Workers, settings: Config) -> JSONResponse:
    """Forward ``{sender, message}`` to Rasa's REST channel; answer ``{messages}``.

    Personal data is masked first (:func:`bot.privacy.masking.mask_pii`), so it never reaches
    Rasa's tracker store, event broker or logs.
    """
    message = within_limit(body.message, "消息", settings.max_message_chars).strip()
    if not message:
        raise EmptyMessage()
    answer = await forward(
        client, workers, body.sender, mask_pii(message), settings.worker_queue_seconds
    )
    messages = [
        {"text": m.get("text"), "buttons": m.get("buttons", []), "custom": m.get("custom")}
        for m in answer
    ]
    if not messages and (
        not settings.action_url or await probe(client, f"{settings.action_url}/health") != "ok"
    ):
        # Rasa answers 200 with nothing when its action server is down or an action
        # failed (with the actions in the worker, nothing else makes an empty answer).
        raise AssistantUnavailable("助手的答复服务暂时不可用。")
    # A plain JSONResponse skips FastAPI's recursive encoder: the payloads are large and
    # already JSON, and this route is on every chat turn's hot path.
    return JSONResponse({"messages": messages})
