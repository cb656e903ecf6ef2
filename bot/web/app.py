"""The web gateway: one FastAPI app in front of the assistant.

:func:`create_app` only wires the parts together: the settings (:mod:`bot.web.settings`), the
knowledge base, the Rasa workers (:mod:`bot.web.workers`) and the FAQ desk
(:mod:`bot.web.faq_desk`) on ``app.state`` for the dependencies (:mod:`bot.web.deps`); the
lifespan; the error handlers (:mod:`bot.web.errors`); the rate limit
(:mod:`bot.web.ratelimit`) and the body-size limit (:mod:`bot.web.bodylimit`); the security
headers (:mod:`bot.web.headers`); the routers,
listed in :mod:`bot.web.routes`; and the OpenAPI document with the errors the API really
answers (:mod:`bot.web.openapi`).
Uvicorn runs it as ``bot.web.app:create_app --factory``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
from fastapi import FastAPI

from bot.paths import STATIC, policy_dir
from bot.policy import load_knowledge
from bot.web.bodylimit import BodyLimitMiddleware
from bot.web.errors import EXCEPTION_HANDLERS
from bot.web.faq_desk import FaqDesk
from bot.web.headers import SecurityHeadersMiddleware
from bot.web.openapi import document_api
from bot.web.ratelimit import RateLimiter, RateLimitMiddleware
from bot.web.routes import ROUTERS
from bot.web.routes.docs import API_DOCS_ASSETS
from bot.web.routes.lookup import preload_rules
from bot.web.routes.pages import StaticAssets
from bot.web.routes.wechat import make_crypto
from bot.web.settings import Settings
from bot.web.workers import WorkerPool

__all__ = ["create_app"]


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Open the session turns are forwarded on; at shutdown, close it and the desk's database."""
    settings: Settings = app.state.settings
    # One pooled aiohttp session for every forwarded turn: no connection setup per
    # message, and its C HTTP parser costs a fraction of a pure-Python client's time on
    # the chat hot path (see reports/gateway-benchmark.md).
    app.state.client = aiohttp.ClientSession(
        timeout=aiohttp.ClientTimeout(total=settings.upstream_timeout),
        connector=aiohttp.TCPConnector(limit=256),
    )
    scheduler = asyncio.create_task(_publish_when_due(app.state.faq_desk))
    if settings.preload_rules:
        preload_rules()
    try:
        yield
    finally:
        scheduler.cancel()
        wechat = getattr(app.state, "wechat", None)
        if wechat is not None:  # the WeChat channel, made on its first push
            await wechat.close()
        await app.state.client.close()
        app.state.faq_desk.close()


SCHEDULE_SECONDS = 30.0
"""How often the gateway publishes the FAQ entries whose 定时发布 time has come."""


async def _publish_when_due(desk: FaqDesk) -> None:
    while True:
        await asyncio.sleep(SCHEDULE_SECONDS)
        await asyncio.to_thread(desk.publish_due)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the gateway app.

    Args:
        settings: The gateway's settings; ``None``: read from the ``HUKOU_*`` environment.
    """
    settings = settings or Settings()
    kb = load_knowledge(policy_dir())
    app = FastAPI(
        title="醴陵户籍政策助手",
        version="0.1.0",
        lifespan=lifespan,
        # FastAPI's own pages load Swagger UI and Redoc from a CDN: bot.web.routes.docs instead.
        docs_url=None,
        redoc_url=None,
        exception_handlers=dict(EXCEPTION_HANDLERS),
    )
    app.state.settings = settings
    app.state.kb = kb
    app.state.workers = WorkerPool(
        [url.strip() for url in settings.rasa_urls.split(",") if url.strip()]
        or [settings.rasa_url],
        retry_after=settings.worker_retry_seconds,
        max_in_flight=settings.worker_concurrency,
    )
    app.state.faq_desk = FaqDesk.from_settings(settings, kb)
    # A malformed EncodingAESKey stops the start here, not the first encrypted push.
    app.state.wechat_crypto = make_crypto(settings) if settings.wechat_token else None
    # The last middleware added runs first: a request is counted by the rate limit before
    # its body is measured, so an oversized one still counts against its client.
    app.add_middleware(BodyLimitMiddleware, limit=settings.max_body_bytes)
    # Citizens' chat turns are limited per client; the staff page looks up as staff type,
    # so lookup and search get ten times the allowance.
    app.add_middleware(
        RateLimitMiddleware,
        chat_limiter=RateLimiter(settings.rate_limit_per_minute),
        api_limiter=RateLimiter(settings.rate_limit_per_minute * 10),
        trusted_proxies=settings.trusted_proxies,
    )
    # Outermost, so the limits' 429 and 413 carry the headers too.
    app.add_middleware(SecurityHeadersMiddleware)
    # Before /static, which would otherwise take these paths and find no such file.
    app.mount("/static/api-docs", StaticAssets(directory=API_DOCS_ASSETS), name="api-docs")
    app.mount("/static", StaticAssets(directory=STATIC), name="static")
    for router in ROUTERS:
        app.include_router(router)
    document_api(app, settings.max_message_chars)
    return app
