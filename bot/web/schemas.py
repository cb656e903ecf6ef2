"""The gateway's request bodies: the citizen's and the hotline's, then the FAQ desk's.

Answers are plain dicts built by the presenters (:mod:`bot.policy.present`,
:mod:`bot.web.faq_desk`), so only what comes in is modelled here. A malformed body is a 422
with a Chinese message (:mod:`bot.web.errors`).

Types are strict (``StrictStr``, ``StrictInt``, ``StrictBool``): pydantic 1.10 would turn
``{"message": 123}`` into ``"123"`` and ``"1"`` or ``true`` into a revision number, so a client's
mistake would pass unnoticed. A field's length limit that is a setting
(``HUKOU_MAX_MESSAGE_CHARS``) is checked by the route and written into the OpenAPI document by
:mod:`bot.web.openapi`.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import Body
from pydantic import BaseModel, Field, StrictBool, StrictInt, StrictStr, validator
from pydantic.errors import DictError

from bot.policy.model import as_of_date
from bot.turns.store import COMMENT_MAX
from bot.web.errors import TextTooLong

# -- the citizen and the hotline ---------------------------------------------------------


class ChatIn(BaseModel):
    """A citizen's message."""

    sender: StrictStr = Field(..., min_length=1, max_length=128)
    message: StrictStr


class ApplicantIn(BaseModel):
    """One person the call is about: their relation to the caller, a name, the facts set by hand.

    ``role`` is one of :data:`bot.nlu.household.ROLE_LABELS`' keys.
    """

    role: Literal["self", "spouse", "child", "parent", "other"] = "self"
    label: StrictStr = Field("", max_length=40)
    facts: dict[str, Any] = Field(default_factory=dict)

    @validator("facts", pre=True)
    def _facts_are_an_object(cls, value: object) -> object:
        if not isinstance(value, dict):
            raise DictError()
        return value


class LookupIn(BaseModel):
    """The caller's words and/or the facts ticked by hotline staff, as of a date.

    ``applicants`` (optional) asks for one answer per person the call is about; left out, the
    answer is the one-applicant answer, with the applicants the words name proposed beside it.
    """

    text: StrictStr = ""
    facts: dict[str, Any] = Field(default_factory=dict)
    applicants: list[ApplicantIn] | None = Field(None, max_items=8)

    @validator("applicants", pre=True)
    def _applicants_are_a_list(cls, value: object) -> object:
        # Left out means one applicant; sent, it is a list (null is a client's mistake).
        if not isinstance(value, list):
            raise TypeError("应为申请人列表")
        return value

    date: dt.date | None = Field(
        None,
        description="The day to answer as of (YYYY-MM-DD); today when left out.",
        example="2024-07-01",
    )

    @validator("date", pre=True)
    def _date_is_iso(cls, value: object) -> dt.date | None:
        return as_of_date(value)

    @validator("facts", pre=True)
    def _facts_are_an_object(cls, value: object) -> object:
        # pydantic 1.10 would make a dict of [["housing", "rented"]]; the facts are an object.
        if not isinstance(value, dict):
            raise DictError()
        return value


class FeedbackIn(BaseModel):
    """A citizen's 有用 / 没用 on one answer (the turn ``POST /api/chat`` named)."""

    turn: StrictStr = Field(..., regex="^[0-9a-f]{32}$", description="`turn` of the chat answer")
    useful: StrictBool
    # Why an answer was 没用, as the widget offers it (the desk's 复核 list shows it).
    reason: Literal["", "答非所问", "看不懂", "其他"] = ""
    comment: StrictStr = Field(
        "", max_length=COMMENT_MAX, description="Optional; stored with personal data masked"
    )


class FeedbackOut(BaseModel):
    """The feedback was kept with its turn."""

    saved: bool = True
    turn: str


def within_limit(text: str, field: str, limit: int) -> str:
    """``text`` unchanged if it has at most ``limit`` characters.

    The limit is a setting (``HUKOU_MAX_MESSAGE_CHARS``), so the routes check it rather than
    the models, and the message can say how long the text was.

    Args:
        text: What the citizen or the hotline typed.
        field: Its name in the message (``消息``, ``描述``).
        limit: The most characters allowed.

    Raises:
        TextTooLong: ``text`` is longer than ``limit``.
    """
    if len(text) > limit:
        raise TextTooLong(field, len(text), limit)
    return text


# -- the FAQ desk ------------------------------------------------------------------------


class LoginIn(BaseModel):
    """A sign-in attempt."""

    username: StrictStr = Field(..., max_length=256)
    password: StrictStr = Field(..., max_length=1024)


class StepIn(BaseModel):
    """A workflow step; ``base_revision`` (optional) is the revision the user was looking at."""

    base_revision: StrictInt | None = None


class CommentIn(StepIn):
    """Approving or sending back, with the reviewer's comment."""

    comment: StrictStr = ""


class RestoreIn(StepIn):
    """Publishing again the content of an earlier published version."""

    version: StrictInt


class PreviewIn(BaseModel):
    """Unsaved text to show as the assistant would answer it."""

    question: StrictStr = ""
    answer: StrictStr = ""
    clause_ids: list[StrictStr] = Field(default_factory=list)


class ReviewByIn(BaseModel):
    """An entry's 复核日期 (``YYYY-MM-DD``), or ``null`` to clear it."""

    review_by: dt.date | None

    @validator("review_by", pre=True)
    def _a_date_string(cls, value: object) -> object:
        # pydantic 1.10 would take 20260301 (an int) as seconds since 1970.
        if value is not None and not isinstance(value, str):
            raise TypeError("日期应为 年-月-日 形式的字符串")
        return value


class ScheduleIn(BaseModel):
    """定时发布: when to publish (ISO 8601; without an offset, China time), or ``null``."""

    publish_at: StrictStr | None


class UserIn(BaseModel):
    """A new staff account (admins only)."""

    username: StrictStr
    password: StrictStr
    role: StrictStr


class UserChangeIn(BaseModel):
    """A change to an account (admins only); fields left out stay as they are."""

    role: StrictStr | None = None
    active: StrictBool | None = None
    password: StrictStr | None = Field(None, max_length=1024)


JsonObject = Annotated[dict[str, Any], Body()]
"""An entry's fields as sent: the store validates them (:func:`bot.faq.content.parse_content`)
and hands back unsaved ones on a conflict, so they are not modelled here."""


class ImportIn(BaseModel):
    """A YAML list of entries to import (the file's name, for the error lines, and its text).

    The size is bounded by the body limit (``HUKOU_MAX_BODY_BYTES``, 413 beyond it).
    """

    filename: StrictStr = Field(..., min_length=1, max_length=200)
    text: StrictStr
