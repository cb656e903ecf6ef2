"""At most four quick replies at once; the rest behind "更多".

Eight quick replies filled half of a 360 px phone screen. The chat draws the ``buttons`` of a
turn's messages; the extra ones travel as ``more_buttons`` in the JSON payload that is the
turn's last message, and the widget shows them behind a "更多" toggle.

Pure: no Rasa import.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

MAX_QUICK_REPLIES = 4
DONT_KNOW_PAYLOAD = "/dont_know"
MORE_KEY = "more_buttons"
"""The payload key the widget reads the hidden quick replies from."""


def split_buttons(
    buttons: Sequence[Mapping[str, Any]], limit: int = MAX_QUICK_REPLIES
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The buttons shown at once and those behind "更多", order kept.

    "不清楚" stays in sight: a question must always be skippable in one tap.
    """
    items = [dict(b) for b in buttons]
    if len(items) <= limit:
        return items, []
    dont_know = [b for b in items if b.get("payload") == DONT_KNOW_PAYLOAD][:1]
    others = [b for b in items if b not in dont_know]
    keep = limit - len(dont_know)
    return others[:keep] + dont_know, others[keep:]
