"""``GET /checklist?<fact>=<value>…``: the documents to bring for a situation, as a page.

The page the chat card's "打印 / 保存" opens and staff hand out: the grouped checklist
(:func:`bot.policy.checklist.build_checklist`, the same list the card shows), the clauses it
rests on with their verbatim quotes, the policy's validity notice, where to apply, and a QR
code of the page's own link, made here on the server with segno (a maintained pure-Python QR
library, inline SVG: no script, no request to anyone else).

The link carries fact values only (:func:`bot.policy.checklist.checklist_query`): a parameter
that is no fact or has no valid value is ignored and named on the page in Chinese, and the QR
code and "复制链接" carry the link rebuilt from the facts read, never the query as it came.
The page is rendered on the server (Jinja2, autoescaped) so it prints and reads without
script; ``/static/checklist.js`` adds the 打印 and 复制链接 buttons and
``/static/checklist.css`` its A4 black-and-white print layout.
"""

from __future__ import annotations

import io

import segno
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from bot.paths import TEMPLATES as TEMPLATE_DIR
from bot.policy.checklist import build_checklist, checklist_link, situation_from_query
from bot.policy.clock import today as liling_today
from bot.policy.engine import assess
from bot.policy.facts import FACTS
from bot.policy.present import cn_date, validity_notice
from bot.web.deps import Config, KnowledgeBase

router = APIRouter(tags=["pages"], include_in_schema=False)

TEMPLATES = Environment(
    loader=FileSystemLoader(TEMPLATE_DIR),
    autoescape=select_autoescape(default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def page_url(request: Request, path: str, trusted_proxies: int) -> str:
    """The absolute address of ``path`` on this gateway, as the citizen's browser reached it.

    Behind our own proxies (``trusted_proxies``) the scheme they were reached by is their
    ``X-Forwarded-Proto``; the host is the ``Host`` header the proxy passes on.
    """
    base = str(request.base_url).rstrip("/")
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[-1].strip()
    if trusted_proxies > 0 and forwarded in ("http", "https"):
        base = forwarded + base[base.index(":") :]
    return base + path


def qr_svg(url: str) -> Markup:
    """The QR code of ``url`` as an inline SVG element (black on white, for printing)."""
    out = io.BytesIO()
    # omitsize: a viewBox instead of a fixed size, so the stylesheet scales it (screen, A4);
    # border 4: the quiet zone the QR standard asks for, so phones read it off paper.
    segno.make(url, error="m").save(
        out, kind="svg", scale=1, border=4, xmldecl=False, svgns=True, svgclass="qr",
        title="本页链接的二维码", dark="#000", light="#fff", omitsize=True,
    )  # fmt: skip
    # segno's own output, made from a URL it escapes: the one piece of markup not escaped.
    return Markup(out.getvalue().decode("utf-8"))


@router.get("/checklist", response_class=HTMLResponse)
def checklist_page(request: Request, kb: KnowledgeBase, settings: Config) -> HTMLResponse:
    """The checklist page for the facts in the query."""
    situation, ignored = situation_from_query(dict(request.query_params))
    today = liling_today()
    assessment = assess(situation, kb, today=today)
    groups = build_checklist(assessment, kb) if situation.to_dict() else ()
    link = page_url(request, checklist_link(situation), settings.trusted_proxies)
    facts = [FACTS[name].describe(value) for name, value in situation.to_dict().items()]
    html = TEMPLATES.get_template("checklist.html").render(
        groups=groups,
        clauses=[finding.clause for finding in assessment.cited],
        procedures=assessment.procedures,
        facts=facts,
        ignored=ignored,
        notice=validity_notice(kb, today),
        meta=kb.meta,
        expires=cn_date(kb.meta.expires),
        today=cn_date(today),
        link=link,
        qr=qr_svg(link),
    )
    return HTMLResponse(html)
