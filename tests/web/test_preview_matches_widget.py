"""The FAQ desk's live preview draws an answer exactly as the citizen's widget does.

The same answer (one FAQ entry, one assessment: text and payload from the assistant's own
code) is drawn in the widget at / and in the preview at /admin, and the two DOMs are compared
(the checkbox ids, which carry a time stamp, and the preview's opened quotes aside).

The gateway runs alone, as in test_faq_browser.py: the widget's /api/chat is answered by the
browser (Playwright's routing) with the messages the assistant would send, so no model is needed.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from bot.dialogue.answers import faq_answer, one_bubble
from bot.policy import Situation, assess, load_knowledge
from bot.policy.clock import today as liling_today
from bot.policy.present import payload, render_text
from tests.support.browser import (
    SHOTS,
    Gateway,
    answer_chat,
    sign_in,
    staff_context,
    write_entry,
)

FAQ_QUESTION = "农民进城落户，要退出宅基地吗？"
FAQ_ANSWER = (
    "不需要。进城落户不以退出土地权益为条件：您在农村的土地承包经营权、宅基地使用权、"
    "集体收益分配权都依法保留。\n具体办理请到拟迁入地派出所户籍窗口咨询。"
)
FAQ_CLAUSES = ("5.1", "5.2")
ASSESSMENT_QUESTION = "我在醴陵城里租了房子想把户口迁过来"
Answer = tuple[str, str, dict[str, Any]]
"""The question asked, the answer's text and its payload."""

# The rows of one turn as plain strings: each child's outerHTML with the time-stamped checkbox
# ids numbered in order and the `open` attribute of <details> dropped.
DOM = """box => {
  var seen = {};
  // The widget's own chrome between bubbles (time labels, 有用 / 没用) is not the answer.
  var answer = Array.prototype.filter.call(box.children, function (node) {
    return !node.matches(".stamp, .feedback");
  });
  return answer.map(function (node) {
    var copy = node.cloneNode(true);
    copy.querySelectorAll("details").forEach(function (d) { d.removeAttribute("open"); });
    copy.querySelectorAll("[id], label[for]").forEach(function (n) {
      var attr = n.tagName === "LABEL" ? "for" : "id", v = n.getAttribute(attr);
      if (!(v in seen)) seen[v] = "doc-" + Object.keys(seen).length;
      n.setAttribute(attr, seen[v]);
    });
    return copy.outerHTML.replace(/></g, ">\\n<");
  });
}"""


def _faq() -> Answer:
    """The FAQ answer as /api/faq/preview builds it (bot.web.faq_desk.FaqDesk.preview)."""
    kb = load_knowledge()
    text, data = faq_answer(
        kb, liling_today(), question=FAQ_QUESTION, answer=FAQ_ANSWER, clause_ids=FAQ_CLAUSES
    )
    return FAQ_QUESTION, one_bubble(text), data


def _assessment() -> Answer:
    """The assessment the assistant sends for a renter who wants to settle in town."""
    kb = load_knowledge()
    result = assess(Situation.of(goal="settle_urban", housing="rented"), kb)
    return ASSESSMENT_QUESTION, one_bubble(render_text(result, kb)), payload(result, kb)


def _in_widget(browser: Browser, gateway: Gateway, answer: Answer) -> Page:
    question, text, data = answer

    page = browser.new_page(viewport={"width": 360, "height": 900})
    page.set_default_timeout(30_000)
    answer_chat(page, text, data)
    page.goto(gateway.url + "/")
    page.fill("#input", question)
    page.keyboard.press("Enter")
    expect(page.locator("#log .card")).to_have_count(1)
    return page


def _in_preview(browser: Browser, gateway: Gateway, answer: Answer) -> Page:
    question, text, data = answer
    context = staff_context(browser, 1280)
    page = sign_in(context, gateway, "editor")
    if data["type"] == "faq":
        # The desk's own preview of the entry, as an editor writes it.
        write_entry(page, question, FAQ_ANSWER)
        for clause_id in FAQ_CLAUSES:
            page.check(f'#clause-list input[value="{clause_id}"]')
        expect(page.locator("#preview .card h2")).to_have_count(len(FAQ_CLAUSES))
    else:
        # The desk never previews an assessment: hand the preview one to draw.
        shown = {"text": text, "payload": data}
        page.route("**/api/faq/preview", lambda route: route.fulfill(json=shown))
        write_entry(page, question, "（预览由测试提供）")
        expect(page.locator("#preview .card")).to_have_count(1)
    expect(page.locator("#preview .row.me")).to_contain_text(question)
    return page


@pytest.mark.parametrize("kind", ["faq", "assessment"])
def test_the_preview_draws_the_answer_as_the_widget_does(
    browser: Browser, gateway: Gateway, kind: str
) -> None:
    answer = _faq() if kind == "faq" else _assessment()
    widget = _in_widget(browser, gateway, answer)
    preview = _in_preview(browser, gateway, answer)
    SHOTS.mkdir(parents=True, exist_ok=True)
    widget.screenshot(path=str(SHOTS / f"same-answer-{kind}-widget-360.png"), full_page=True)
    preview.screenshot(path=str(SHOTS / f"same-answer-{kind}-admin-1280.png"), full_page=True)

    in_widget = widget.locator("#log").evaluate(DOM)
    in_preview = preview.locator("#preview").evaluate(DOM)
    rows = ("question", "answer", "card")
    assert [len(in_widget), len(in_preview)] == [len(rows), len(rows)]
    assert dict(zip(rows, in_preview, strict=True)) == dict(zip(rows, in_widget, strict=True))
    if kind == "faq":
        card = preview.locator("#preview .card")
        expect(card).to_have_attribute("aria-label", "答复依据")
        expect(card).to_contain_text("答复依据的政策条款：")
    # The preview opens the quotes, so they can be checked without a click.
    expect(preview.locator("#preview .card details").first).to_have_attribute("open", "")
    expect(widget.locator("#log .card details").first).not_to_have_attribute("open", "")
    widget.close()
    preview.context.close()
