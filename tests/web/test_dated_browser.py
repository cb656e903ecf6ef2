"""The status of the policy and its later changes, as the pages show them (issue 18).

The widget's card, the hotline page with its date box, /faq and the FAQ desk's "政策文件" box,
in headless Chromium at 360 px and 1280 px; screenshots go to artifacts/screenshots/. The
gateway runs alone (Rasa unreachable): the widget's /api/chat is answered by the browser with
the messages the assistant would send for an assessment as of 2024-07-01.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from playwright.sync_api import Browser, Page, expect

from bot.dialogue.answers import one_bubble
from bot.policy import Situation, assess, load_knowledge
from bot.policy.present import payload, render_text
from tests.support.browser import SHOTS, Gateway, answer_chat, sign_in, staff_context
from tests.support.faq import publish

SPOUSE = {
    "goal": "settle_urban",
    "join_relative": "spouse",
    "marital_status": "married",
    "spouse_hukou_area": "liling_urban",
    "lives_with_relative": True,
}
ONLINE_JULY = "据湖南省公安厅2024年3月发布的举措（新闻报道），2024年7月1日起"
WIDTHS = [360, 1280]


def _page(browser: Browser, width: int) -> Page:
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.set_default_timeout(30_000)
    return page


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name), full_page=True)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_widget_card_shows_the_later_changes(
    browser: Browser, gateway: Gateway, width: int
) -> None:
    kb = load_knowledge()
    result = assess(Situation.from_mapping(SPOUSE), kb, today=dt.date(2024, 7, 1))
    text, data = one_bubble(render_text(result, kb)), payload(result, kb)

    page = _page(browser, width)
    answer_chat(page, text, data)
    page.goto(gateway.url + "/")
    page.fill("#input", "我老公是城区户口，我们一直住一起，想投靠他落户")
    page.keyboard.press("Enter")
    card = page.locator("#log .card")
    expect(card).to_contain_text("三(一)1")
    later = card.locator("details.changes")
    expect(later.locator("summary")).to_contain_text("之后的变化（")
    later.locator("summary").click()
    expect(later).to_contain_text(ONLINE_JULY)
    expect(later).to_contain_text("未查到醴陵市人民政府此后发布的同类政策文件")
    expect(later.locator("blockquote", has_text="夫妻投靠户口迁入")).to_have_count(1)
    _shot(page, f"dated-widget-{width}.png")
    page.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_hotline_page_answers_as_of_a_date(
    browser: Browser, gateway: Gateway, width: int
) -> None:
    page = _page(browser, width)
    page.goto(gateway.url + "/staff")
    for fact, value in SPOUSE.items():
        page.select_option(f"#fact-{fact}", json.dumps(value))
    result = page.locator("#result")
    expect(result.locator(".clause").first).to_contain_text("三(一)1")
    page.fill("#as-of", "2024-06-30")
    page.dispatch_event("#as-of", "change")
    expect(result.locator(".status")).to_contain_text("按 2024-06-30 作答")
    expect(result.locator(".changes")).to_contain_text("等7项内容")
    expect(result).not_to_contain_text(ONLINE_JULY)
    page.fill("#as-of", "2024-07-01")
    page.dispatch_event("#as-of", "change")
    expect(result.locator(".status")).to_contain_text("按 2024-07-01 作答")
    expect(result.locator(".changes")).to_contain_text(ONLINE_JULY)
    page.fill("#as-of", "2020-01-01")
    page.dispatch_event("#as-of", "change")
    expect(result.locator(".status")).to_contain_text("在标注的有效期内")
    expect(result.locator(".changes")).to_have_count(0)
    page.fill("#as-of", "2024-07-01")
    page.dispatch_event("#as-of", "change")
    expect(result.locator(".changes")).to_contain_text(ONLINE_JULY)
    _shot(page, f"dated-staff-{width}.png")
    page.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_faq_page_lists_documents_and_later_changes(
    browser: Browser, gateway: Gateway, width: int
) -> None:
    if not any(e.key == "spouse_joining" for e in gateway.store.published()):
        publish(
            gateway.store,
            {
                "key": "spouse_joining",
                "question": "投靠配偶在城里落户，结婚要满几年吗？",
                "paraphrases": [],
                "answer": "政策没有规定结婚年限：共同居住生活的夫妻可以投靠落户。",
                "clause_ids": ["3.1.1"],
                "tags": ["投靠落户"],
            },
        )
    page = _page(browser, width)
    page.goto(gateway.url + "/faq")
    documents = page.locator("#documents")
    documents.locator("summary").click()
    expect(documents).to_contain_text("醴政发〔2017〕6号")
    expect(documents).to_contain_text("湖南公安七项户政管理便民利企服务举措（无文号）")
    expect(documents).to_contain_text("已过标注的失效日期")
    entry = page.locator(".qa", has_text="结婚要满几年")
    entry.locator("details.changes summary").click()
    expect(entry.locator("details.changes")).to_contain_text(ONLINE_JULY)
    _shot(page, f"dated-faq-{width}.png")
    page.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_faq_desk_lists_documents_and_reminds(
    browser: Browser, gateway: Gateway, width: int
) -> None:
    context = staff_context(browser, width)
    page = sign_in(context, gateway, "editor")
    box = page.locator("#policies")
    expect(box).to_be_visible()
    expect(box.locator("#policy-reminders")).to_contain_text(
        "已过标注的失效日期（2022年7月28日），仍在使用"
    )
    box.locator("summary").click()
    expect(box.locator("#policy-rows tr")).to_have_count(3)
    expect(box).to_contain_text("湖南公安七项户政管理便民利企服务举措")
    _shot(page, f"dated-admin-{width}.png")
    context.close()
