"""jieba with the project's user dictionary of policy terms.

jieba keeps one process-wide default tokenizer; Rasa's ``JiebaTokenizer`` and spaCy's ``zh``
tokenizer (``segmenter: jieba``) both use it. :func:`load_user_dictionary` adds our terms to
it once, so every part of the pipeline segments the same way.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import jieba

from bot.paths import DATA_DIR

USER_DICTIONARY_DIR = DATA_DIR / "jieba"
"""``data/jieba/``: the folder Rasa's JiebaTokenizer loads (``dictionary_path``)."""

_lock = threading.Lock()
_loaded: set[Path] = set()

jieba.setLogLevel(logging.WARNING)


def load_user_dictionary(directory: Path = USER_DICTIONARY_DIR) -> None:
    """Load every dictionary file in ``directory`` into jieba, once per process."""
    with _lock:
        for path in sorted(directory.glob("*.txt")):
            if path not in _loaded:
                jieba.load_userdict(str(path))
                _loaded.add(path)


def segment(text: str) -> list[str]:
    """Segment ``text`` with jieba and the user dictionary (the pipeline's segmentation)."""
    load_user_dictionary()
    return [word for word in jieba.cut(text) if word.strip()]
