"""The FAQ desk's pages in a browser: a running gateway, a member of staff's profile, signing in.

Screenshots go to :data:`SHOTS` (artifacts/screenshots/), for people to look at.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from playwright.sync_api import Browser, BrowserContext, Page, Route, expect

from bot.faq.store import FaqStore
from bot.paths import ROOT
from tests.support.faq import PASSWORD

SHOTS = ROOT / "artifacts" / "screenshots"
"""Screenshots for people to look at."""


@dataclass
class Gateway:
    """The running gateway and its database."""

    url: str
    store: FaqStore
    database: str = ""
    """The desk's database URL (the turn-log tests write turns into it)."""


def staff_context(browser: Browser, width: int) -> BrowserContext:
    """A separate browser profile (own cookies), as another member of staff would have."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.set_default_timeout(30_000)
    return context


def sign_in(context: BrowserContext, gateway: Gateway, username: str) -> Page:
    """Sign ``username`` (password :data:`~tests.support.faq.PASSWORD`) in at /admin."""
    page = context.new_page()
    page.goto(gateway.url + "/admin")
    expect(page.locator("#login")).to_be_visible()
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#login-button")
    expect(page.locator("#who-name")).to_contain_text(username)
    expect(page.locator("#login")).to_be_hidden()
    return page


def write_entry(page: Page, question: str, answer: str, paraphrases: str = "") -> None:
    """Start a new entry in the open editor and type its question, paraphrases and answer."""
    page.click("#new-entry")
    page.fill("#e-question", question)
    page.fill("#e-paraphrases", paraphrases)
    page.fill("#e-answer", answer)


def answer_chat(page: Page, text: str, data: dict[str, Any]) -> None:
    """Answer the widget's /api/chat in the browser as the assistant would for one turn.

    The reply is the text, then the payload as a custom message; the greeting gets none.
    """

    def chat(route: Route) -> None:
        asked = json.loads(route.request.post_data or "{}").get("message")
        messages = (
            []
            if asked == "/greet"
            else [
                {"text": text, "buttons": [], "custom": None},
                {"text": None, "buttons": [], "custom": data},
            ]
        )
        route.fulfill(json={"messages": messages})

    page.route("**/api/chat", chat)


def shot(page: Page, name: str, full: bool = False) -> None:
    """Save a screenshot of ``page`` as :data:`SHOTS` / ``name`` (``full``: the whole page)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name), full_page=full)
