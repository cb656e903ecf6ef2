"""When the model must be retrained (bot/stack/training.py)."""

from __future__ import annotations

import os
from pathlib import Path

from bot.stack.training import newest_mtime


def test_removing_a_training_file_counts_as_a_change(tmp_path: Path) -> None:
    data = tmp_path / "nlu"
    data.mkdir()
    kept, removed = data / "a.yml", data / "b.yml"
    for file in (kept, removed):
        file.write_text("nlu: []\n", encoding="utf-8")
    for entry in (kept, removed, data):
        os.utime(entry, (1_000, 1_000))
    model_time = 2_000.0
    assert newest_mtime([data]) < model_time
    removed.unlink()  # the folder's time moves on; the files left are as old as before
    assert newest_mtime([data]) > model_time
