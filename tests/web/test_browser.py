"""The widget and the staff page in headless Chromium (Debian's, driven by Playwright).

Screenshots at 360 px and 1280 px are saved under artifacts/screenshots/ for people to look at.
"""

from __future__ import annotations

import http.server
import threading

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.support.browser import SHOTS


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
    card.locator("summary", has_text="要带的材料").click()
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
    expect(page.locator(".row.me .bubble").last).to_have_text("您说：不投靠亲属")
    # The route most citizens meet comes next (bot/dialogue/asking.yml): housing.
    expect(page.locator(".row.bot .bubble").last).to_contain_text("有住房吗")
    page.screenshot(path=str(SHOTS / "widget-360-question.png"))
    page.click("#restart")
    page.click("#restart-yes")
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
    expect(mine).to_have_text("您说：<img src=x onerror=alert(1)>你好")
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
    # What the words said sits in its select, marked as understood (issue 15).
    expect(page.locator("#fact-housing")).to_have_value('"rented"')
    expect(page.locator("#src-housing")).to_have_text("据描述")
    expect(page.locator("#copy")).to_be_enabled()
    page.select_option("#fact-housing", label="没有住所")
    expect(result.locator(".clause.ruled").first).to_contain_text("三(一)5")
    page.fill("#q", "宅基地")
    expect(page.locator("#hits li").first).to_contain_text("五(一)")
    page.screenshot(path=str(SHOTS / f"staff-{width}.png"), full_page=True)
    page.close()


def test_widget_by_keyboard_alone(browser: Browser, gateway_url: str) -> None:
    """Skip link → input → Enter sends; quick replies and the card are reachable with Tab."""
    page = _page(browser, 360)
    page.goto(gateway_url + "/")
    expect(page.locator(".row.bot .bubble").first).to_contain_text("助手说：")
    # After the greeting the input has the focus, ready for typing.
    expect(page.locator("#input")).to_be_focused()
    # The skip link comes first in the tab order, before the top bar's buttons.
    page.focus("#restart")
    page.keyboard.press("Shift+Tab")
    expect(page.locator(".skip")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#input")).to_be_focused()
    page.keyboard.type("我想把户口迁到醴陵城里")
    page.keyboard.press("Enter")
    expect(page.locator(".replies button").first).to_be_visible()
    expect(page.locator("#input")).to_be_focused()
    expect(page.locator("#status")).to_have_text("")
    # Shift+Tab from the input walks back into the quick replies; Enter picks one.
    page.keyboard.press("Shift+Tab")
    focused = page.evaluate("document.activeElement.parentElement.id")
    assert focused == "replies"
    chosen = page.evaluate("document.activeElement.textContent")
    if chosen.startswith("更多"):
        # Past four replies the last is 更多: Enter shows the rest and focuses the first of them.
        page.keyboard.press("Enter")
        chosen = page.evaluate("document.activeElement.textContent")
        assert not chosen.startswith("更多")
    page.keyboard.press("Enter")
    expect(page.locator(".row.me .bubble").last).to_have_text("您说：" + chosen)
    for selector in ("#restart", "#font", "#log", "#send"):
        assert page.locator(selector).evaluate("e => e.tabIndex") >= 0, selector
    page.close()


def test_widget_keeps_the_message_when_the_service_is_down(
    browser: Browser, gateway_url: str
) -> None:
    page = _page(browser, 360)
    page.goto(gateway_url + "/")
    expect(page.locator(".row.bot .bubble").first).to_contain_text("醴陵户籍政策助手")
    page.route("**/api/chat", lambda route: route.abort())
    page.fill("#input", "退伍了想把户口迁回村里")
    page.keyboard.press("Enter")
    error = page.locator(".bubble.error").last
    expect(error).to_contain_text("您的消息没有丢")
    expect(error).to_have_attribute("role", "alert")
    page.screenshot(path=str(SHOTS / "widget-360-offline.png"))
    page.unroute("**/api/chat")
    page.locator(".replies button", has_text="重新发送").click()
    expect(page.locator(".card").last).to_contain_text("三(二)")
    expect(page.locator(".row.me .bubble", has_text="退伍了想把户口迁回村里")).to_have_count(1)
    page.close()


def test_widget_embedded_in_another_site(browser: Browser, gateway_url: str) -> None:
    """A page on another origin adds one script tag; its button opens the chat."""
    page = _page(browser, 1280)
    # Another site: a second web server on loopback (localhost vs 127.0.0.1 is another origin).
    html = (
        "<!doctype html><html lang=zh-CN><meta charset=utf-8><title>醴陵市人民政府</title>"
        "<h1>醴陵市人民政府门户网站</h1><p>政务公开 · 办事服务</p>"
        f'<script src="{gateway_url}/static/embed.js" async></script></html>'
    ).encode()

    class Portal(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(html)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Portal)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    page.goto(f"http://localhost:{server.server_address[1]}/")
    launcher = page.locator("#hukou-launcher")
    expect(launcher).to_have_attribute("aria-expanded", "false")
    launcher.click()
    expect(launcher).to_have_attribute("aria-expanded", "true")
    chat = page.frame_locator("#hukou-frame")
    expect(chat.locator(".row.bot .bubble").first).to_contain_text("醴陵户籍政策助手")
    chat.locator("#input").fill("大学毕业了想把户口落到醴陵")
    chat.locator("#input").press("Enter")
    expect(chat.locator(".card").last).to_contain_text("三(一)")
    page.screenshot(path=str(SHOTS / "embed-1280.png"))
    launcher.click()
    expect(page.locator("#hukou-frame")).to_be_hidden()
    page.close()
    server.shutdown()


def test_widget_refuses_a_long_message_without_losing_it(
    browser: Browser, gateway_url: str
) -> None:
    page = _page(browser, 360)
    page.goto(gateway_url + "/")
    expect(page.locator(".row.bot .bubble").first).to_contain_text("醴陵户籍政策助手")
    text = "我在城里租房想落户。" * 500  # 5,000 characters
    page.fill("#input", text)
    page.keyboard.press("Enter")
    expect(page.locator(".bubble.error").last).to_contain_text("5000 字")
    assert page.input_value("#input") == text
    assert page.locator(".row.me").count() == 0
    page.close()
