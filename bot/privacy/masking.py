"""Mask personal information in a citizen's message before it is stored.

ID-card, mobile, landline and bank-card numbers, other long numbers and e-mail addresses are
replaced by a label whatever their formatting; a personal name is replaced when a cue
introduces it (我叫张三, 姓名：欧阳娜娜, 我儿子叫李明), but not a place of Liling after 我是
(我是王仙乡下的). Years, dates, clause numbers, document numbers and other short numbers are
kept. The data (numerals, separators, surnames, cues) is in ``pii.yml``, the places in the
gazetteer ``data/places/liling.yml``.

A number is found as a *run*: digits written in ASCII, full width or Chinese numerals
(一三八零零一三八零零零), with up to three separators between any two of them (spaces, line
breaks, dots, dashes, slashes: ``138.0013.8000``, ``110105/19491231/002X``,
``110105 19491231 002X``), optionally after ``+`` or an area code in brackets. The whole run is
then labelled by its digits (:func:`_number_label`), so a spaced ID card is masked whole rather
than half as a phone number, and a formatting nobody thought of is masked all the same. A run
of dates or years only (``2017.07.28-2022.07.28``, ``2015 2016 2017``) is kept.

Patterns run on copies of the text of the same length — half-width, traditional characters
simplified one by one, and for numbers Chinese numerals read as digits — and only the matched
spans of the original text are replaced, so the rest of the message is kept as typed. Names
are looked for on the copy without numerals read as digits, so 王一 stays a name.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
import zhconv

from bot.paths import DATA_DIR
from bot.policy.clock import today as liling_today

PII_FILE = Path(__file__).with_name("pii.yml")
PLACES_FILE = DATA_DIR / "places" / "liling.yml"

ID_CARD = "[身份证号]"
MOBILE = "[手机号]"
LANDLINE = "[电话]"
BANK_CARD = "[银行卡号]"
EMAIL = "[邮箱]"
NAME = "[姓名]"
NUMBER = "[号码]"
"""Any other run of 11 or more digits: too long to be a year, a date or a count."""

_HALF_WIDTH = {0xFF01 + i: 0x21 + i for i in range(94)} | {0x3000: 0x20}
"""Full-width ASCII (０-９, Ｘ, ＋, －, （）…) and the ideographic space, one for one."""

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_MOBILE = re.compile(r"(?:0086|86)?(1[3-9][0-9]{9})")
_LANDLINE = re.compile(r"0[0-9]{2,3}[0-9]{7,8}")


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(PII_FILE.read_text(encoding="utf-8"))
    return data


@lru_cache(maxsize=4096)
def _simplified(char: str) -> str:
    """The simplified form of one character, when it is one character (張 → 张)."""
    converted = zhconv.convert(char, "zh-hans")
    return converted if len(converted) == 1 else char


@lru_cache(maxsize=1)
def _numerals() -> dict[int, str]:
    """``str.translate`` table: each Chinese numeral of ``pii.yml`` to its ASCII digit."""
    numerals: dict[str, str] = _data()["numbers"]["numerals"]
    return {ord(char): digit for digit, chars in numerals.items() for char in chars}


def _probe(text: str) -> str:
    return "".join(_simplified(char) for char in text.translate(_HALF_WIDTH))


@lru_cache(maxsize=1)
def _run_pattern() -> re.Pattern[str]:
    """Digits with up to three separators between any two; ``+`` or ``(0731)`` before."""
    separators = "".join(_data()["numbers"]["separators"])
    sep = f"[{re.escape(separators)}]{{1,3}}"
    return re.compile(
        r"(?<![0-9+])"
        r"(?:\+|\(0[0-9]{2,3}\)[ ]?)?"
        rf"[0-9](?:(?:{sep})?[0-9])*"
        rf"(?:(?:{sep})?[Xx](?![A-Za-z]))?"
        r"(?![0-9])"
    )


def _born(digits: str) -> bool:
    """``digits`` (YYYYMMDD) is a birth date between 1900 and today."""
    try:
        born = dt.date(int(digits[0:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return False
    # Liling's day: an ID number of someone born today there is masked on a UTC host too.
    return born.year >= 1900 and born <= liling_today()


def _is_date(digits: str) -> bool:
    """``digits`` (YYYYMMDD) is a date between 1900 and 2100."""
    try:
        day = dt.date(int(digits[0:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return False
    return len(digits) == 8 and 1900 <= day.year <= 2100


def _only_dates(run: str) -> bool:
    """The run is dates or years only (``2017.07.28-2022.07.28``, ``2015 2016 2017``)."""
    groups = re.findall(r"[0-9]+", run)
    if all(len(group) == 8 for group in groups):
        return all(_is_date(group) for group in groups)
    if all(len(group) == 4 for group in groups):
        return all(_is_date(f"{group}0101") for group in groups)
    if len(groups) % 3:
        return False
    return all(
        len(year) == 4
        and len(month) <= 2
        and len(day) <= 2
        and _is_date(f"{year}{month:0>2}{day:0>2}")
        for year, month, day in zip(groups[::3], groups[1::3], groups[2::3], strict=True)
    )


def _number_label(run: str) -> str | None:
    """What a run of digits is, by its digits alone; ``None``: an ordinary number, kept.

    An 18-character number is an ID card when it ends in X or holds a birth date (else a bank
    card); 15 digits an old ID card; 11 digits from 13… to 19… (after 86 or 0086) a mobile;
    16–19 a bank card; 0 + area code + 7–8 digits a landline; any other 11 or more a number.
    """
    digits = re.sub(r"[^0-9Xx]", "", run)
    if digits[-1] in "Xx" and len(digits) != 18:
        digits = digits[:-1]  # an X is only ever an ID card's check character
    if len(digits) >= 11 and _only_dates(run):
        return None
    if len(digits) == 18:
        return ID_CARD if digits[-1] in "Xx" or _born(digits[6:14]) else BANK_CARD
    if _MOBILE.fullmatch(digits):
        return MOBILE
    if len(digits) == 15:
        return ID_CARD
    if 16 <= len(digits) <= 19:
        return BANK_CARD
    if _LANDLINE.fullmatch(digits):
        return LANDLINE
    return NUMBER if len(digits) >= 11 else None


def _place_names() -> list[str]:
    """Liling's townships, communities and villages, with short and former names.

    From the gazetteer the assistant reads places with (``data/places/liling.yml``); none
    when a checkout has no such file.
    """
    if not PLACES_FILE.exists():
        return []
    data = yaml.safe_load(PLACES_FILE.read_text(encoding="utf-8")) or {}
    names: list[object] = []
    for township in data.get("townships") or []:
        for unit in [township, *(township.get("units") or [])]:
            names += [unit.get("name"), *(unit.get("short") or [])]
        for former in township.get("former") or []:
            names.append(former.get("name") if isinstance(former, dict) else former)
    return [str(name) for name in names if name]


def _name_pattern(cues: Iterable[str], kept: Iterable[str]) -> re.Pattern[str]:
    """Cue, optional 是/colon/space, then a surname and one or two more name characters.

    Args:
        cues: The words that introduce the name.
        kept: Words that start with a surname but are no name after these cues.
    """
    data = _data()

    def either(words: Iterable[str]) -> str:
        return "|".join(re.escape(word) for word in sorted(set(words), key=len, reverse=True))

    def chars(text: str) -> str:
        return "".join(sorted(set(text) - set(" \n")))

    surnames = data["surnames"]
    name_char = f"(?![{chars(data['not_in_name'])}])[\u4e00-\u9fff]"
    return re.compile(
        f"(?:{either(cues)})是?[:：\\s]*"
        f"(?P<pii>(?!{either(kept)})"
        f"(?:{either(surnames['double'])}|[{chars(surnames['single'])}])"
        f"{name_char}{{1,2}})"
    )


_Label = Callable[[str], str | None]


@lru_cache(maxsize=1)
def _rules() -> tuple[tuple[re.Pattern[str], _Label, bool], ...]:
    """The patterns in priority order: how a match is labelled, and whether numerals count.

    E-mail first (its digits are part of the address), then numbers (before names, so the
    numerals of 王一三八… belong to the number), then names: after 我叫 and the like, and
    after 我是 or 本人 unless a place of Liling follows.
    """
    data = _data()
    return (
        (_EMAIL, lambda _: EMAIL, False),
        (_run_pattern(), _number_label, True),
        (_name_pattern(data["cues"], data["not_names"]), lambda _: NAME, False),
        (
            _name_pattern(data["place_cues"], [*data["not_names"], *_place_names()]),
            lambda _: NAME,
            False,
        ),
    )


def find_pii(text: str) -> list[tuple[int, int, str]]:
    """The spans of ``text`` that :func:`mask_pii` replaces: ``(start, end, label)``, in order.

    >>> find_pii("电话138.0013.8000")
    [(2, 15, '[手机号]')]
    """
    probe = _probe(text)
    numbers_probe = probe.translate(_numerals())
    spans: list[tuple[int, int, str]] = []
    for pattern, label, numerals in _rules():
        for match in pattern.finditer(numbers_probe if numerals else probe):
            group = "pii" if "pii" in pattern.groupindex else 0
            start, end = match.span(group)
            label_text = label(match.group(group))
            if label_text and all(end <= s or e <= start for s, e, _ in spans):
                spans.append((start, end, label_text))
    return sorted(spans)


def canonical_pii(found: str) -> str:
    """One spelling of a personal number or address found by :func:`find_pii`.

    The digits of a number (full-width and Chinese numerals read as digits, separators
    dropped, a check letter upper-cased), or an e-mail address in lower case: the same
    number written two ways has one canonical form (the test run's log scan compares them).

    >>> canonical_pii("一三八 0013.8000") == canonical_pii("13800138000")
    True
    """
    probe = _probe(found)
    if "@" in probe:
        return probe.strip().lower()
    return re.sub(r"[^0-9X]", "", probe.translate(_numerals()).upper())


def mask_pii(text: str) -> str:
    """Return ``text`` with personal numbers, e-mail addresses and introduced names masked.

    >>> mask_pii("我叫张三，电话１３８.００１３.８０００，身份证110105 19491231 002X")
    '我叫[姓名]，电话[手机号]，身份证[身份证号]'
    """
    parts: list[str] = []
    position = 0
    for start, end, label_text in find_pii(text):
        parts += [text[position:start], label_text]
        position = end
    parts.append(text[position:])
    return "".join(parts)
