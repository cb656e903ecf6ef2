"""``/docs`` (Swagger UI) and ``/redoc``: the API's documentation, from the gateway's own files.

FastAPI's pages load Swagger UI and Redoc from a CDN, unpinned, with an inline script: blank on
a government network without internet, and a third party's script on the gateway's origin.
These pages load the same two programs from the files the ``fastapi-offline`` package ships
(locked in ``uv.lock``), mounted at ``/static/api-docs`` by :func:`bot.web.app.create_app`;
Swagger UI is started by ``/static/docs.js``, Redoc by its own ``<redoc>`` element, so the
pages need no inline script (their policy: :data:`bot.web.headers.DOCS_POLICY`).
"""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import APIRouter
from fastapi.responses import FileResponse

from bot.paths import STATIC

API_DOCS_ASSETS = Path(fastapi_offline.__file__).with_name("static")
"""Swagger UI's and Redoc's files: ``swagger-ui-bundle.js``, ``swagger-ui.css``,
``redoc.standalone.js``, ``favicon.png``."""

router = APIRouter(tags=["docs"], include_in_schema=False)


@router.get("/docs")
async def swagger_ui() -> FileResponse:
    """The API in Swagger UI (try it out)."""
    return FileResponse(STATIC / "docs.html")


@router.get("/redoc")
async def redoc() -> FileResponse:
    """The API in Redoc (reading)."""
    return FileResponse(STATIC / "redoc.html")
