"""What an entry says, and the rules its text must follow.

Text is normalised before it is stored: surrounding space is stripped and runs of space are
collapsed (the answer keeps its line breaks, with at most one blank line between paragraphs).
HTML is kept as plain text — every page shows it as text — but control characters are refused.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from bot.faq.errors import ValidationError

QUESTION_MAX = 200
ANSWER_MAX = 2000
COMMENT_MAX = 500
TAG_MAX = 20
MAX_PARAPHRASES = 50
MAX_TAGS = 10
FIELDS = ("key", "question", "paraphrases", "answer", "clause_ids", "tags")

_KEY = re.compile(r"[a-z][a-z0-9_]{1,62}")


@dataclass(frozen=True)
class Content:
    """The editable content of one entry version."""

    question: str
    paraphrases: tuple[str, ...] = ()
    answer: str = ""
    clause_ids: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()


def _text(value: object, label: str) -> str:
    if not isinstance(value, str):
        raise ValidationError(f"{label}必须是文本")
    if any(unicodedata.category(char) == "Cc" and char not in "\n\r\t" for char in value):
        raise ValidationError(f"{label}包含控制字符，请删除后再保存")
    return value


def _limited(text: str, label: str, limit: int) -> str:
    if len(text) > limit:
        raise ValidationError(f"{label}不能超过 {limit} 个字（现在 {len(text)} 个）")
    return text


def one_line(value: object, label: str, limit: int) -> str:
    """``value`` as one line of text with single spaces, at most ``limit`` characters."""
    return _limited(" ".join(_text(value, label).split()), label, limit)


def multi_line(value: object, label: str, limit: int) -> str:
    """``value`` as paragraphs: lines tidied, at most one blank line in a row."""
    lines = [" ".join(line.split()) for line in _text(value, label).splitlines()]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")
    return _limited(text, label, limit)


def _items(value: object, label: str) -> list[object]:
    if not isinstance(value, list | tuple):
        raise ValidationError(f"{label}必须是列表")
    return list(value)


def _distinct(items: list[str], *, exclude: str = "") -> tuple[str, ...]:
    return tuple(dict.fromkeys(item for item in items if item and item != exclude))


def check_key(value: object) -> str:
    """A valid entry key: the name of a Rasa retrieval intent ``faq/<key>``."""
    key = one_line(value, "标识", 64)
    if not _KEY.fullmatch(key):
        raise ValidationError(
            f"标识 {key!r} 无效：只能用小写英文字母、数字和下划线，以字母开头，2–63 个字符"
        )
    return key


def parse_content(
    data: Mapping[str, object], clause_ids: Collection[str], base: Content | None = None
) -> Content:
    """Validate and normalise ``data``; fields it leaves out keep their value in ``base``.

    Raises:
        ValidationError: Naming the first problem found.
    """
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise ValidationError(f"未知字段：{'、'.join(unknown)}")
    base = base or Content(question="")
    question = one_line(data.get("question", base.question), "问题", QUESTION_MAX)
    if not question:
        raise ValidationError("问题不能为空")
    paraphrases = _distinct(
        [
            one_line(item, f"第 {number} 个问法", QUESTION_MAX)
            for number, item in enumerate(
                _items(data.get("paraphrases", base.paraphrases), "问法"), start=1
            )
        ],
        exclude=question,
    )
    if len(paraphrases) > MAX_PARAPHRASES:
        raise ValidationError(f"问法不能超过 {MAX_PARAPHRASES} 个")
    clauses = _distinct(
        [
            one_line(item, "条款编号", 32)
            for item in _items(data.get("clause_ids", base.clause_ids), "条款")
        ]
    )
    unknown_clauses = [clause for clause in clauses if clause not in clause_ids]
    if unknown_clauses:
        raise ValidationError(f"未知的条款编号：{'、'.join(unknown_clauses)}")
    tags = _distinct(
        [one_line(item, "标签", TAG_MAX) for item in _items(data.get("tags", base.tags), "标签")]
    )
    if len(tags) > MAX_TAGS:
        raise ValidationError(f"标签不能超过 {MAX_TAGS} 个")
    return Content(
        question=question,
        paraphrases=paraphrases,
        answer=multi_line(data.get("answer", base.answer), "答案", ANSWER_MAX),
        clause_ids=clauses,
        tags=tags,
    )
