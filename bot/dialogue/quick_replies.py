"""At most four quick replies at once; the rest behind "更多".

Eight quick replies filled half of a 360 px phone screen. The widget shows the first four of a
turn's ``buttons`` and the rest behind its "更多" toggle (``bot/web/static/chat.js``); WeChat
numbers them all. So the server sends every button, in the order that puts the four to show
first (:func:`ordered_buttons`), with "不清楚" among them.

Why not a separate ``custom.more_buttons``: on Rasa's REST channel a message's buttons and its
JSON payload arrive as two messages, and the widget reads ``more_buttons`` from the message
that carries the buttons, so a payload after the question would replace the four with the
rest.

Pure: no Rasa import.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

MAX_QUICK_REPLIES = 4
DONT_KNOW_PAYLOAD = "/dont_know"
NONE_ANSWER = re.compile(r'":\s*"none"\}')
"""The payload of a "none of these" answer (不投靠亲属: join_relative none)."""
NONE_TITLES = frozenset({"都不是"})
"""The title of a "none of these" answer to a combined question."""


def split_buttons(
    buttons: Sequence[Mapping[str, Any]], limit: int = MAX_QUICK_REPLIES
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The buttons shown at once and those behind "更多", order kept.

    "不清楚" stays in sight: a question must always be skippable in one tap.
    """
    items = [dict(b) for b in buttons]
    if len(items) <= limit:
        return items, []
    # "不清楚" and a "none of these" answer (不投靠亲属, 都不是) stay in sight: most citizens
    # answer so, and a question must always be skippable in one tap.
    kept = [b for b in items if b.get("payload") == DONT_KNOW_PAYLOAD][:1]
    kept += [
        b
        for b in items
        if NONE_ANSWER.search(str(b.get("payload", ""))) or b.get("title") in NONE_TITLES
    ][:1]
    others = [b for b in items if b not in kept]
    keep = limit - len(kept)
    shown = others[:keep] + kept
    return sorted(shown, key=items.index), others[keep:]


def ordered_buttons(
    buttons: Sequence[Mapping[str, Any]], limit: int = MAX_QUICK_REPLIES
) -> list[dict[str, Any]]:
    """Every button, the ``limit`` to show at once first (:func:`split_buttons`)."""
    shown, more = split_buttons(buttons, limit)
    return shown + more
