"""Security headers on every response of the gateway: pages, API answers, files and errors.

Before, only ``/admin`` and ``/faq`` sent a Content-Security-Policy; ``/staff`` (which shows
search snippets with ``innerHTML``) and the widget sent none, and any site could frame them.
:class:`SecurityHeadersMiddleware` adds to every HTTP response:

* ``X-Content-Type-Options: nosniff`` and ``Referrer-Policy: same-origin``;
* a Content-Security-Policy chosen by :func:`security_headers`: on an HTML page, scripts,
  styles, images and requests from the gateway only (every page of ``bot/web/static`` loads
  its scripts and styles from files: no inline script, style element or attribute); on
  ``/docs`` and ``/redoc`` the same but inline styles and ``blob:`` workers, which Swagger UI
  and Redoc need (their scripts are still files of the gateway, :mod:`.routes.docs`); on
  anything else (JSON, scripts, styles) ``default-src 'none'``, since nothing should ever
  render it as a document;
* no framing by another site (``frame-ancestors 'none'``, ``X-Frame-Options: DENY``), except
  the two pages meant to be framed: the widget ``/``, which ``/static/embed.js`` opens in an
  iframe on the city's sites, and the public ``/faq``.

It is a plain ASGI middleware, like :mod:`bot.web.ratelimit`. It is added last, so it is the
outermost one and also marks the 429 and 413 answered by the limits; only Starlette's
``ServerErrorMiddleware`` sits outside it, so the 500 handler adds the same headers itself
(:mod:`bot.web.errors`).
"""

from __future__ import annotations

from functools import lru_cache

from starlette.types import ASGIApp, Message, Receive, Scope, Send

_SAME_ORIGIN = (
    "default-src 'self'; script-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'"
)

PAGE_POLICY = f"{_SAME_ORIGIN}; style-src 'self'"
"""An HTML page of the gateway: everything from the gateway's own files."""

DOCS_POLICY = f"{_SAME_ORIGIN}; style-src 'self' 'unsafe-inline'; worker-src 'self' blob:"
"""``/docs`` and ``/redoc``: Swagger UI and Redoc set inline styles, Redoc searches in a
``blob:`` worker; their scripts are files served by the gateway all the same."""

NOTHING_POLICY = "default-src 'none'; base-uri 'none'; form-action 'none'"
"""Anything that is not a page: if a browser is ever made to open it, it may load nothing."""

FRAMEABLE = frozenset({"/", "/faq"})
"""Pages other sites may frame: the widget (``/static/embed.js``) and the public FAQ page."""

DOCS = frozenset({"/docs", "/redoc"})


def security_headers(path: str, content_type: str) -> dict[str, str]:
    """The security headers of a response to ``path`` whose body is of ``content_type``."""
    is_page = content_type.startswith("text/html")
    return dict(_headers(path in DOCS, is_page, is_page and path in FRAMEABLE))


@lru_cache(maxsize=8)
def _headers(docs: bool, page: bool, frameable: bool) -> tuple[tuple[str, str], ...]:
    policy = DOCS_POLICY if docs else PAGE_POLICY if page else NOTHING_POLICY
    headers = [
        ("Content-Security-Policy", policy if frameable else f"{policy}; frame-ancestors 'none'"),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "same-origin"),
    ]
    if not frameable:
        headers.append(("X-Frame-Options", "DENY"))
    return tuple(headers)


@lru_cache(maxsize=8)
def _raw_headers(docs: bool, page: bool, frameable: bool) -> tuple[tuple[bytes, bytes], ...]:
    """:func:`_headers` as ASGI header pairs (lower-case names), encoded once."""
    return tuple(
        (name.lower().encode("latin-1"), value.encode("latin-1"))
        for name, value in _headers(docs, page, frameable)
    )


class SecurityHeadersMiddleware:
    """Add :func:`security_headers` to every HTTP response of ``app``."""

    def __init__(self, app: ASGIApp) -> None:
        """Wrap ``app``, the rest of the middleware stack."""
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on; add the headers when the response starts."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                # Pairs encoded once per kind of response, replacing any of the same name.
                # This is on every chat turn: the middleware adds ≈ 3 µs a response so, and
                # ≈ 10 µs with Starlette's MutableHeaders (ad hoc, on this 2-core machine).
                headers = list(message.get("headers", ()))
                content_type = next((v for n, v in headers if n == b"content-type"), b"")
                page = content_type.startswith(b"text/html")
                raw = _raw_headers(path in DOCS, page, page and path in FRAMEABLE)
                ours = {name for name, _ in raw}
                message["headers"] = [h for h in headers if h[0] not in ours] + list(raw)
            await send(message)

        await self.app(scope, receive, send_with_headers)
