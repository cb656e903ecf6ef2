"""The widget and the staff page in headless Chromium (Debian's, driven by Playwright).

Screenshots at 360 px and 1280 px are saved under artifacts/screenshots/ for people to look at.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), "install Debian's chromium (.ci/run does)"
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield instance
        instance.close()


def _page(browser: Browser, width: int) -> Page:
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.set_default_timeout(30_000)
    return page


@pytest.mark.parametrize("width", [360, 1280])
def test_widget_answers_with_a_clause_card(browser: Browser, gateway_url: str, width: int) -> None:
    page = _page(browser, width)
    page.goto(gateway_url + "/")
    expect(page.locator(".row.bot .bubble").first).to_contain_text("醴陵户籍政策助手")
    page.fill("#input", "我在醴陵城里租了房子想把户口迁过来")
    page.keyboard.press("Enter")
    card = page.locator(".card").last
    expect(card).to_contain_text("三(一)5")
    expect(card).to_contain_text("房屋租赁合同")
    first_box = card.locator("input[type=checkbox]").first
    first_box.check()
    expect(first_box).to_be_checked()
    card.locator("summary", has_text="政策原文").click()
    expect(card.locator("blockquote").first).to_contain_text("合法稳定住所(含租赁)")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"widget-{width}.png"), full_page=True)
    # The conversation survives a reload.
    page.reload()
    expect(page.locator(".card").last).to_contain_text("三(一)5")
    page.close()


def test_widget_quick_replies_and_restart(browser: Browser, gateway_url: str) -> None:
    page = _page(browser, 360)
    page.goto(gateway_url + "/")
    page.fill("#input", "我想把户口迁到醴陵城里")
    page.click("#send")
    page.locator(".replies button", has_text="不投靠亲属").click()
    expect(page.locator(".row.me .bubble").last).to_have_text("不投靠亲属")
    expect(page.locator(".row.bot .bubble").last).to_contain_text("毕业生")
    page.screenshot(path=str(SHOTS / "widget-360-question.png"))
    page.click("#restart")
    expect(page.locator(".row.me")).to_have_count(0)
    page.click("#font")
    expect(page.locator("#font")).to_have_attribute("aria-pressed", "true")
    page.close()


def test_widget_shows_user_text_as_text(browser: Browser, gateway_url: str) -> None:
    page = _page(browser, 360)
    page.goto(gateway_url + "/")
    page.fill("#input", "<img src=x onerror=alert(1)>你好")
    page.keyboard.press("Enter")
    mine = page.locator(".row.me .bubble").last
    expect(mine).to_have_text("<img src=x onerror=alert(1)>你好")
    assert page.locator(".log img").count() == 0
    page.close()


@pytest.mark.parametrize("width", [360, 1280])
def test_staff_page_lookup_and_search(browser: Browser, gateway_url: str, width: int) -> None:
    page = _page(browser, width)
    page.goto(gateway_url + "/staff")
    page.fill("#text", "来电人在城里租了房子，在厂里上班没交社保，想把户口迁过来")
    result = page.locator("#result")
    expect(result.locator(".clause h3").first).to_contain_text("三(一)5")
    expect(result).to_contain_text("市公安局")
    expect(page.locator("#understood")).to_contain_text("在醴陵城镇地区的住所：租房（合法租赁）")
    expect(page.locator("#copy")).to_be_enabled()
    page.select_option("#fact-housing", label="没有住所")
    expect(result.locator(".clause.ruled").first).to_contain_text("三(一)5")
    page.fill("#q", "宅基地")
    expect(page.locator("#hits li").first).to_contain_text("五(一)")
    page.screenshot(path=str(SHOTS / f"staff-{width}.png"), full_page=True)
    page.close()
