"""The pages: the chat widget, the hotline's lookup page and the FAQ desk's two pages.

Their scripts and styles are under ``/static`` (mounted by :func:`bot.web.app.create_app`);
``/static/embed.js`` embeds the widget in another site with one script tag.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import FileResponse

from bot.paths import STATIC

router = APIRouter(tags=["pages"], include_in_schema=False)

_PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'"
)


@router.get("/")
async def widget() -> FileResponse:
    """The citizen's chat widget."""
    return FileResponse(STATIC / "index.html")


@router.get("/staff")
async def staff() -> FileResponse:
    """The hotline's lookup page."""
    return FileResponse(STATIC / "staff.html")


@router.get("/admin")
def admin_page() -> FileResponse:
    """The FAQ desk for staff."""
    return _page("admin.html", framed=False)


@router.get("/faq")
def faq_page() -> FileResponse:
    """The public 政策解读 page."""
    return _page("faq.html", framed=True)


def _page(name: str, framed: bool) -> FileResponse:
    """A static page with a strict content security policy (scripts and styles from here).

    The staff page may not be framed by any site (clickjacking); the public page may.
    """
    policy = _PAGE_POLICY if framed else f"{_PAGE_POLICY}; frame-ancestors 'none'"
    return FileResponse(
        STATIC / name,
        headers={
            "Content-Security-Policy": policy,
            "Referrer-Policy": "same-origin",
            "X-Content-Type-Options": "nosniff",
        },
    )
