"""Errors, answered in Chinese and never with a stack trace: each domain error mapped once.

The routes raise domain errors whose ``str()`` is the message for the reader: the gateway's
own below (the citizen's side), :class:`~bot.policy.SituationError` (the hotline's facts) and
:class:`~bot.faq.errors.FaqError` (the FAQ desk). :data:`EXCEPTION_HANDLERS` turns each into
``{"detail": "<Chinese>"}`` (:class:`ApiError`, the one error schema of the API) with the
status from one table, :data:`_STATUS_CODES`; a database failure of the FAQ desk is a 503,
anything unexpected a 500 with the hotline hint.

What the framework answers itself is put into Chinese here too: Starlette's and FastAPI's
HTTP errors (404 "Not Found", 405, FastAPI's 400 "There was an error parsing the body" for a
body that is not UTF-8 or is nested too deep for the JSON parser) get a Chinese message for
their status, and a 422 from pydantic names the field and says what is wrong in Chinese
instead of pydantic's English. :func:`error_responses` documents the same schema in OpenAPI
(:mod:`bot.web.openapi`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine, Mapping, Sequence
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import BaseRoute, Match

from bot.faq.db import describe_error
from bot.faq.errors import (
    Conflict,
    FaqError,
    InvalidTransition,
    LoginLocked,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from bot.policy import SituationError
from bot.web.headers import security_headers

log = logging.getLogger(__name__)

HOTLINE_HINT = "请稍后再试，或到户口所在地、拟迁入地的派出所户籍窗口咨询。"
"""Where a citizen can ask when the assistant cannot answer."""


class GatewayError(Exception):
    """Base class of the citizen side's errors: ``str(error)`` is the Chinese message."""


class InvalidText(GatewayError):
    """What was typed cannot be sent on (422)."""


class TextTooLong(InvalidText):
    """The text is longer than ``HUKOU_MAX_MESSAGE_CHARS``."""

    def __init__(self, field: str, length: int, limit: int) -> None:
        """Say which ``field`` was ``length`` characters long, and the ``limit``."""
        super().__init__(f"{field}太长了（{length} 字），请控制在 {limit} 字以内。")


class EmptyMessage(InvalidText):
    """The chat message is blank."""

    def __init__(self) -> None:
        """Ask for the question."""
        super().__init__("消息是空的，请输入您的问题。")


class UnknownClause(GatewayError):
    """No clause has that id (404)."""

    def __init__(self, clause_id: str) -> None:
        """Name the ``clause_id`` that was asked for."""
        super().__init__(f"没有编号为 {clause_id} 的条款。")


class AssistantUnavailable(GatewayError):
    """Rasa or its actions cannot answer now (503); the message says where else to ask."""

    def __init__(self, what: str = "助手暂时无法回复。") -> None:
        """Say ``what`` cannot answer, followed by :data:`HOTLINE_HINT`."""
        super().__init__(what + HOTLINE_HINT)


class AssistantBusy(GatewayError):
    """The message waited too long for its worker and was never sent (503).

    The citizen can send it again without it counting twice.
    """

    def __init__(self) -> None:
        """Ask the citizen to send the message again."""
        super().__init__("现在咨询的人很多，您的消息还没有发出，请稍后再发一次。")


class FeedbackNotSaved(GatewayError):
    """The turn log's database cannot take a citizen's 有用 / 没用 now (503).

    Said for the citizen, not as the FAQ desk's database error: the widget keeps the choice
    and offers to send it again.
    """

    def __init__(self) -> None:
        """The message the widget shows beside the buttons."""
        super().__init__("反馈没有保存成功：记录服务暂时无法访问，请稍后再试。")


_STATUS_CODES: tuple[tuple[type[Exception], int], ...] = (
    (InvalidText, 422),
    (SituationError, 422),
    (UnknownClause, 404),
    (AssistantUnavailable, 503),
    (AssistantBusy, 503),
    (FeedbackNotSaved, 503),
    (ValidationError, 422),
    (PermissionDenied, 403),
    (NotFound, 404),
    (InvalidTransition, 409),
    (Conflict, 409),
    (LoginLocked, 429),
)


class ApiError(BaseModel):
    """Every error the API answers with: the message, in Chinese, fit to show as it is."""

    detail: str = Field(..., example="请求格式不正确：字段 message 应为字符串。")
    revision: int | None = Field(
        None, description="409 on a stale save only: the entry's current revision."
    )
    rejected: dict[str, Any] | None = Field(
        None, description="409 on a stale save only: the fields that were not saved, as sent."
    )


ERROR_DESCRIPTIONS: Mapping[int, str] = {
    400: "The body cannot be read: it is not UTF-8, or its JSON is nested too deep.",
    401: "Not signed in, or the session expired (30 min idle, 8 h at most).",
    403: "The role does not allow it, or the X-CSRF-Token header is missing or wrong.",
    404: "There is nothing with that id.",
    409: "The entry's status does not allow the step, or someone else saved first "
    "(then `revision` and `rejected` are set).",
    413: "The body is larger than HUKOU_MAX_BODY_BYTES (128 KB by default).",
    422: "A field or parameter is missing, of another type (types are strict: 123 is no "
    "string) or too long, or the content breaks a rule of the policy or the FAQ desk.",
    429: "Too many requests from this client, or too many failed sign-ins: see Retry-After.",
    500: "An unexpected failure; the message says where else to ask.",
    503: "Rasa, the actions or the FAQ desk's database (which holds the turn log) cannot "
    "answer now.",
}
"""What each status means on this API, for the OpenAPI document."""


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """For a router's or route's ``responses=``: each status answered with :class:`ApiError`."""
    return {code: {"model": ApiError, "description": ERROR_DESCRIPTIONS[code]} for code in codes}


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse(status_code=status, content={"detail": message})


_HTTP_MESSAGES: Mapping[int, str] = {
    400: "请求内容无法读取：请用 UTF-8 编码发送 JSON，层次不要太深。",
    401: "请先登录",
    403: "没有权限进行此操作",
    404: "找不到该网址。",
    405: "该网址不接受这种请求方式。",
    406: "无法提供所要求的内容格式。",
    413: "请求内容太大。",
    415: "请求内容的格式不受支持，请发送 JSON。",
}


def _is_chinese(text: object) -> bool:
    return isinstance(text, str) and any("\u4e00" <= char <= "\u9fff" for char in text)


def allowed_methods(request: Request) -> list[str]:
    """Every method some route of the app answers at the request's path.

    Starlette's 405 names only the methods of the first route that matches the path, so
    ``GET /api/faq/entries`` and ``POST /api/faq/entries`` (two routes) each hid the other.
    """
    methods: set[str] = set()
    for route in request.app.router.routes:
        if isinstance(route, BaseRoute) and getattr(route, "methods", None):
            match, _ = route.matches(request.scope)
            if match is not Match.NONE:
                methods |= set(route.methods)  # type: ignore[attr-defined]
    return sorted(methods)


async def _http_error(request: Request, exc: HTTPException) -> Response:
    # The gateway's own HTTPExceptions are raised with a Chinese message; the framework's
    # carry its English phrase ("Not Found", "There was an error parsing the body").
    status = exc.status_code
    headers = dict(exc.headers or {})
    if status == 405:
        headers["Allow"] = ", ".join(allowed_methods(request))
    if status in {204, 304}:  # no body allowed, as in Starlette's own handler
        return Response(status_code=status, headers=headers)
    detail = (
        exc.detail
        if _is_chinese(exc.detail)
        else _HTTP_MESSAGES.get(status, f"请求无法处理（HTTP {status}）。")
    )
    return JSONResponse(status_code=status, content={"detail": detail}, headers=headers)


async def _domain_error(_request: Request, exc: Exception) -> Response:
    status = next((code for kind, code in _STATUS_CODES if isinstance(exc, kind)), 400)
    content: dict[str, Any] = {"detail": str(exc)}
    headers: dict[str, str] = {}
    if isinstance(exc, Conflict):
        content.update(revision=exc.revision, rejected=exc.rejected)
    if isinstance(exc, LoginLocked):
        headers["Retry-After"] = str(exc.retry_after)
    return JSONResponse(status_code=status, content=content, headers=headers)


async def _database_error(_request: Request, exc: Exception) -> Response:
    # The chat does not need the FAQ desk's database: only its routes answer 503.
    # Not str(exc): PostgreSQL's DETAIL line quotes the values of a violated key.
    log.warning("FAQ desk database error: %s", describe_error(exc))
    return _error(503, "政策解读数据库暂时无法访问，请稍后再试。")


_WHERE: Mapping[str, str] = {
    "body": "字段",
    "query": "参数",
    "path": "网址中的",
    "header": "请求头",
}

_PROBLEMS: Mapping[str, str] = {
    "value_error.missing": "缺少{field}",
    "type_error.none.not_allowed": "{field}不能为 null",
    "type_error.str": "{field}应为字符串",
    "type_error.integer": "{field}应为整数",
    "type_error.float": "{field}应为数字",
    "value_error.strictbool": "{field}应为 true 或 false",
    "type_error.bool": "{field}应为 true 或 false",
    "type_error.dict": "{field}应为 JSON 对象",
    "type_error.list": "{field}应为 JSON 数组",
    "value_error.any_str.max_length": "{field}最多 {limit_value} 个字符",
    "value_error.any_str.min_length": "{field}至少要有 {limit_value} 个字符",
    "value_error.number.not_ge": "{field}不能小于 {limit_value}",
    "value_error.number.not_gt": "{field}必须大于 {limit_value}",
    "value_error.number.not_le": "{field}不能大于 {limit_value}",
    "value_error.number.not_lt": "{field}必须小于 {limit_value}",
    "value_error.const": "{field}的值不在可选范围内",
    "json_invalid": "请求内容不是有效的 JSON",
}
"""pydantic 1.10's error types (and FastAPI's ``json_invalid``), said in Chinese."""


def _field(loc: Sequence[object]) -> str:
    """Where the error is: ``字段 message``, ``参数 q``; the whole body is 请求内容."""
    where, *path = [str(part) for part in loc if part != "__root__"] or ["body"]
    if not path:
        return "请求内容"
    return f"{_WHERE.get(where, where)} {'.'.join(path)} "


def validation_message(errors: Sequence[Mapping[str, Any]]) -> str:
    """The first of pydantic's errors in Chinese: which field, and what is wrong with it.

    >>> validation_message([{"loc": ("body", "message"), "type": "type_error.str"}])
    '请求格式不正确：字段 message 应为字符串。'
    """
    if not errors:
        return "请求格式不正确。"
    error = errors[0]
    field = _field(error.get("loc", ()))
    template = _PROBLEMS.get(str(error.get("type", "")))
    if template is None:
        # A validator of ours says what is wrong in Chinese; anything else is not shown.
        msg = error.get("msg")
        problem = f"{field}{msg}" if _is_chinese(msg) else f"{field}的值不正确"
    else:
        problem = template.format(field=field, **{"limit_value": "", **error.get("ctx", {})})
    return f"请求格式不正确：{problem.strip()}。"


async def _invalid(_request: Request, exc: RequestValidationError) -> Response:
    return _error(422, validation_message(exc.errors()))


async def _unexpected(request: Request, _exc: Exception) -> Response:
    # Starlette sends this answer from ServerErrorMiddleware, outside every other middleware,
    # so SecurityHeadersMiddleware never sees it: the headers are added here.
    response = _error(500, "服务出现了问题。" + HOTLINE_HINT)
    response.headers.update(security_headers(request.url.path, "application/json"))
    return response


EXCEPTION_HANDLERS: Mapping[
    int | type[Exception], Callable[[Request, Any], Coroutine[Any, Any, Response]]
] = {
    GatewayError: _domain_error,
    SituationError: _domain_error,
    FaqError: _domain_error,
    SQLAlchemyError: _database_error,
    RequestValidationError: _invalid,
    HTTPException: _http_error,
    Exception: _unexpected,
}
"""For ``FastAPI(exception_handlers=…)``: every handler the gateway has, in one place."""
