"""Errors, answered in Chinese and never with a stack trace: each domain error mapped once.

The routes raise domain errors whose ``str()`` is the message for the reader: the gateway's
own below (the citizen's side), :class:`~bot.policy.SituationError` (the hotline's facts) and
:class:`~bot.faq.errors.FaqError` (the FAQ desk). :data:`EXCEPTION_HANDLERS` turns each into
``{"detail": "<Chinese>"}`` with the status from one table, :data:`_STATUS_CODES`; a
database failure of the FAQ desk is a 503, anything unexpected a 500 with the hotline hint.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine, Mapping
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError
from starlette.responses import Response

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


_STATUS_CODES: tuple[tuple[type[Exception], int], ...] = (
    (InvalidText, 422),
    (SituationError, 422),
    (UnknownClause, 404),
    (AssistantUnavailable, 503),
    (AssistantBusy, 503),
    (ValidationError, 422),
    (PermissionDenied, 403),
    (NotFound, 404),
    (InvalidTransition, 409),
    (Conflict, 409),
    (LoginLocked, 429),
)


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse(status_code=status, content={"detail": message})


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
    log.warning("FAQ desk database error: %s", exc)
    return _error(503, "政策解读数据库暂时无法访问，请稍后再试。")


async def _invalid(_request: Request, exc: RequestValidationError) -> Response:
    return _error(422, f"请求格式不正确：{exc.errors()[0].get('msg', '')}")


async def _unexpected(_request: Request, _exc: Exception) -> Response:
    return _error(500, "服务出现了问题。" + HOTLINE_HINT)


EXCEPTION_HANDLERS: Mapping[
    int | type[Exception], Callable[[Request, Any], Coroutine[Any, Any, Response]]
] = {
    GatewayError: _domain_error,
    SituationError: _domain_error,
    FaqError: _domain_error,
    SQLAlchemyError: _database_error,
    RequestValidationError: _invalid,
    Exception: _unexpected,
}
"""For ``FastAPI(exception_handlers=…)``: every handler the gateway has, in one place."""
