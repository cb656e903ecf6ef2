"""The route a citizen asked about, shown because it does not apply (issue 13's near misses).

Widget at 360 px and hotline page at 1280 px, headless Chromium; the gateway runs alone and
the widget's /api/chat is answered in the browser with the assistant's messages for the
situation (tests/support/browser.answer_chat). Screenshots go to artifacts/screenshots/.
"""

from __future__ import annotations

import json

from playwright.sync_api import Browser, expect

from bot.dialogue.answers import one_bubble
from bot.policy import Situation, assess, load_knowledge
from bot.policy.present import payload, render_text
from tests.support.browser import SHOTS, Gateway, answer_chat

# 能投靠他把户口迁到城里吗…我们没住在一起
APART = {
    "goal": "settle_urban",
    "join_relative": "spouse",
    "marital_status": "married",
    "spouse_hukou_area": "liling_urban",
    "lives_with_relative": False,
}


def test_the_widget_says_the_route_asked_about_does_not_apply(
    browser: Browser, gateway: Gateway
) -> None:
    kb = load_knowledge()
    result = assess(Situation.from_mapping(APART), kb)
    page = browser.new_page(viewport={"width": 360, "height": 900})
    answer_chat(page, one_bubble(render_text(result, kb)), payload(result, kb))
    page.goto(gateway.url + "/")
    page.fill("#input", "我跟老公没住在一起，能投靠他把户口迁到城里吗")
    page.keyboard.press("Enter")
    heading = page.locator("#log .card h2", has_text="三(一)1")
    expect(heading).to_contain_text("按您说的情况不适用")
    expect(page.locator("#log .card .why").first).to_contain_text("不适用的原因")
    # The overview that follows is not marked.
    expect(page.locator("#log .card h2", has_text="三(一)").nth(1)).not_to_contain_text("不适用")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "near-miss-widget-360.png"), full_page=True)
    page.close()


def test_the_hotline_page_marks_the_route_that_does_not_apply(
    browser: Browser, gateway: Gateway
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(gateway.url + "/staff")
    for fact, value in APART.items():
        page.select_option(f"#fact-{fact}", json.dumps(value))
    box = page.locator("#result .clause.ruled-out")
    expect(box).to_have_count(1)
    expect(box).to_contain_text("三(一)1")
    expect(box).to_contain_text("不适用的原因")
    page.screenshot(path=str(SHOTS / "near-miss-staff-1280.png"), full_page=True)
    page.close()
