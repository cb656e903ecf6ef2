"""Mask personal information in a citizen's message before it is stored.

ID-card, mobile, landline and bank-card numbers are replaced by a label whatever their
formatting (full-width digits, spaces or dashes inside, a +86 prefix); a personal name is
replaced when a cue introduces it (我叫张三, 姓名：欧阳娜娜, 我儿子叫李明), using the surnames
and cues in ``pii.yml``. Years, dates, clause numbers and other short numbers are kept.

Patterns run on a copy of the text of the same length — half-width, traditional characters
simplified one by one — and only the matched spans of the original text are replaced, so the
rest of the message is kept as typed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path

import yaml
import zhconv

PII_FILE = Path(__file__).with_name("pii.yml")

ID_CARD = "[身份证号]"
MOBILE = "[手机号]"
LANDLINE = "[电话]"
BANK_CARD = "[银行卡号]"
NAME = "[姓名]"
NUMBER = "[号码]"
"""Any other run of 11 or more digits: too long to be a year, a date or a count."""

_HALF_WIDTH = {0xFF01 + i: 0x21 + i for i in range(94)} | {0x3000: 0x20}
"""Full-width ASCII (０-９, Ｘ, ＋, －, （）…) and the ideographic space, one for one."""

_SEP = "[ -]?"
_ID_18 = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9A-Za-z])")
_BANK = re.compile(
    rf"(?<![0-9])[0-9]{{4}}(?:{_SEP}[0-9]{{4}}){{3}}(?:{_SEP}[0-9]{{1,3}})?(?![0-9])"
)
_MOBILE = re.compile(rf"(?<![0-9+])(?:(?:\+|00)?86{_SEP})?1[3-9][0-9](?:{_SEP}[0-9]){{8}}(?![0-9])")
_ID_15 = re.compile(r"(?<![0-9])[0-9]{15}(?![0-9])")
_LANDLINE = re.compile(r"(?<![0-9])(?:\(0[0-9]{2,3}\)|0[0-9]{2,3})[ -]?[0-9]{7,8}(?![0-9])")
_LONG_NUMBER = re.compile(r"(?<![0-9])[0-9]{11,}(?![0-9])")


@lru_cache(maxsize=4096)
def _simplified(char: str) -> str:
    """The simplified form of one character, when it is one character (張 → 张)."""
    converted = zhconv.convert(char, "zh-hans")
    return converted if len(converted) == 1 else char


def _probe(text: str) -> str:
    return "".join(_simplified(char) for char in text.translate(_HALF_WIDTH))


def _id_or_bank_card(number: str) -> str:
    """An 18-character number is an ID card when it ends in X or holds a birth date."""
    if number[-1] in "Xx":
        return ID_CARD
    try:
        born = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return BANK_CARD
    return ID_CARD if 1900 <= born.year <= dt.date.today().year else BANK_CARD


def _name_pattern() -> re.Pattern[str]:
    """Cue, optional 是/colon/space, then a surname and one or two more name characters."""
    data = yaml.safe_load(PII_FILE.read_text(encoding="utf-8"))

    def either(words: Iterable[str]) -> str:
        return "|".join(re.escape(word) for word in sorted(set(words), key=len, reverse=True))

    def chars(text: str) -> str:
        return "".join(sorted(set(text) - set(" \n")))

    surnames = data["surnames"]
    name_char = f"(?![{chars(data['not_in_name'])}])[\u4e00-\u9fff]"
    return re.compile(
        f"(?:{either(data['cues'])})是?[:：\\s]*"
        f"(?P<pii>(?!{either(data['not_names'])})"
        f"(?:{either(surnames['double'])}|[{chars(surnames['single'])}])"
        f"{name_char}{{1,2}})"
    )


_Label = Callable[[str], str]


@lru_cache(maxsize=1)
def _rules() -> tuple[tuple[re.Pattern[str], _Label], ...]:
    """The patterns in priority order, each with how its match is labelled."""
    return (
        (_ID_18, _id_or_bank_card),
        (_BANK, lambda _: BANK_CARD),
        (_MOBILE, lambda _: MOBILE),
        (_ID_15, lambda _: ID_CARD),
        (_LANDLINE, lambda _: LANDLINE),
        (_LONG_NUMBER, lambda _: NUMBER),
        (_name_pattern(), lambda _: NAME),
    )


def mask_pii(text: str) -> str:
    """Return ``text`` with ID, phone and bank-card numbers and introduced names masked.

    >>> mask_pii("我叫张三，电话１３８-１２３４-５６７８，身份证430281199001011234")
    '我叫[姓名]，电话[手机号]，身份证[身份证号]'
    """
    probe = _probe(text)
    spans: list[tuple[int, int, str]] = []
    for pattern, label in _rules():
        for match in pattern.finditer(probe):
            group = "pii" if "pii" in pattern.groupindex else 0
            start, end = match.span(group)
            if all(end <= s or e <= start for s, e, _ in spans):
                spans.append((start, end, label(match.group(group))))
    parts: list[str] = []
    position = 0
    for start, end, label_text in sorted(spans):
        parts += [text[position:start], label_text]
        position = end
    parts.append(text[position:])
    return "".join(parts)
