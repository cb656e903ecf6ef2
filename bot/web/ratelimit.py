"""Per-client rate limiting for the gateway's API (in-process sliding window).

Embedded default: one process, memory only. Behind proxies, the client is the address
``trusted_proxies`` hops from the right of ``X-Forwarded-For`` (:func:`client_address`). A
limited request gets 429 with a Chinese message and ``Retry-After``; nothing the citizen typed
is lost (the widget keeps it).

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


def client_address(request: HTTPConnection, trusted_proxies: int = 0) -> str:
    """The client a request comes from, for rate limits and failed sign-ins.

    Each proxy appends the address it was connected from to ``X-Forwarded-For``, so only the
    right-hand end of the header was written by proxies we run; everything to the left of it
    is whatever the client sent. With ``n`` trusted proxies the client is therefore the
    ``n``-th address from the right (one Ingress: the last one). Taking the first address, as
    this did before, let anyone dodge every limit by sending a made-up one.

    Args:
        request: The request (or any HTTP connection).
        trusted_proxies: How many proxies of our own stand in front of the gateway
            (``HUKOU_TRUSTED_PROXIES``); 0: the header is ignored, since anyone can send it.

    Returns:
        The client's address; the connecting address when no proxy is trusted or the header
        holds fewer addresses than there are proxies (the request did not come through them).
    """
    peer = request.client.host if request.client else "unknown"
    if trusted_proxies <= 0:
        return peer
    # Several X-Forwarded-For headers are one list, in order (RFC 9110, section 5.3).
    hops = [
        hop.strip()
        for header in request.headers.getlist("x-forwarded-for")
        for hop in header.split(",")
        if hop.strip()
    ]
    if len(hops) < trusted_proxies:
        return peer
    return hops[-trusted_proxies]


CITIZEN_PATHS = frozenset({"/api/chat", "/api/feedback"})
"""Anonymous routes a citizen's widget calls: limited as chat turns are."""


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

    The citizen's routes (:data:`CITIZEN_PATHS`: the chat and its feedback) count against
    ``chat_limiter``, every other ``/api/`` route against ``api_limiter``; pages and static
    files are not limited.
    """

    def __init__(
        self,
        app: ASGIApp,
        chat_limiter: RateLimiter,
        api_limiter: RateLimiter,
        trusted_proxies: int = 0,
    ) -> None:
        """Limit the requests that reach ``app``.

        Args:
            app: The rest of the middleware stack.
            chat_limiter: The allowance for chat turns.
            api_limiter: The allowance for the other API routes.
            trusted_proxies: The proxies in front of the gateway (:func:`client_address`).
        """
        self.app = app
        self.chat_limiter = chat_limiter
        self.api_limiter = api_limiter
        self.trusted_proxies = trusted_proxies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse the request with 429 and ``Retry-After``, or pass it on."""
        path = scope.get("path", "")
        if scope["type"] == "http" and path.startswith("/api/"):
            client = client_address(HTTPConnection(scope), self.trusted_proxies)
            limiter = self.chat_limiter if path in CITIZEN_PATHS else self.api_limiter
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
