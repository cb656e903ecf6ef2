"""Signing in to the FAQ desk, out, and who is signed in.

``POST /api/faq/login`` {username, password} sets the ``hukou_session`` cookie (HttpOnly,
SameSite=Strict) and returns the user and the session's CSRF token; failed sign-ins are
counted per client (:func:`bot.web.ratelimit.client_address`) and lock it out for a while (429).
``GET /api/faq/me`` returns them again, so a reloaded page keeps working.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response

from bot.faq.models import User
from bot.faq.workflow import ROLE_NAMES, STATUS_NAMES
from bot.web.deps import COOKIE, Desk, SignedIn, Writer
from bot.web.errors import error_responses
from bot.web.ratelimit import client_address
from bot.web.schemas import LoginIn

# Every route needs a session (login answers 401 to a wrong password) and the database.
router = APIRouter(prefix="/api/faq", tags=["faq"], responses=error_responses(401, 503))


@router.post("/login")
def login(body: LoginIn, request: Request, response: Response, desk: Desk) -> dict[str, Any]:
    """Sign in: sets the session cookie and returns the user and CSRF token."""
    user = desk.auth.authenticate(
        body.username, body.password, client_address(request, desk.trusted_proxies)
    )
    if user is None:
        raise HTTPException(401, "用户名或密码不正确")
    previous = request.cookies.get(COOKIE)
    if previous:
        desk.auth.close_session(previous)
    token, csrf = desk.auth.open_session(user)
    response.set_cookie(
        COOKIE, token, httponly=True, samesite="strict", path="/", secure=desk.secure_cookies
    )
    response.headers["Cache-Control"] = "no-store"
    return _session_body(user, csrf)


@router.post("/logout", responses=error_responses(403))
def logout(request: Request, response: Response, staff: Writer, desk: Desk) -> dict[str, Any]:
    """Sign out: the session ends and the cookie is cleared."""
    desk.auth.close_session(request.cookies.get(COOKIE, ""))
    response.delete_cookie(
        COOKIE, path="/", httponly=True, samesite="strict", secure=desk.secure_cookies
    )
    return {"detail": f"{staff.user.username} 已退出"}


@router.get("/me")
def me(staff: SignedIn) -> dict[str, Any]:
    """The signed-in user and the session's CSRF token (for a reloaded page)."""
    return _session_body(staff.user, staff.session.csrf_token)


def _session_body(user: User, csrf: str) -> dict[str, Any]:
    return {
        "user": {
            "username": user.username,
            "role": user.role,
            "role_name": ROLE_NAMES.get(user.role, user.role),
        },
        "csrf": csrf,
        "statuses": STATUS_NAMES,
        "roles": ROLE_NAMES,
    }
