"""Normalise citizens' text before segmentation.

Citizens type traditional characters, full-width letters and digits, emoji, Cantonese and
sometimes paste HTML. All of it is folded to one simplified, half-width Mandarin form so that
one set of rules and one trained model see the same text (the Cantonese words are listed in
``data/facts/dialect.yml``).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from itertools import groupby

import yaml
import zhconv

from bot.paths import DATA_DIR

DIALECT_FILE = DATA_DIR / "facts" / "dialect.yml"

_TAG = re.compile(r"<[^>]{0,200}>")
# Script and style elements hold code: "<script>alert(1)</script>我想落户" was read as
# "alert(1) 我想落户" and declined. Their contents go with them unless they hold Chinese
# (a citizen's words pasted inside tags, which search must still find: <script>居住证</script>).
_CODE = re.compile(r"<(script|style)\b[^>]{0,200}>(.{0,2000}?)</\1\s*>", re.IGNORECASE | re.DOTALL)
_HAN = re.compile(r"[\u3400-\u9fff]")
_SPACE = re.compile(r"\s+")


def _without_code(match: re.Match[str]) -> str:
    """A script or style element: its Chinese words kept, code dropped."""
    inner = match.group(2)
    return f" {inner} " if _HAN.search(inner) else " "


def _is_symbol(char: str) -> bool:
    """Emoji, pictographs, variation selectors and other non-text symbols."""
    category = unicodedata.category(char)
    return category in ("So", "Sk", "Cs", "Co", "Cn") or "\ufe00" <= char <= "\ufe0f"


@lru_cache(maxsize=1)
def _dialect() -> re.Pattern[str] | None:
    words: dict[str, str] = yaml.safe_load(DIALECT_FILE.read_text(encoding="utf-8"))["replacements"]
    _DIALECT.update(words)
    if not words:
        return None
    return re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))


_DIALECT: dict[str, str] = {}


def normalize(text: str) -> str:
    """Return ``text`` in simplified Chinese, half-width, without tags, emoji or extra space.

    >>> normalize("我想把戶口遷到醴陵城裡！！😀")
    '我想把户口迁到醴陵城里!!'
    """
    text = unicodedata.normalize("NFKC", text)
    text = _TAG.sub(" ", _CODE.sub(_without_code, text))
    text = "".join(" " if _is_symbol(char) else char for char in text)
    text = zhconv.convert(text, "zh-hans")
    dialect = _dialect()
    if dialect is not None:
        text = dialect.sub(lambda match: _DIALECT[match.group(0)], text)
    return _SPACE.sub(" ", text).strip()


def is_noise(text: str) -> bool:
    """Whether ``text`` is one character (or a handful) repeated, e.g. “户户户户户户…”.

    Such a message says nothing, however the classifier scores it: it is treated as not
    understood. Spaces and punctuation are ignored; short answers (“是是是”) are not noise.
    """
    chars = [char for char in normalize(text) if char.isalnum()]
    distinct = len(set(chars))
    # A few characters each typed over and over (户户户口口口落落): keys held down, no words.
    runs = [len(list(group)) for _, group in groupby(chars)]
    stutter = (
        len(chars) >= 6
        and len(runs) <= 4
        and all(run >= 2 for run in runs)
        and sum(run >= 3 for run in runs) >= 2  # 嗯嗯好好谢谢 is a reply, not keys held down
    )
    return (
        (len(chars) >= 5 and distinct == 1)
        or (len(chars) >= 20 and distinct * 10 <= len(chars))
        or stutter
    )
