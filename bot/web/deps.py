"""What a route needs, as typed dependencies (``Annotated[…, Depends(…)]``).

The idiom of fastapi/full-stack-fastapi-template's ``backend/app/api/deps.py`` (``SessionDep``,
``CurrentUser``): a route names what it needs in its signature and FastAPI provides it.

* The app's parts, made once by :func:`bot.web.app.create_app` and kept on ``app.state``:
  :data:`Config`, :data:`KnowledgeBase`, :data:`Workers`, :data:`Client` (the pooled aiohttp
  session, opened by the lifespan) and :data:`Desk` (the FAQ desk, migrated on first use).
* Who is asking, on the FAQ desk: :data:`SignedIn` (a live session, else 401), :data:`Writer`
  (also the session's CSRF token in ``X-CSRF-Token``, else 403), :data:`AdminReader` and
  :data:`AdminWriter` (the same, for admins only), :data:`ReviewerReader` and
  :data:`ReviewerWriter` (reviewers and admins: the turn log, its dashboard and 复核 list).

The app's parts are ``async`` functions, so FastAPI calls them on the event loop rather than in
its thread pool; :data:`Desk` and the sign-in checks are plain functions, as they may wait for
the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import aiohttp
from fastapi import Depends, Header, HTTPException, Request, Response

from bot.faq.auth import Auth
from bot.faq.models import LoginSession, User
from bot.policy.model import Knowledge
from bot.retrieval.policy_search import PolicySearch, search_for
from bot.web.faq_desk import FaqDesk
from bot.web.settings import Settings
from bot.web.workers import WorkerPool

COOKIE = "hukou_session"
"""The FAQ desk's session cookie (HttpOnly, SameSite=Strict)."""


# -- the app's parts ---------------------------------------------------------------------


async def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def _knowledge(request: Request) -> Knowledge:
    kb: Knowledge = request.app.state.kb
    return kb


async def _workers(request: Request) -> WorkerPool:
    workers: WorkerPool = request.app.state.workers
    return workers


async def _client(request: Request) -> aiohttp.ClientSession:
    client: aiohttp.ClientSession = request.app.state.client
    return client


async def _search(request: Request) -> PolicySearch:
    # Built on the first search, from the knowledge base the app already holds (no await
    # in between, so two first searches cannot both build it); the answers that rank clauses
    # by the question's words use the same one.
    return search_for(request.app.state.kb)


def _desk(request: Request) -> FaqDesk:
    desk: FaqDesk = request.app.state.faq_desk
    desk.ready()
    return desk


Config = Annotated[Settings, Depends(_settings)]
KnowledgeBase = Annotated[Knowledge, Depends(_knowledge)]
Workers = Annotated[WorkerPool, Depends(_workers)]
Client = Annotated[aiohttp.ClientSession, Depends(_client)]
Search = Annotated[PolicySearch, Depends(_search)]
Desk = Annotated[FaqDesk, Depends(_desk)]


# -- who is asking -----------------------------------------------------------------------


@dataclass(frozen=True)
class Staff:
    """The signed-in user of a request and their session."""

    user: User
    session: LoginSession


def _signed_in(request: Request, response: Response, desk: Desk) -> Staff:
    """The session's user; 401 without a live session."""
    token = request.cookies.get(COOKIE)
    found = desk.auth.session_user(token) if token else None
    if found is None:
        raise HTTPException(401, "登录已过期，请先登录" if token else "请先登录")
    response.headers["Cache-Control"] = "no-store"
    return Staff(*found)


SignedIn = Annotated[Staff, Depends(_signed_in)]


def _writer(
    staff: SignedIn, x_csrf_token: Annotated[str | None, Header(max_length=256)] = None
) -> Staff:
    """A signed-in user whose request carries the session's CSRF token; 403 otherwise."""
    if not x_csrf_token or not Auth.check_csrf(staff.session, x_csrf_token):
        raise HTTPException(403, "页面已过期，请刷新后重试")
    return staff


Writer = Annotated[Staff, Depends(_writer)]


def _only_admins(staff: Staff) -> Staff:
    if staff.user.role != "admin":
        raise HTTPException(403, "只有管理员可以管理账号")
    return staff


def _admin_reader(staff: SignedIn) -> Staff:
    return _only_admins(staff)


def _admin_writer(staff: Writer) -> Staff:
    return _only_admins(staff)


AdminReader = Annotated[Staff, Depends(_admin_reader)]
AdminWriter = Annotated[Staff, Depends(_admin_writer)]


def _only_reviewers(staff: Staff) -> Staff:
    # What citizens asked (the turn log, its statistics and conversations) is for those who
    # judge answers; editors write entries from the unanswered groups, which hold no dialogue.
    if staff.user.role not in ("reviewer", "admin"):
        raise HTTPException(403, "只有审核人和管理员可以查看市民提问记录和统计")
    return staff


def _reviewer_reader(staff: SignedIn) -> Staff:
    return _only_reviewers(staff)


def _reviewer_writer(staff: Writer) -> Staff:
    return _only_reviewers(staff)


ReviewerReader = Annotated[Staff, Depends(_reviewer_reader)]
"""A signed-in reviewer or admin (the turn log is not for editors: 403)."""
ReviewerWriter = Annotated[Staff, Depends(_reviewer_writer)]
"""The same, with the session's CSRF token (a change)."""
