"""The web gateway: one FastAPI app in front of the assistant.

Routes (OpenAPI at ``/docs``):

* ``GET  /healthz`` — 200 with each component's state when the knowledge base is loaded and
  Rasa and the action server answer; otherwise 503 naming what is down.
* ``POST /api/chat`` — forward ``{sender, message}`` to Rasa's REST channel: 身份证号, phone
  and bank-card numbers and names are masked first (:func:`bot.privacy.masking.mask_pii`), so they
  never reach Rasa's tracker store, event broker or logs; the conversation's worker is chosen
  by consistent hashing and one sender's messages pass in order (:mod:`bot.web.workers`).
* ``POST /api/lookup`` — the hotline's one-shot answer: facts understood from the caller's
  words (rules, no model) plus ticked facts, and the engine's assessment payload.
* ``GET  /api/search?q=`` — BM25 full-text search over the policy with marked snippets.
* ``GET  /api/clauses``, ``GET /api/clauses/{id}`` — the knowledge base.
* ``GET  /api/facts`` — the facts a situation may contain, with labels and answer options.
* ``GET  /`` — the citizen's chat widget; ``GET /staff`` — the hotline lookup page;
  ``/static/embed.js`` embeds the widget in another site with one script tag.
* ``/api/faq/…``, ``GET /admin`` and ``GET /faq`` — the FAQ desk (:mod:`bot.web.faq`): staff
  sign in to write, review and publish entries; citizens read the published ones.

Errors are answered in Chinese and never with a stack trace.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import lru_cache
from typing import Any

import aiohttp
from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, BaseSettings, Field
from starlette.types import Receive, Scope, Send

from bot.nlu.extractor import FactExtractor
from bot.paths import STATIC, policy_dir
from bot.policy import Situation, SituationError, assess, load_knowledge
from bot.policy.facts import FACTS
from bot.policy.present import clause_detail, payload, question
from bot.privacy.masking import mask_pii
from bot.retrieval.policy_search import PolicySearch
from bot.web.faq import install as install_faq_desk
from bot.web.ratelimit import RateLimiter, retry_after_seconds
from bot.web.workers import WorkerBusy, WorkerPool

HOTLINE_HINT = "请稍后再试，或到户口所在地、拟迁入地的派出所户籍窗口咨询。"


class Settings(BaseSettings):
    """Gateway settings, read from ``HUKOU_*`` environment variables."""

    rasa_url: str = "http://127.0.0.1:5005"
    rasa_urls: str = ""
    """Several Rasa workers, comma-separated (``HUKOU_RASA_URLS``); empty: ``rasa_url`` alone.
    Each conversation stays on one worker (:mod:`bot.web.workers`)."""
    worker_retry_seconds: float = 5.0
    """How long a worker that refused a connection is routed around."""
    worker_concurrency: int = 4
    """Messages sent to one worker at a time (``HUKOU_WORKER_CONCURRENCY``); the others wait
    in line at the gateway, first come first served. 0: no limit. With 32 conversations on
    2 workers, 4 gave the lowest p95 and p99, no limit the highest
    (``reports/worker-concurrency.md``)."""
    worker_queue_seconds: float = 10.0
    """The longest a message waits in that line (``HUKOU_WORKER_QUEUE_SECONDS``); after that
    it is not sent and the citizen is asked to send it again (503)."""
    action_url: str = "http://127.0.0.1:5055"
    """The action server (``HUKOU_ACTION_URL``); empty when the actions run inside the Rasa
    workers (``HUKOU_ACTIONS=in-process``), which then answer for them."""
    max_message_chars: int = 1000
    upstream_timeout: float = 30.0
    rate_limit_per_minute: int = 60
    trust_forwarded: bool = False
    database_url: str | None = None
    """The FAQ desk's database; ``None``: ``DATABASE_URL``, else ``var/hukou.sqlite3``."""
    secure_cookies: bool = False
    """Mark the FAQ desk's session cookie ``Secure`` (set it when served over HTTPS)."""

    class Config:
        """Environment prefix."""

        env_prefix = "HUKOU_"


class ChatIn(BaseModel):
    """A citizen's message."""

    sender: str = Field(..., min_length=1, max_length=128)
    message: str


class LookupIn(BaseModel):
    """The caller's words and/or the facts ticked by hotline staff."""

    text: str = ""
    facts: dict[str, Any] = Field(default_factory=dict)


@lru_cache(maxsize=1)
def _extractor() -> FactExtractor:
    return FactExtractor()


@lru_cache(maxsize=1)
def _search() -> PolicySearch:
    return PolicySearch(load_knowledge(policy_dir()))


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse(status_code=status, content={"detail": message})


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the gateway app."""
    settings = settings or Settings()
    kb = load_knowledge(policy_dir())
    workers = WorkerPool(
        [url.strip() for url in settings.rasa_urls.split(",") if url.strip()]
        or [settings.rasa_url],
        retry_after=settings.worker_retry_seconds,
        max_in_flight=settings.worker_concurrency,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # One pooled aiohttp session for every forwarded turn: no connection setup per
        # message, and its C HTTP parser costs a fraction of a pure-Python client's time on
        # the chat hot path (see reports/gateway-benchmark.md).
        app.state.client = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=settings.upstream_timeout),
            connector=aiohttp.TCPConnector(limit=256),
        )
        try:
            yield
        finally:
            await app.state.client.close()
            faq_desk.engine.dispose()

    app = FastAPI(title="醴陵户籍政策助手", version="0.1.0", lifespan=lifespan)

    # Citizens' chat turns are limited per client; the staff page looks up as staff type,
    # so lookup and search get ten times the allowance.
    chat_limiter = RateLimiter(settings.rate_limit_per_minute)
    api_limiter = RateLimiter(settings.rate_limit_per_minute * 10)

    # A plain ASGI middleware: Starlette's BaseHTTPMiddleware would add a task and a stream
    # wrapper to every request, a measurable share of the chat turn's gateway overhead.
    async def rate_limit(scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and path.startswith("/api/"):
            request = Request(scope)
            client = request.client.host if request.client else "unknown"
            forwarded = request.headers.get("x-forwarded-for")
            if settings.trust_forwarded and forwarded:
                client = forwarded.split(",")[0].strip()
            limiter = chat_limiter if path == "/api/chat" else api_limiter
            wait = limiter.check(client)
            if wait:
                seconds = retry_after_seconds(wait)
                response = _error(429, f"您发送得太快了，请 {seconds} 秒后再试。")
                response.headers["Retry-After"] = str(seconds)
                await response(scope, receive, send)
                return
        await inner(scope, receive, send)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return _error(422, f"请求格式不正确：{exc.errors()[0].get('msg', '')}")

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, _exc: Exception) -> JSONResponse:
        return _error(500, "服务出现了问题。" + HOTLINE_HINT)

    def _check_text(text: str, field: str) -> str:
        if len(text) > settings.max_message_chars:
            raise HTTPException(
                422,
                f"{field}太长了（{len(text)} 字），请控制在 {settings.max_message_chars} 字以内。",
            )
        return text

    async def _probe(url: str) -> str:
        """``ok`` when ``url`` answers 200 within 3 s, else what went wrong."""
        client: aiohttp.ClientSession = app.state.client
        try:
            async with client.get(url, timeout=aiohttp.ClientTimeout(total=3.0)) as response:
                return "ok" if response.status == 200 else f"HTTP {response.status}"
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            return f"down ({type(exc).__name__})"

    @app.get("/healthz")
    async def healthz() -> JSONResponse:
        states: dict[str, str] = {"knowledge": f"ok ({len(kb.clauses)} clauses)"}
        for number, url in enumerate(workers.urls):
            name = "rasa" if len(workers.urls) == 1 else f"rasa-{number}"
            states[name] = await _probe(f"{url}/status")
        states["actions"] = (
            await _probe(f"{settings.action_url}/health")
            if settings.action_url
            else "ok (in the Rasa workers)"
        )
        # Serving needs the knowledge base, the actions and at least one Rasa worker.
        rasa_ok = any(v.startswith("ok") for k, v in states.items() if k.startswith("rasa"))
        healthy = (
            rasa_ok and states["knowledge"].startswith("ok") and states["actions"].startswith("ok")
        )
        return JSONResponse(status_code=200 if healthy else 503, content=states)

    async def _forward(sender: str, message: str) -> Any:
        """Send one turn to the sender's worker; on a refused connection, to the next one.

        Only failures that happen before Rasa has the message (connection refused, or the
        worker's process gone) are retried elsewhere; a timeout is not, as the message may
        have been handled. The worker's tracker is in the shared store, so the next worker
        continues the conversation.
        """
        client: aiohttp.ClientSession = app.state.client
        async with workers.turn(sender):
            for url in workers.candidates(sender):
                try:
                    async with (
                        workers.in_flight(url, settings.worker_queue_seconds),
                        client.post(
                            f"{url}/webhooks/rest/webhook",
                            json={"sender": sender, "message": message},
                        ) as response,
                    ):
                        response.raise_for_status()
                        answer = await response.json()
                except (aiohttp.ClientConnectorError, aiohttp.ServerDisconnectedError):
                    workers.mark_down(url)
                    continue
                except WorkerBusy as exc:
                    # Never sent: the citizen can send it again without it counting twice.
                    raise HTTPException(
                        503, "现在咨询的人很多，您的消息还没有发出，请稍后再发一次。"
                    ) from exc
                except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
                    raise HTTPException(503, "助手暂时无法回复。" + HOTLINE_HINT) from exc
                workers.mark_up(url)
                return answer
        raise HTTPException(503, "助手暂时无法回复。" + HOTLINE_HINT)

    @app.post("/api/chat", response_model=None)
    async def chat(body: ChatIn) -> JSONResponse:
        message = _check_text(body.message, "消息").strip()
        if not message:
            raise HTTPException(422, "消息是空的，请输入您的问题。")
        answer = await _forward(body.sender, mask_pii(message))
        messages = [
            {"text": m.get("text"), "buttons": m.get("buttons", []), "custom": m.get("custom")}
            for m in answer
        ]
        if not messages and (
            not settings.action_url or await _probe(f"{settings.action_url}/health") != "ok"
        ):
            # Rasa answers 200 with nothing when its action server is down or an action
            # failed (with the actions in the worker, nothing else makes an empty answer).
            raise HTTPException(503, "助手的答复服务暂时不可用。" + HOTLINE_HINT)
        # A plain JSONResponse skips FastAPI's recursive encoder: the payloads are large and
        # already JSON, and this route is on every chat turn's hot path.
        return JSONResponse({"messages": messages})

    @app.post("/api/lookup")
    async def lookup(body: LookupIn) -> dict[str, Any]:
        text = _check_text(body.text, "描述")
        understood = _extractor().facts(text) if text.strip() else {}
        try:
            situation = Situation.from_mapping({**understood, **body.facts})
        except SituationError as exc:
            raise HTTPException(422, str(exc)) from exc
        result = assess(situation, kb, dt.date.today())
        return {"understood": understood, **payload(result, kb)}

    @app.get("/api/search")
    async def search(
        q: str = Query("", max_length=200), limit: int = Query(10, ge=1, le=50)
    ) -> dict[str, Any]:
        hits = _search().search(q, limit) if q.strip() else []
        return {
            "query": q,
            "hits": [
                {
                    "id": hit.clause.id,
                    "label": hit.clause.label,
                    "title": hit.clause.title,
                    "score": hit.score,
                    "snippet": hit.snippet,
                }
                for hit in hits
            ],
        }

    @app.get("/api/facts")
    async def facts() -> dict[str, Any]:
        return {"facts": [question(name) for name in FACTS]}

    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/", include_in_schema=False)
    async def widget() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    @app.get("/staff", include_in_schema=False)
    async def staff() -> FileResponse:
        return FileResponse(STATIC / "staff.html")

    faq_desk = install_faq_desk(app, settings, kb)

    @app.get("/api/clauses")
    async def clauses() -> dict[str, Any]:
        return {"clauses": [clause_detail(c) for c in kb.clauses.values()]}

    @app.get("/api/clauses/{clause_id}")
    async def clause(clause_id: str) -> dict[str, Any]:
        if clause_id not in kb.clauses:
            raise HTTPException(404, f"没有编号为 {clause_id} 的条款。")
        return clause_detail(kb.clause(clause_id))

    inner = app.build_middleware_stack()
    app.middleware_stack = rate_limit
    return app
