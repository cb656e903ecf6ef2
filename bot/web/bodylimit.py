"""A request-body size limit, enforced before anything parses the body.

Without it the gateway read a 16 MB body into memory and handed it to the JSON parser on the
anonymous ``/api/chat`` and on the sign-in route. :class:`BodyLimitMiddleware` answers 413
with a Chinese message:

* at once, unread, when ``Content-Length`` says the body is larger than the limit;
* as soon as the bytes received pass the limit when no length was declared (chunked
  transfer): it raises :class:`BodyTooLarge`, an
  ``HTTPException``, from ``receive``, because FastAPI passes ``HTTPException`` on while
  reading a body (every other error there becomes its generic 400), and the gateway's
  handler for it answers in Chinese (:mod:`bot.web.errors`).

Like :mod:`bot.web.ratelimit` it is a plain ASGI middleware, not Starlette's
``BaseHTTPMiddleware`` (no task and stream wrapper per request on the chat's hot path).
"""

from __future__ import annotations

from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send


def too_large_message(limit: int) -> str:
    """The 413's Chinese message, naming the limit in KB."""
    return f"请求内容太大，不能超过 {max(1, limit // 1024)} KB。"


class BodyTooLarge(HTTPException):
    """More bytes arrived than the limit allows (413)."""

    def __init__(self, limit: int) -> None:
        """Say what the ``limit`` is, in bytes."""
        super().__init__(status_code=413, detail=too_large_message(limit))


class BodyLimitMiddleware:
    """Refuse with 413 every HTTP request whose body is larger than ``limit`` bytes."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        """Limit the bodies that reach ``app``.

        Args:
            app: The rest of the middleware stack.
            limit: The most bytes a request body may have; 0 or less: no limit.
        """
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer 413 for a declared length over the limit; else count what arrives."""
        if scope["type"] != "http" or self.limit <= 0:
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.limit:
            await self._refuse(scope, receive, send)
            return
        received = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise BodyTooLarge(self.limit)
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted_receive, watched_send)
        except BodyTooLarge:
            # Raised where no handler turned it into a response (an ASGI app that reads the
            # body itself); once a response has started, there is nothing left to answer.
            if started:
                raise
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = JSONResponse(status_code=413, content={"detail": too_large_message(self.limit)})
        await response(scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    """The declared body length; ``None`` when none (or no number) was declared.

    The server (h11, httptools) refuses a malformed ``Content-Length`` itself; a value that
    still is not a number here is left to the counting.
    """
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            # isascii: "²".isdigit() is true too, and int() refuses it.
            return int(text) if text.isascii() and text.isdigit() else None
    return None
