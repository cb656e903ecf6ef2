"""``GET /healthz``: whether the gateway can serve, for the orchestrator's probes."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from bot.web.deps import Client, Config, KnowledgeBase, Workers
from bot.web.upstream import probe

router = APIRouter(tags=["health"])

_DOWN: dict[int | str, dict[str, Any]] = {
    503: {"description": "Something is down: each component's state, as with 200."}
}


@router.get("/healthz", responses=_DOWN)
async def healthz(
    kb: KnowledgeBase, workers: Workers, client: Client, settings: Config
) -> JSONResponse:
    """200 with each component's state when it can serve; otherwise 503 naming what is down."""
    states: dict[str, str] = {"knowledge": f"ok ({len(kb.clauses)} clauses)"}
    for number, url in enumerate(workers.urls):
        name = "rasa" if len(workers.urls) == 1 else f"rasa-{number}"
        # /status answers only with the token; a 401 here means the gateway has the wrong one.
        states[name] = await probe(client, f"{url}/status", settings.rasa_token)
    states["actions"] = (
        await probe(client, f"{settings.action_url}/health")
        if settings.action_url
        else "ok (in the Rasa workers)"
    )
    # Serving needs the knowledge base, the actions and at least one Rasa worker.
    rasa_ok = any(v.startswith("ok") for k, v in states.items() if k.startswith("rasa"))
    healthy = (
        rasa_ok and states["knowledge"].startswith("ok") and states["actions"].startswith("ok")
    )
    return JSONResponse(status_code=200 if healthy else 503, content=states)
