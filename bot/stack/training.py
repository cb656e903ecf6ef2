"""Training the Rasa model: what it is trained from, when it is stale, the command.

``make train``, ``hukou serve``, the test session and the benchmarks all decide "train or
not" with :func:`model_is_stale`, so a change to any training input retrains everywhere.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path

from bot.paths import BOT_DIR, DATA_DIR, MODEL

TRAINING_INPUTS = (
    BOT_DIR / "config.yml",
    BOT_DIR / "domain",
    DATA_DIR / "nlu",
    DATA_DIR / "rules",
    DATA_DIR / "jieba",
    DATA_DIR / "facts" / "dialect.yml",  # the normaliser's Cantonese words
)
"""Every file the model is trained from; a newer one makes the model stale."""


def newest_mtime(paths: Iterable[Path]) -> float:
    """The latest modification time of any file in ``paths`` (folders are searched).

    A folder's own time counts too: removing a training file changes only its folder.
    """
    newest = 0.0
    for path in paths:
        entries = [path, *path.rglob("*")] if path.is_dir() else [path]
        for entry in entries:
            if entry.exists():
                newest = max(newest, entry.stat().st_mtime)
    return newest


def model_is_stale(model: Path = MODEL) -> bool:
    """Whether the model is missing or older than its training data and configuration."""
    return not model.exists() or model.stat().st_mtime < newest_mtime(TRAINING_INPUTS)


def rasa_executable() -> str:
    """The ``rasa`` command of this environment."""
    return str(Path(sys.executable).with_name("rasa"))


def train_command(model: Path = MODEL) -> list[str]:
    """The ``rasa train`` command for this project."""
    return [
        rasa_executable(), "train",
        "--config", str(BOT_DIR / "config.yml"),
        "--domain", str(BOT_DIR / "domain"),
        "--data", str(DATA_DIR / "nlu"), str(DATA_DIR / "rules"),
        "--out", str(model.parent),
        "--fixed-model-name", model.name.removesuffix(".tar.gz"),
    ]  # fmt: skip
