"""Index terms for retrieval: jieba words (minus stopwords) plus character bigrams.

Shared by the policy search (BM25) and the FAQ matcher. Words find what people mean (宅基地,
居住证); bigrams catch what segmentation splits differently or what is typed with a slip.
``data/search/synonyms.yml`` maps citizens' words to the policy's words.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from bot.nlu.normalize import normalize
from bot.nlu.segmentation import segment
from bot.paths import DATA_DIR

_PUNCT = re.compile(r"[\s,.;:!?()，。；：！？、（）《》〈〉“”\"'|]+")
STOPWORDS = frozenset(
    [
        "的",
        "了",
        "和",
        "与",
        "及",
        "等",
        "在",
        "是",
        "我",
        "我们",
        "你",
        "吗",
        "呢",
        "啊",
        "吧",
        "怎么",
        "什么",
        "可以",
        "能",
        "要",
        "有",
        "没有",
        "请问",
    ]
)


SYNONYMS_FILE = DATA_DIR / "search" / "synonyms.yml"


def load_synonyms(path: Path = SYNONYMS_FILE) -> dict[str, list[str]]:
    """Citizens' words → the policy's words, from ``data/search/synonyms.yml``."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))["synonyms"]
    return {str(k): [str(v) for v in values] for k, values in data.items()}


def terms(text: str) -> list[str]:
    """Index terms of ``text``: jieba words (minus stopwords) plus character bigrams."""
    text = normalize(text)
    words = [w for w in segment(text) if not _PUNCT.fullmatch(w) and w not in STOPWORDS]
    chars = _PUNCT.sub("", text)
    bigrams = [chars[i : i + 2] for i in range(len(chars) - 1)]
    return words + [f"#{b}" for b in bigrams]


def expand(text: str, synonyms: dict[str, list[str]]) -> str:
    """``text`` normalized, followed by the policy's words for the citizen's words it contains."""
    normalized = normalize(text)
    extra = [w for key, words in synonyms.items() if key in normalized for w in words]
    return " ".join([normalized, *extra])
