"""A Rasa turn's messages as WeChat text, and a numbered reply back to a button's payload.

WeChat shows plain text with line breaks; buttons do not exist for a passive reply (and
``msgmenu`` needs a certified account and spends 客服 quota, protocol note §5), so a turn's
quick replies become numbered options ("回复 1：…") and the number the citizen sends next is
read back as that button's payload: the same intent the web widget's button would send.

The widget's cards (the ``custom`` payloads) repeat what the text already says, so they are
left out here.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

MAX_TEXT_BYTES = 2000
"""One text message's limit in UTF-8 bytes: WeChat's ≈ 2048 less a margin (§1.6)."""

_CHOICE = re.compile(r"(?:回复)?\s*(\d{1,2})\s*[。.]?")
_ANCHOR = re.compile(r"<a\b[^>]*>(.*?)</a\s*>", re.IGNORECASE | re.DOTALL)
_ANCHOR_TAG = re.compile(r"</?a\b[^<>]*>", re.IGNORECASE)
_HREF = re.compile(r"""\bhref\s*=\s*["']?([^"'\s>]+)""", re.IGNORECASE)


@dataclass(frozen=True)
class Option:
    """A quick reply: what the citizen reads and what it sends to Rasa."""

    title: str
    payload: str


@dataclass(frozen=True)
class Rendered:
    """A turn ready for WeChat: its text messages and the options they offer."""

    texts: list[str]
    options: list[Option]

    def to_json(self) -> dict[str, Any]:
        """A JSON-able form, for the store."""
        return {"texts": self.texts, "options": [[o.title, o.payload] for o in self.options]}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Rendered:
        """The inverse of :meth:`to_json`."""
        return cls(
            [str(t) for t in data.get("texts", [])],
            [Option(str(t), str(p)) for t, p in data.get("options", [])],
        )


def split_text(text: str, limit: int = MAX_TEXT_BYTES) -> list[str]:
    """``text`` in pieces of at most ``limit`` UTF-8 bytes, cut between characters.

    A piece ends at the last line break that fits when there is one in its second half, so
    paragraphs stay whole where they can; otherwise at the last character that fits.
    """
    pieces: list[str] = []
    rest = text.strip()
    while rest:
        if len(rest.encode()) <= limit:
            pieces.append(rest)
            break
        # The longest prefix within the limit (characters are 1–4 bytes).
        end = len(rest.encode()[:limit].decode("utf-8", errors="ignore"))
        cut = rest.rfind("\n", 0, end)
        if cut <= end // 2:
            cut = end
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip("\n")
    return [piece for piece in pieces if piece]


def own_links(text: str, hosts: Collection[str]) -> str:
    """``text`` with links only to ``hosts``: any other ``<a>`` becomes its plain words.

    WeChat shows ``<a href>`` in a text message as a link, where the web widget shows the same
    answer as plain text; an answer (an FAQ entry a member of staff wrote, say) must not turn
    into a link to another site there.
    """
    kept: list[str] = []

    def keep(match: re.Match[str]) -> str:
        words = _ANCHOR_TAG.sub("", match.group(1))
        href = _HREF.search(match.group(0))
        url = urlsplit(href.group(1)) if href else None
        if url is None or url.scheme not in ("http", "https") or url.hostname not in hosts:
            return words
        kept.append(f'<a href="{url.geturl()}">{words}</a>')
        return f"\x00{len(kept) - 1}\x00"

    text = _ANCHOR_TAG.sub("", _ANCHOR.sub(keep, text.replace("\x00", "")))
    return re.sub(r"\x00(\d+)\x00", lambda m: kept[int(m.group(1))], text)


def render(
    messages: Iterable[Mapping[str, Any]],
    limit: int = MAX_TEXT_BYTES,
    link_hosts: Collection[str] = (),
) -> Rendered:
    """A turn's Rasa messages merged into as few texts as fit, its buttons as numbered options.

    Args:
        messages: Rasa REST-channel messages (``text``, ``buttons``, ``custom`` …).
        limit: The most UTF-8 bytes per text.
        link_hosts: The hosts an answer may link to (:func:`own_links`); none: no links.
    """
    paragraphs: list[str] = []
    options: list[Option] = []
    for message in messages:
        text = own_links(str(message.get("text") or ""), link_hosts).strip()
        if text:
            paragraphs.append(text)
        # The quick replies past four ride on the turn's payload (``more_buttons``, the
        # widget's "更多"); WeChat's numbered list has room for them all.
        custom = message.get("custom")
        more = custom.get("more_buttons") if isinstance(custom, dict) else None
        for button in [*(message.get("buttons") or []), *(more if isinstance(more, list) else [])]:
            if not isinstance(button, dict):
                continue
            title = str(button.get("title") or "").strip()
            payload = str(button.get("payload") or "").strip()
            if title and payload:
                options.append(Option(title, payload))
    if options:
        paragraphs.append(numbered(options))
    return Rendered(split_text("\n\n".join(paragraphs), limit), options)


def numbered(options: Sequence[Option]) -> str:
    """The options as lines the citizen answers by number: ``回复 1：…``."""
    return "\n".join(f"回复 {n}：{o.title}" for n, o in enumerate(options, 1))


def msgmenu(text: str, options: Sequence[Option]) -> dict[str, Any] | None:
    """The 客服菜单 (``msgmenu``) for a last ``text`` that ends with the numbered ``options``.

    The text above the options is the menu's head; each button's ``id`` is its number, so the
    ``bizmsgmenuid`` of a click, or the title it sends back as text, chooses it
    (:func:`chosen`). ``None`` when the text does not end with them (they were split off).
    """
    block = numbered(options)
    if not options or not text.endswith(block):
        return None
    return {
        "head_content": text[: -len(block)].rstrip(),
        "list": [{"id": str(n), "content": o.title} for n, o in enumerate(options, 1)],
        "tail_content": "",
    }


def chosen(text: str, options: Sequence[Option], menu_id: str = "") -> str | None:
    """The payload the citizen chose from the last turn's ``options``, if they chose one.

    ``1``, ``１``, ``回复1`` and an option's own title choose; so does a 客服菜单 click's
    ``bizmsgmenuid`` when it is an option's number. Anything else is a new message.
    """
    if not options:
        return None
    if menu_id.isdigit() and 1 <= int(menu_id) <= len(options):
        return options[int(menu_id) - 1].payload
    typed = unicodedata.normalize("NFKC", text).strip()
    match = _CHOICE.fullmatch(typed)
    if match and 1 <= int(match.group(1)) <= len(options):
        return options[int(match.group(1)) - 1].payload
    for option in options:
        if typed == unicodedata.normalize("NFKC", option.title):
            return option.payload
    return None
