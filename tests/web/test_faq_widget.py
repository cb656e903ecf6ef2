"""The whole FAQ desk loop in a browser, on the running assistant: an editor writes an entry at
/admin, a reviewer publishes it, and a citizen who asks in other words in the widget gets it.

Screenshots: artifacts/screenshots/faq-loop-*.png.
"""

from __future__ import annotations

from playwright.sync_api import Browser, expect

from bot.stack.processes import Stack
from tests.support.browser import SHOTS, Gateway, sign_in, staff_context
from tests.support.faq import desk

QUESTION = "进城落户后还能参加村里的分红吗？"
PARAPHRASES = "户口迁进城以后，村集体的分红还有我的份吗\n落户城镇后还保留集体收益分配权吗"
ANSWER = "能。政策规定，现阶段不得以退出集体收益分配权作为农民进城落户的条件。"
QUOTE_5_1 = "不得以退出土地承包经营权、宅基地使用权、集体收益分配权作为农民进城落户的条件"
ASKED = "我把户口迁进城了，村里分红还有没有"


def test_published_in_admin_then_answered_in_the_widget(
    browser: Browser,
    assistant: Stack,
    gateway_url: str,
) -> None:
    assert assistant.database_url
    store = desk(assistant.database_url)  # accounts "editor" and "reviewer"
    gateway = Gateway(gateway_url, store)
    SHOTS.mkdir(parents=True, exist_ok=True)

    citizen = browser.new_page(viewport={"width": 390, "height": 844})
    citizen.set_default_timeout(30_000)
    citizen.goto(gateway_url + "/")
    citizen.fill("#input", ASKED)
    citizen.keyboard.press("Enter")
    before = citizen.locator(".row.bot .bubble").last
    expect(before).not_to_contain_text(ANSWER[:10])  # not published yet: no such answer

    editor_context = staff_context(browser, 1280)
    editor = sign_in(editor_context, gateway, "editor")
    editor.click("#new-entry")
    editor.fill("#e-question", QUESTION)
    editor.fill("#e-paraphrases", PARAPHRASES)
    editor.fill("#e-answer", ANSWER)
    editor.fill("#clause-filter", "集体收益")
    editor.check('#clause-list input[value="5.1"]')
    expect(editor.locator("#preview .card blockquote")).to_contain_text(QUOTE_5_1)
    editor.click("#save")
    expect(editor.locator("#status")).to_contain_text("已保存")
    editor.click("button[data-action=submit]")
    expect(editor.locator("#entry-meta .badge")).to_have_text("待审核")
    editor.screenshot(path=str(SHOTS / "faq-loop-1-editor.png"), full_page=True)

    reviewer_context = staff_context(browser, 1280)
    reviewer = sign_in(reviewer_context, gateway, "reviewer")
    # Reviewers land on their queue (待我审核); an entry opens from it in the editor.
    expect(reviewer.locator("#tab-review")).to_have_attribute("aria-selected", "true")
    reviewer.locator("#review-entries button", has_text=QUESTION).click()
    reviewer.click("button[data-action=approve]")
    expect(reviewer.locator("#entry-meta .badge")).to_have_text("已审核待发布")
    reviewer.click("button[data-action=publish]")
    expect(reviewer.locator("#entry-meta .badge")).to_have_text("已发布")
    reviewer.screenshot(path=str(SHOTS / "faq-loop-2-reviewer.png"), full_page=True)

    # At once, no retraining or restart: the same words now get the entry's answer and quote.
    citizen.fill("#input", ASKED)
    citizen.keyboard.press("Enter")
    expect(citizen.locator(".row.bot .bubble").last).to_contain_text(ANSWER)
    card = citizen.locator("section.card").last
    expect(card).to_contain_text("答复依据的政策条款")
    card.locator("summary").first.click()
    expect(card.locator("blockquote").first).to_contain_text(QUOTE_5_1)
    citizen.screenshot(path=str(SHOTS / "faq-loop-3-widget-390.png"), full_page=True)

    (entry,) = [e for e in store.published() if e.question == QUESTION]
    store.archive("reviewer", entry.id)  # leave the assistant as the other tests expect it
    for context in (editor_context, reviewer_context):
        context.close()
    citizen.close()
