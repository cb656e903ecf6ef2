"""Per-client rate limiting for the gateway's API (in-process sliding window).

Embedded default: one process, memory only. Behind a proxy, the client is the first address
in ``X-Forwarded-For`` when ``trust_forwarded`` is set. A limited request gets 429 with a
Chinese message and ``Retry-After``; nothing the citizen typed is lost (the widget keeps it).

:class:`RateLimitMiddleware` is a plain ASGI middleware, added with ``app.add_middleware``:
Starlette's ``BaseHTTPMiddleware`` would add a task and a stream wrapper to every request, a
measurable share of the chat turn's gateway overhead.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque

from fastapi.responses import JSONResponse
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send


def client_address(request: HTTPConnection, trust_forwarded: bool) -> str:
    """The client a request comes from, for rate limits and failed sign-ins.

    Args:
        request: The request (or any HTTP connection).
        trust_forwarded: Behind a proxy: the first address in ``X-Forwarded-For`` is the
            client's. Off, that header is ignored, since anyone can send it.
    """
    forwarded = request.headers.get("x-forwarded-for")
    if trust_forwarded and forwarded:
        return forwarded.split(",")[0].strip()
    return request.client.host if request.client else "unknown"


class RateLimiter:
    """At most ``limit`` requests per ``window`` seconds for each key."""

    def __init__(self, limit: int, window: float = 60.0) -> None:
        """Create a limiter; ``limit`` 0 or less disables it."""
        self.limit = limit
        self.window = window
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, key: str, now: float | None = None) -> float:
        """Record a request; return 0 when allowed, else the seconds to wait."""
        if self.limit <= 0:
            return 0.0
        now = time.monotonic() if now is None else now
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and now - hits[0] >= self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                return max(0.0, self.window - (now - hits[0]))
            hits.append(now)
            if len(self._hits) > 10_000:  # forget idle clients so memory stays bounded
                for idle in [
                    k for k, v in self._hits.items() if not v or now - v[-1] >= self.window
                ]:
                    del self._hits[idle]
            return 0.0


def retry_after_seconds(wait: float) -> int:
    """Whole seconds for the ``Retry-After`` header (at least 1)."""
    return max(1, math.ceil(wait))


class RateLimitMiddleware:
    """Answer 429 to a client that sent too many ``/api/`` requests; pass the rest on.

    ``/api/chat`` counts against ``chat_limiter``, every other ``/api/`` route against
    ``api_limiter``; pages and static files are not limited.
    """

    def __init__(
        self,
        app: ASGIApp,
        chat_limiter: RateLimiter,
        api_limiter: RateLimiter,
        trust_forwarded: bool = False,
    ) -> None:
        """Limit the requests that reach ``app``.

        Args:
            app: The rest of the middleware stack.
            chat_limiter: The allowance for chat turns.
            api_limiter: The allowance for the other API routes.
            trust_forwarded: Count per ``X-Forwarded-For`` client (behind a proxy).
        """
        self.app = app
        self.chat_limiter = chat_limiter
        self.api_limiter = api_limiter
        self.trust_forwarded = trust_forwarded

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse the request with 429 and ``Retry-After``, or pass it on."""
        path = scope.get("path", "")
        if scope["type"] == "http" and path.startswith("/api/"):
            client = client_address(HTTPConnection(scope), self.trust_forwarded)
            limiter = self.chat_limiter if path == "/api/chat" else self.api_limiter
            wait = limiter.check(client)
            if wait:
                seconds = retry_after_seconds(wait)
                response = JSONResponse(
                    status_code=429,
                    content={"detail": f"您发送得太快了，请 {seconds} 秒后再试。"},
                    headers={"Retry-After": str(seconds)},
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
