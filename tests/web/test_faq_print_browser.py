"""The public 政策解读 page in headless Chromium: 解读机关, dates, the 原文 page, printing.

The print view is rendered by Chromium to an A4 PDF (``artifacts/screenshots/faq-print.pdf``)
for people to look at, besides the screenshots.
"""

from __future__ import annotations

import datetime as dt

from playwright.sync_api import Browser, expect

from bot.paths import ROOT
from bot.web.faq_desk import UNNAMED_INTERPRETER
from tests.support.browser import SHOTS, Gateway
from tests.support.faq import publish

QUESTION = "居住证有什么用？可以办哪些事？"
ENTRY = {
    "question": QUESTION,
    "answer": "持有居住证的人可以按规定享受当地的基本公共服务。具体办理请咨询居住地派出所。",
    "clause_ids": ["4.2"],
    "tags": ["居住证"],
}
A4_POINTS = (595, 842)


def _published(gateway: Gateway) -> None:
    if not any(e.question == QUESTION for e in gateway.store.published()):
        entry = publish(gateway.store, ENTRY)
        gateway.store.set_review_by("editor", entry.id, dt.date(2027, 6, 30))


def test_the_page_says_who_interprets_dates_each_answer_and_links_the_full_text(
    browser: Browser, gateway: Gateway
) -> None:
    _published(gateway)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(gateway.url + "/faq")
    expect(page.locator("#interpreter")).to_have_text(UNNAMED_INTERPRETER)
    expect(page.locator("#policy-ref")).to_have_text(
        "醴陵市人民政府《关于进一步推进户籍制度改革的实施意见》（醴政发〔2017〕6号）"
    )
    article = page.locator("article.qa", has_text=QUESTION)
    today = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date().isoformat()
    expect(article.locator(".dates")).to_have_text(f"发布日期：{today}　复核日期：2027-06-30")
    page.screenshot(path=str(SHOTS / "faq-public-1280.png"), full_page=True)

    with page.context.expect_page() as opened:
        page.click("#full-text")
    full = opened.value
    full.wait_for_load_state()
    assert full.url == gateway.url + "/policy"
    stored = (ROOT / "policy_text" / "liling-2017-6.txt").read_text(encoding="utf-8")
    expect(full.locator("#fulltext")).not_to_be_empty()
    assert full.locator("#fulltext").evaluate("e => e.textContent") == stored
    expect(full.locator("#meta")).to_contain_text("失效日期2022-07-28")
    full.screenshot(path=str(SHOTS / "policy-text-1280.png"))
    page.close()


def test_the_print_view_is_a4_black_and_white_without_controls(
    browser: Browser, gateway: Gateway
) -> None:
    _published(gateway)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(gateway.url + "/faq")
    expect(page.locator("#print")).to_be_visible()
    expect(page.locator("article.qa", has_text=QUESTION)).to_be_visible()
    page.emulate_media(media="print")
    for control in ("#print", ".toolbar", "#topics", "article.qa .more"):
        expect(page.locator(control).first).to_be_hidden()
    colours = page.evaluate(
        """() => Array.from(document.querySelectorAll('body, body *'))
             .filter(e => e.offsetParent !== null || e === document.body)
             .map(e => getComputedStyle(e).color)"""
    )
    assert set(colours) == {"rgb(0, 0, 0)"}, set(colours)
    header = page.evaluate("getComputedStyle(document.querySelector('header')).backgroundColor")
    assert header in ("rgba(0, 0, 0, 0)", "transparent"), header
    expect(page.locator("#full-text")).to_have_attribute("data-url", gateway.url + "/policy")
    page.screenshot(path=str(SHOTS / "faq-print-media.png"), full_page=True)
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    (SHOTS / "faq-print.pdf").write_bytes(pdf)
    # The page box is A4 (595 × 842 pt) because the print CSS asks for it.
    assert b"/MediaBox [0 0 595" in pdf or b"/MediaBox [0 0 594" in pdf, pdf[:2000]
    page.close()


def test_the_full_text_prints_without_controls(browser: Browser, gateway: Gateway) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(gateway.url + "/policy")
    expect(page.locator("#fulltext")).to_contain_text("醴政发〔2017〕6号")
    expect(page.locator("#print")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.locator("#print")).to_be_hidden()
    expect(page.locator(".toolbar")).to_be_hidden()
    colour = page.evaluate("getComputedStyle(document.getElementById('fulltext')).color")
    assert colour == "rgb(0, 0, 0)"
    (SHOTS / "policy-print.pdf").write_bytes(page.pdf(prefer_css_page_size=True))
    page.close()


def test_the_page_fits_a_phone(browser: Browser, gateway: Gateway) -> None:
    _published(gateway)
    page = browser.new_page(viewport={"width": 360, "height": 800})
    page.goto(gateway.url + "/faq")
    expect(page.locator("article.qa .dates").first).to_contain_text("发布日期：")
    expect(page.locator("#interpreter")).not_to_be_empty()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page is {width}px wide at 360px"
    page.screenshot(path=str(SHOTS / "faq-public-360.png"), full_page=True)
    page.close()
