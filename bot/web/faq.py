"""The FAQ desk on the web: staff write and review entries at ``/admin``, citizens read ``/faq``.

Routes (all answers JSON; errors are ``{"detail": "<Chinese>"}``):

* ``POST /api/faq/login`` {username, password} — sets the ``hukou_session`` cookie (HttpOnly,
  SameSite=Strict) and returns the user and the session's CSRF token;
  ``POST /api/faq/logout``; ``GET /api/faq/me`` — the user and CSRF token again (a reloaded
  page keeps working).
* ``GET|POST /api/faq/entries``, ``GET|PUT /api/faq/entries/{id}`` (PUT with
  ``base_revision``: a stale one is a 409 that hands the unsaved fields back),
  ``POST /api/faq/entries/{id}/submit|approve|reject|publish|archive|restore``,
  ``GET /api/faq/entries/{id}/diff?a=&b=``, ``POST /api/faq/preview`` (the assistant's own
  answer for unsaved text), ``GET /api/faq/unanswered``,
  ``POST /api/faq/unanswered/{group_id}/draft``, and for admins ``GET|POST /api/faq/users``
  and ``PATCH /api/faq/users/{username}`` {role, active, password}.
* ``GET /api/faq/published`` — public: the published entries grouped by their first tag, each
  with the verbatim quote of the clauses it cites.
* ``GET /admin`` and ``GET /faq`` — the pages.

Every ``/api/faq`` route but login and ``published`` needs a live session (401 otherwise);
every change also needs the ``X-CSRF-Token`` header equal to the session's token (403).
The endpoints are plain ``def`` functions: FastAPI runs them in its thread pool, so the
database and the password hasher never block the event loop.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import (
    APIRouter,
    Body,
    Depends,
    FastAPI,
    Header,
    HTTPException,
    Query,
    Request,
    Response,
)
from fastapi.responses import FileResponse, JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.engine import Engine  # type: ignore[import-untyped]
from sqlalchemy.exc import SQLAlchemyError  # type: ignore[import-untyped]

from bot.dialogue.answers import faq_answer, one_bubble
from bot.faq.auth import Auth
from bot.faq.content import ANSWER_MAX, QUESTION_MAX, multi_line, one_line
from bot.faq.db import make_engine, migrate
from bot.faq.errors import (
    Conflict,
    FaqError,
    InvalidTransition,
    LoginLocked,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from bot.faq.models import LoginSession, User
from bot.faq.records import EntryView
from bot.faq.store import REVIEWERS, ROLE_NAMES, STATUS_NAMES, FaqStore
from bot.paths import STATIC
from bot.policy.model import Knowledge
from bot.policy.present import clause_brief, validity_notice

if TYPE_CHECKING:
    from bot.web.app import Settings

log = logging.getLogger(__name__)

COOKIE = "hukou_session"
OTHER_TOPIC = "其他问题"
ACTION_NAMES = {
    "create": "新建",
    "update": "修改",
    "submit": "提交审核",
    "approve": "审核通过",
    "reject": "退回修改",
    "publish": "发布",
    "archive": "归档",
    "restore": "恢复版本",
    "login": "登录",
    "user_add": "新建账号",
    "user_update": "修改账号",
    "import": "导入",
}
_STATUS_CODES: tuple[tuple[type[FaqError], int], ...] = (
    (ValidationError, 422),
    (PermissionDenied, 403),
    (NotFound, 404),
    (InvalidTransition, 409),
    (Conflict, 409),
    (LoginLocked, 429),
)
_PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'"
)


class LoginIn(BaseModel):
    """A sign-in attempt."""

    username: str = Field(..., max_length=256)
    password: str = Field(..., max_length=1024)


class StepIn(BaseModel):
    """A workflow step; ``base_revision`` (optional) is the revision the user was looking at."""

    base_revision: int | None = None


class CommentIn(StepIn):
    """Approving or sending back, with the reviewer's comment."""

    comment: str = ""


class RestoreIn(StepIn):
    """Publishing again the content of an earlier published version."""

    version: int


class PreviewIn(BaseModel):
    """Unsaved text to show as the assistant would answer it."""

    question: str = ""
    answer: str = ""
    clause_ids: list[str] = Field(default_factory=list)


class UserIn(BaseModel):
    """A new staff account (admins only)."""

    username: str
    password: str
    role: str


class UserChangeIn(BaseModel):
    """A change to an account (admins only); fields left out stay as they are."""

    role: str | None = None
    active: bool | None = None
    password: str | None = Field(None, max_length=1024)


@dataclass(frozen=True)
class Staff:
    """The signed-in user of a request and their session."""

    user: User
    session: LoginSession


def user_dict(user: User) -> dict[str, Any]:
    """A user as the pages show them (never the password hash)."""
    return {
        "username": user.username,
        "role": user.role,
        "role_name": ROLE_NAMES.get(user.role, user.role),
        "active": user.active,
        "created_at": user.created_at.isoformat(),
    }


def entry_dict(entry: EntryView) -> dict[str, Any]:
    """An entry with its status in Chinese."""
    return {**entry.to_dict(), "status_name": STATUS_NAMES[entry.status]}


def readable_diff(lines: list[str]) -> list[str]:
    """The store's diff lines with statuses in Chinese (``-draft`` → ``-草稿``)."""
    readable, in_status = [], False
    for line in lines:
        if line.startswith("--- "):
            in_status = line.startswith("--- 状态")
        elif in_status and line[:1] in ("-", "+") and line[1:] in STATUS_NAMES:
            line = line[0] + STATUS_NAMES[line[1:]]
        readable.append(line)
    return readable


def allowed_actions(user: User, entry: EntryView) -> list[str]:
    """The workflow steps ``user`` may take on ``entry`` now (what the page offers).

    The store checks the same rules again; this only spares staff buttons that would fail.
    """
    reviewer = user.role in REVIEWERS
    own = entry.author == user.username
    actions = ["submit"] if entry.status == "draft" else []
    if reviewer:
        if entry.status == "in_review" and not own:
            actions.append("approve")
        if entry.status in ("in_review", "approved"):
            actions.append("reject")
        if entry.status == "approved" and not own:
            actions.append("publish")
        if entry.status != "archived":
            actions.append("archive")
        actions.append("restore")
    return actions


class FaqDesk:
    """The FAQ desk's store and accounts on one database, for the web gateway."""

    def __init__(
        self,
        engine: Engine,
        kb: Knowledge,
        *,
        secure_cookies: bool = False,
        trust_forwarded: bool = False,
    ) -> None:
        """Serve the desk from ``engine`` (migrated on the first :meth:`ready`).

        Args:
            engine: The FAQ desk's database.
            kb: The policy; entries may cite only its clauses.
            secure_cookies: Mark the session cookie ``Secure`` (HTTPS only).
            trust_forwarded: Count failed sign-ins per ``X-Forwarded-For`` client (behind a
                proxy) rather than per connecting address.
        """
        self.engine = engine
        self.kb = kb
        self.store = FaqStore(engine, kb.clauses)
        self.auth = Auth(engine)
        self.secure_cookies = secure_cookies
        self.trust_forwarded = trust_forwarded
        self._migrated = False
        self._lock = threading.Lock()

    def ready(self) -> None:
        """Bring the database to the latest schema, once.

        Raises:
            SQLAlchemyError: The database cannot be reached or upgraded.
        """
        if self._migrated:
            return
        with self._lock:
            if not self._migrated:
                migrate(self.engine)
                self._migrated = True

    def detail(self, user: User, entry: EntryView) -> dict[str, Any]:
        """The entry, its versions and audit trail, and what ``user`` may do with it."""
        versions = [
            {
                **version.to_dict(),
                "status_name": STATUS_NAMES[version.status],
                "action_name": ACTION_NAMES.get(version.action, version.action),
            }
            for version in self.store.versions(entry.id)
        ]
        audit = [
            {**row.to_dict(), "action_name": ACTION_NAMES.get(row.action, row.action)}
            for row in self.store.audit(entry.id)
        ]
        return {
            "entry": entry_dict(entry),
            "versions": versions,
            "audit": audit,
            "actions": allowed_actions(user, entry),
        }

    def published(self, today: dt.date) -> dict[str, Any]:
        """The published entries with their cited clauses, grouped by their first tag."""
        groups: dict[str, list[dict[str, Any]]] = {}
        for entry in self.store.published():
            item = {
                "id": entry.id,
                "key": entry.key,
                "question": entry.question,
                "answer": entry.answer,
                "tags": list(entry.tags),
                "version": entry.version,
                "clauses": [
                    clause_brief(self.kb.clause(clause_id))
                    for clause_id in entry.clause_ids
                    if clause_id in self.kb.clauses
                ],
            }
            groups.setdefault(entry.tags[0] if entry.tags else OTHER_TOPIC, []).append(item)
        order = sorted(groups, key=lambda tag: (tag == OTHER_TOPIC, -len(groups[tag]), tag))
        meta = self.kb.meta
        return {
            "count": sum(len(items) for items in groups.values()),
            "groups": [{"tag": tag, "entries": groups[tag]} for tag in order],
            "notice": validity_notice(self.kb, today),
            "policy": {
                "doc_no": meta.doc_no,
                "title": meta.title,
                "expires": meta.expires.isoformat(),
                "expired": meta.expired(today),
            },
        }

    def preview(self, body: PreviewIn, today: dt.date) -> dict[str, Any]:
        """The assistant's answer for unsaved text, exactly as it would be sent.

        The text is tidied as the store would save it, so the preview shows what citizens
        will get. Unknown clause ids are refused.
        """
        question = one_line(body.question, "问题", QUESTION_MAX)
        answer = multi_line(body.answer, "答案", ANSWER_MAX)
        clause_ids = list(dict.fromkeys(one_line(c, "条款编号", 32) for c in body.clause_ids))
        unknown = [clause_id for clause_id in clause_ids if clause_id not in self.kb.clauses]
        if unknown:
            raise ValidationError(f"未知的条款编号：{'、'.join(unknown)}")
        text, payload = faq_answer(
            self.kb, today, question=question, answer=answer, clause_ids=clause_ids
        )
        return {"text": one_bubble(text), "payload": payload}


# -- who is asking ----------------------------------------------------------------------


def _desk(request: Request) -> FaqDesk:
    desk: FaqDesk = request.app.state.faq_desk
    desk.ready()
    return desk


Desk = Annotated[FaqDesk, Depends(_desk)]


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
JsonObject = Annotated[dict[str, Any], Body()]


def _client(request: Request, trust_forwarded: bool) -> str:
    forwarded = request.headers.get("x-forwarded-for")
    if trust_forwarded and forwarded:
        return forwarded.split(",")[0].strip()
    return request.client.host if request.client else "unknown"


def _check_base(desk: FaqDesk, entry_id: int, base_revision: int | None) -> None:
    """Refuse a step taken on an entry that changed since the user looked at it."""
    if base_revision is None:
        return
    current = desk.store.get(entry_id)
    if current.revision != base_revision:
        raise HTTPException(
            409, f"该条目刚被他人修改（当前版本 {current.revision}），请查看最新内容后再操作。"
        )


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


router = APIRouter(tags=["faq"])
"""The FAQ desk's API; :func:`install` adds it to the gateway."""

# -- signing in ------------------------------------------------------------------------


@router.post("/api/faq/login")
def login(body: LoginIn, request: Request, response: Response, desk: Desk) -> dict[str, Any]:
    """Sign in: sets the session cookie and returns the user and CSRF token."""
    user = desk.auth.authenticate(
        body.username, body.password, _client(request, desk.trust_forwarded)
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


@router.post("/api/faq/logout")
def logout(request: Request, response: Response, staff: Writer, desk: Desk) -> dict[str, Any]:
    """Sign out: the session ends and the cookie is cleared."""
    desk.auth.close_session(request.cookies.get(COOKIE, ""))
    response.delete_cookie(
        COOKIE, path="/", httponly=True, samesite="strict", secure=desk.secure_cookies
    )
    return {"detail": f"{staff.user.username} 已退出"}


@router.get("/api/faq/me")
def me(staff: SignedIn) -> dict[str, Any]:
    """The signed-in user and the session's CSRF token (for a reloaded page)."""
    return _session_body(staff.user, staff.session.csrf_token)


# -- entries ---------------------------------------------------------------------------


@router.get("/api/faq/entries")
def list_entries(
    _staff: SignedIn,
    desk: Desk,
    status: Annotated[str, Query(max_length=16)] = "",
    tag: Annotated[str, Query(max_length=40)] = "",
    q: Annotated[str, Query(max_length=200)] = "",
) -> dict[str, Any]:
    """Entries, latest change first, filtered; ``tags`` lists every tag in use."""
    everything = desk.store.list()
    filtered = bool(status or tag or q.strip())
    found = desk.store.list(status or None, tag or None, q.strip()) if filtered else everything
    return {
        "entries": [entry_dict(entry) for entry in found],
        "tags": sorted({t for entry in everything for t in entry.tags}),
    }


@router.post("/api/faq/entries", status_code=201)
def create_entry(data: JsonObject, staff: Writer, desk: Desk) -> dict[str, Any]:
    """A new draft from ``data`` (question, paraphrases, answer, clause_ids, tags, key)."""
    return desk.detail(staff.user, desk.store.create(staff.user, data))


@router.get("/api/faq/entries/{entry_id}")
def get_entry(entry_id: int, staff: SignedIn, desk: Desk) -> dict[str, Any]:
    """The entry, its versions and audit trail, and the steps the user may take."""
    return desk.detail(staff.user, desk.store.get(entry_id))


@router.put("/api/faq/entries/{entry_id}")
def update_entry(entry_id: int, data: JsonObject, staff: Writer, desk: Desk) -> dict[str, Any]:
    """Save edited fields as a draft; ``base_revision`` is the revision that was edited."""
    fields = dict(data)
    base = fields.pop("base_revision", None)
    if not isinstance(base, int) or isinstance(base, bool):
        raise ValidationError("缺少 base_revision（编辑时看到的版本号），请刷新后重试")
    return desk.detail(staff.user, desk.store.update(staff.user, entry_id, fields, base))


@router.post("/api/faq/entries/{entry_id}/submit")
def submit(entry_id: int, staff: Writer, desk: Desk, body: StepIn | None = None) -> dict[str, Any]:
    """Send a draft for review."""
    _check_base(desk, entry_id, body.base_revision if body else None)
    return desk.detail(staff.user, desk.store.submit(staff.user, entry_id))


@router.post("/api/faq/entries/{entry_id}/approve")
def approve(
    entry_id: int, staff: Writer, desk: Desk, body: CommentIn | None = None
) -> dict[str, Any]:
    """Approve an entry in review (not one's own)."""
    body = body or CommentIn()
    _check_base(desk, entry_id, body.base_revision)
    return desk.detail(staff.user, desk.store.approve(staff.user, entry_id, body.comment))


@router.post("/api/faq/entries/{entry_id}/reject")
def reject(
    entry_id: int, staff: Writer, desk: Desk, body: CommentIn | None = None
) -> dict[str, Any]:
    """Send an entry back to its author, saying why."""
    body = body or CommentIn()
    _check_base(desk, entry_id, body.base_revision)
    return desk.detail(staff.user, desk.store.reject(staff.user, entry_id, body.comment))


@router.post("/api/faq/entries/{entry_id}/publish")
def publish(entry_id: int, staff: Writer, desk: Desk, body: StepIn | None = None) -> dict[str, Any]:
    """Publish an approved entry (not one's own)."""
    _check_base(desk, entry_id, body.base_revision if body else None)
    return desk.detail(staff.user, desk.store.publish(staff.user, entry_id))


@router.post("/api/faq/entries/{entry_id}/archive")
def archive(entry_id: int, staff: Writer, desk: Desk, body: StepIn | None = None) -> dict[str, Any]:
    """Stop serving an entry and set it aside."""
    _check_base(desk, entry_id, body.base_revision if body else None)
    return desk.detail(staff.user, desk.store.archive(staff.user, entry_id))


@router.post("/api/faq/entries/{entry_id}/restore")
def restore(entry_id: int, body: RestoreIn, staff: Writer, desk: Desk) -> dict[str, Any]:
    """Publish again a version that was published before."""
    _check_base(desk, entry_id, body.base_revision)
    return desk.detail(staff.user, desk.store.restore(staff.user, entry_id, body.version))


@router.get("/api/faq/entries/{entry_id}/diff")
def diff(
    entry_id: int,
    a: Annotated[int, Query(ge=1)],
    b: Annotated[int, Query(ge=1)],
    _staff: SignedIn,
    desk: Desk,
) -> dict[str, Any]:
    """Unified-diff lines from version ``a`` to version ``b``, field by field."""
    return {"a": a, "b": b, "lines": readable_diff(desk.store.diff(entry_id, a, b))}


@router.post("/api/faq/preview")
def preview(body: PreviewIn, _staff: Writer, desk: Desk) -> dict[str, Any]:
    """The assistant's answer for unsaved text: ``{text, payload}`` from ``faq_answer``."""
    return desk.preview(body, dt.date.today())


# -- unanswered questions --------------------------------------------------------------


@router.get("/api/faq/unanswered")
def unanswered(_staff: SignedIn, desk: Desk) -> dict[str, Any]:
    """Open groups of similar questions the assistant could not answer, biggest first."""
    return {"groups": [group.to_dict() for group in desk.store.unanswered_groups()]}


@router.post("/api/faq/unanswered/{group_id}/draft", status_code=201)
def draft(group_id: int, staff: Writer, desk: Desk) -> dict[str, Any]:
    """A new draft from a group's wordings (the group is marked handled)."""
    return desk.detail(staff.user, desk.store.draft_from_group(staff.user, group_id))


# -- accounts (admins) -----------------------------------------------------------------


@router.get("/api/faq/users")
def list_users(_staff: AdminReader, desk: Desk) -> dict[str, Any]:
    """Every account (admins only)."""
    return {"users": [user_dict(user) for user in desk.auth.users()]}


@router.post("/api/faq/users", status_code=201)
def add_user(body: UserIn, _staff: AdminWriter, desk: Desk) -> dict[str, Any]:
    """Add an account (admins only)."""
    return user_dict(desk.auth.create_user(body.username, body.password, body.role))


@router.patch("/api/faq/users/{username}")
def change_user(
    username: str, body: UserChangeIn, staff: AdminWriter, desk: Desk
) -> dict[str, Any]:
    """Change an account's role, deactivate/reactivate it or reset its password (admins)."""
    return user_dict(
        desk.auth.update_user(
            staff.user.username,
            username,
            role=body.role,
            active=body.active,
            password=body.password,
        )
    )


# -- public ----------------------------------------------------------------------------


@router.get("/api/faq/published")
def published(desk: Desk) -> dict[str, Any]:
    """What citizens are served, grouped by topic, with the policy's validity notice."""
    return desk.published(dt.date.today())


@router.get("/admin", include_in_schema=False)
def admin_page() -> FileResponse:
    """The FAQ desk for staff."""
    return _page("admin.html", framed=False)


@router.get("/faq", include_in_schema=False)
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


def _faq_error(_request: Request, exc: Exception) -> JSONResponse:
    status = next((code for kind, code in _STATUS_CODES if isinstance(exc, kind)), 400)
    content: dict[str, Any] = {"detail": str(exc)}
    headers: dict[str, str] = {}
    if isinstance(exc, Conflict):
        content.update(revision=exc.revision, rejected=exc.rejected)
    if isinstance(exc, LoginLocked):
        headers["Retry-After"] = str(exc.retry_after)
    return JSONResponse(status_code=status, content=content, headers=headers)


def _database_error(_request: Request, exc: Exception) -> JSONResponse:
    log.warning("FAQ desk database error: %s", exc)
    return JSONResponse(
        status_code=503, content={"detail": "政策解读数据库暂时无法访问，请稍后再试。"}
    )


def install(app: FastAPI, settings: Settings, kb: Knowledge) -> FaqDesk:
    """Add the FAQ desk's routes and pages to ``app``; returns the desk (its database).

    The database is ``settings.database_url``, else :func:`bot.faq.db.database_url`
    (``DATABASE_URL``, else the SQLite file ``var/hukou.sqlite3``). It is migrated here; if it
    cannot be reached the gateway still starts (the chat does not need it), the failure is
    logged and the FAQ routes answer 503 until the database can be migrated.
    """
    desk = FaqDesk(
        make_engine(settings.database_url),
        kb,
        secure_cookies=settings.secure_cookies,
        trust_forwarded=settings.trust_forwarded,
    )
    try:
        desk.ready()
    except SQLAlchemyError as exc:
        log.error("FAQ desk database unavailable at start-up: %s", exc)
    app.state.faq_desk = desk
    app.add_exception_handler(FaqError, _faq_error)
    app.add_exception_handler(SQLAlchemyError, _database_error)
    app.include_router(router)
    return desk
