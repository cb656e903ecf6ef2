"""The pages: the chat widget, the hotline's lookup page and the FAQ desk's two pages.

Their scripts and styles are under ``/static`` (mounted by :func:`bot.web.app.create_app`);
``/static/embed.js`` embeds the widget in another site with one script tag. Their
Content-Security-Policy and framing rules (the widget and ``/faq`` may be framed, ``/staff`` and
``/admin`` not) are set for every response in one place, :mod:`bot.web.headers`.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.types import Scope

from bot.paths import STATIC

NO_SUCH_FILE = "找不到该文件"

router = APIRouter(tags=["pages"], include_in_schema=False)


class StaticAssets(StaticFiles):
    """``/static``: Starlette's static files, with every path that is no file a plain 404.

    Starlette passes the decoded path to ``os.stat``, which raises ``ValueError`` on a NUL byte
    (``/static/%00``): a 500 and a traceback in the log for each such request. No file has
    such a name, so it is a 404 like any missing file, with the message in Chinese.
    """

    async def get_response(self, path: str, scope: Scope) -> Response:
        """The file at ``path``, else 404 (``找不到该文件``)."""
        if "\x00" in path:
            raise HTTPException(status_code=404, detail=NO_SUCH_FILE)
        try:
            return await super().get_response(path, scope)
        except ValueError:  # a name the file system cannot hold (os.stat refuses it)
            raise HTTPException(status_code=404, detail=NO_SUCH_FILE) from None
        except HTTPException as exc:
            if exc.status_code == 404:
                raise HTTPException(status_code=404, detail=NO_SUCH_FILE) from None
            raise


@router.get("/")
async def widget() -> FileResponse:
    """The citizen's chat widget."""
    return FileResponse(STATIC / "index.html")


@router.get("/staff")
async def staff() -> FileResponse:
    """The hotline's lookup page."""
    return FileResponse(STATIC / "staff.html")


@router.get("/admin")
async def admin_page() -> FileResponse:
    """The FAQ desk for staff."""
    return FileResponse(STATIC / "admin.html")


@router.get("/faq")
async def faq_page() -> FileResponse:
    """The public 政策解读 page."""
    return FileResponse(STATIC / "faq.html")


@router.get("/policy")
async def policy_page() -> FileResponse:
    """The policy's full text, read-only (linked from ``/faq`` as the 原文)."""
    return FileResponse(STATIC / "policy.html")
