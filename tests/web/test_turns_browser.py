"""The chat's turns as the server now sends them, drawn by the widget (issue 14, server side).

A wife joining her husband in town: the first turn shows the card, then the question as the
last bubble with at most four quick replies; the answer to it says what changed, with the
short expiry tag. The gateway runs alone; its /api/chat is answered in the browser with what
the custom actions themselves send for each turn (run here, as Rasa runs them), in the REST
channel's shape. Screenshots at 360 px and 1280 px go to artifacts/screenshots/.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Route, expect

from actions import actions
from tests.support.browser import SHOTS, Gateway
from tests.support.trackers import run, tracker

SPOUSE = {
    "goal": "settle_urban",
    "join_relative": "spouse",
    "marital_status": "married",
    "spouse_hukou_area": "liling_urban",
}


def _rest(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The dispatcher's messages as the REST channel sends them."""
    return [
        {"text": m.get("text"), "buttons": m.get("buttons") or [], "custom": m.get("custom")}
        for m in messages
    ]


def _turns() -> list[list[dict[str, Any]]]:
    """The two turns, each built by the actions from the conversation so far."""
    _, asked = run(actions.ASK_ACTIONS["lives_with_relative"](), tracker(SPOUSE))
    shown = [
        {"event": "bot", "text": m.get("text"), "data": {"custom": m.get("custom")}} for m in asked
    ]
    together = {**SPOUSE, "lives_with_relative": "true"}
    _, answered = run(actions.ActionAssess(), tracker(together, events=shown))
    return [_rest(asked), _rest(answered)]


TURNS = _turns()
"""Built at import: the actions run under asyncio, which Playwright's sync API occupies later."""


GOAL_TURN = _rest(run(actions.ASK_ACTIONS["goal"](), tracker({}))[1])
"""The assistant asking what the citizen wants to do: eight choices."""


def _serve(page: Page, turns: list[list[dict[str, Any]]]) -> None:
    pending = list(turns)

    def chat(route: Route) -> None:
        asked = json.loads(route.request.post_data or "{}").get("message")
        messages = [] if asked == "/greet" or not pending else pending.pop(0)
        route.fulfill(json={"messages": messages})

    page.route("**/api/chat", chat)


@pytest.mark.parametrize("width", [360, 1280])
def test_the_question_is_the_last_bubble_and_a_change_is_said(
    browser: Browser, gateway: Gateway, width: int
) -> None:
    page = browser.new_page(viewport={"width": width, "height": 900})
    _serve(page, TURNS)
    page.goto(gateway.url + "/")
    page.fill("#input", "我想把户口迁到我老公那里，他是醴陵城里户口")
    page.keyboard.press("Enter")
    question = "您和要投靠的亲属是否共同居住生活？"
    expect(page.locator("#log .bubble").last).to_contain_text(question)
    # The card came first: it stands before the question in the log.
    last_child = page.locator("#log > *").last
    expect(last_child).to_contain_text(question)
    expect(page.locator("#log .card")).to_have_count(1)
    expect(page.locator("#replies button")).to_have_count(3)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"turns-question-last-{width}.png"), full_page=True)

    page.locator("#replies button", has_text="是").first.click()
    expect(page.locator("#log .bubble").last).to_contain_text("根据您补充的情况，改为")
    expect(page.locator("#log .card")).to_have_count(2)
    expect(page.locator("#log .bubble").last).to_contain_text("已于2022年7月28日失效")
    assert page.locator("#replies button").count() <= 4
    page.screenshot(path=str(SHOTS / f"turns-changed-answer-{width}.png"), full_page=True)
    page.close()


@pytest.mark.parametrize("width", [360, 1280])
def test_eight_choices_show_four_and_more(browser: Browser, gateway: Gateway, width: int) -> None:
    page = browser.new_page(viewport={"width": width, "height": 900})
    _serve(page, [GOAL_TURN])
    page.goto(gateway.url + "/")
    page.fill("#input", "你好，我想问问户口的事")
    page.keyboard.press("Enter")
    expect(page.locator("#log .bubble").last).to_contain_text("您想办理哪一类事情？")
    replies = page.locator("#replies button")
    expect(replies).to_have_count(5)  # four choices and 更多
    expect(replies.nth(3)).to_have_text("不清楚")
    expect(replies.nth(4)).to_contain_text("更多")
    page.screenshot(path=str(SHOTS / f"turns-four-and-more-{width}.png"))
    replies.nth(4).click()
    expect(page.locator("#replies button")).to_have_count(8)
    expect(page.locator("#replies button", has_text="办理居住证")).to_be_visible()
    page.close()
