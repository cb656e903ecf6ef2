"""``POST /api/faq/import``: admins bring entries in from a YAML file, all or none.

The same list the command line's ``hukou faq import`` reads (:mod:`bot.faq.exchange`), with
its checks; here nothing is imported unless every row is good, and the 422 lists each
refused row as ``文件名:行: 第 n 条：原因``.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from fastapi import APIRouter

from bot.faq.exchange import import_text
from bot.web.deps import AdminWriter, Desk
from bot.web.errors import error_responses
from bot.web.faq_desk import entry_dict
from bot.web.schemas import ImportIn

router = APIRouter(prefix="/api/faq", tags=["faq"], responses=error_responses(401, 403, 503))


@router.post("/import", status_code=201, responses=error_responses(422))
def import_entries(body: ImportIn, staff: AdminWriter, desk: Desk) -> dict[str, Any]:
    """Create a draft (or, with ``status: in_review``, a submitted entry) per row (admins)."""
    # Only the name: a browser may send a path (C:\fakepath\…), and the name is what staff know.
    source = PurePath(body.filename.replace("\\", "/")).name or "导入文件"
    created = import_text(desk.store, staff.user.username, body.text, source)
    return {"created": len(created), "entries": [entry_dict(entry) for entry in created]}
