"""The citizen's widget and checklist page in headless Chromium, at 360 px and 1280 px (issue 14).

The assistant's answers are scripted in the browser (``/api/chat`` fulfilled by the test, with
real payloads from the engine), so each behaviour is checked on a known turn; everything else
is the real gateway: ``/api/feedback`` writes to the turn log of its database, ``/checklist``
is rendered by the server. Screenshots go to artifacts/screenshots/ for people to look at.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Route, expect

from bot.faq.db import make_engine
from bot.policy import load_knowledge
from bot.policy.engine import assess
from bot.policy.present import payload
from bot.policy.situation import Situation
from bot.web.app import create_app
from bot.web.settings import Settings
from tests.support.browser import SHOTS, Gateway, shot
from tests.support.loopback import serving

WIDTHS = [360, 1280]
TOPICS = "在醴陵城镇落户 迁回农村 新生儿落户 大中专学生 居住证 退伍军人 投靠亲属 人工咨询渠道"
MENU = [{"title": title, "payload": "/choose"} for title in TOPICS.split()]
QUESTION = "您和配偶现在一起住吗？"
SPOUSE = {"goal": "settle_urban", "join_relative": "spouse"}


def spouse_card() -> dict[str, Any]:
    """The engine's own answer payload for a spouse joining in town (with its checklist)."""
    kb = load_knowledge()
    return payload(assess(Situation(SPOUSE), kb), kb)


class Script:
    """Answers the widget's ``/api/chat`` in the browser, one scripted turn per message."""

    def __init__(self, page: Page) -> None:
        self.turns: list[str] = []
        self.card = spouse_card()
        page.route("**/api/chat", self.answer)

    def answer(self, route: Route) -> None:
        asked = json.loads(route.request.post_data or "{}").get("message", "")
        turn = f"{len(self.turns) + 1:032x}"
        self.turns.append(turn)
        if asked == "/greet":
            messages = [{"text": "您好，我是醴陵户籍政策助手。请说说您的情况。", "buttons": MENU}]
        elif asked == "/restart":
            messages = []
        elif "更多" in asked:
            messages = [
                {
                    "text": "您想了解哪一方面？",
                    "buttons": MENU[:2],
                    "custom": {"type": "topic", "more_buttons": MENU[2:6]},
                }
            ]
        else:
            # The order the issue found: the question first, then the text and the card.
            lead = "按2017年的文件，投靠配偶可以申请在城镇落户（该文件已于2022年7月28日标注失效）。"
            answers = [{"title": t, "payload": t} for t in ("是", "否", "不清楚")]
            details = "\n".join(f"第{i}行说明" for i in range(1, 9))
            messages = [
                {"text": QUESTION, "buttons": answers},
                {"text": lead + "\n" + details, "buttons": []},
                {"text": None, "buttons": [], "custom": self.card},
            ]
        route.fulfill(json={"messages": messages, "turn": turn})


def open_widget(browser: Browser, gateway: Gateway, width: int, height: int = 740) -> Page:
    # A new page is a new browser context: nothing stored from another test.
    page = browser.new_page(viewport={"width": width, "height": height})
    page.set_default_timeout(30_000)
    return page


def start(page: Page, gateway: Gateway) -> Script:
    script = Script(page)
    page.goto(gateway.url + "/")
    expect(page.locator(".row.bot .bubble").first).to_contain_text("醴陵户籍政策助手")
    return script


def ask(page: Page, text: str) -> None:
    page.fill("#input", text)
    page.keyboard.press("Enter")


def answered(
    browser: Browser, gateway: Gateway, width: int, clipboard: bool = True
) -> tuple[Page, Script]:
    """A widget at ``width`` that has had the spouse turn; ``clipboard`` False: none, as on http."""
    page = open_widget(browser, gateway, width)
    if not clipboard:
        page.add_init_script("Object.defineProperty(navigator, 'clipboard', {value: undefined})")
    script = start(page, gateway)
    ask(page, "我想投靠老公落户")
    expect(page.locator(".card").last).to_contain_text("三(一)1")
    return page, script


@pytest.mark.parametrize("width", WIDTHS)
def test_the_question_is_last_and_the_view_starts_at_the_turn(
    browser: Browser, gateway: Gateway, width: int
) -> None:
    page, _ = answered(browser, gateway, width)
    card = page.locator(".card").last
    # The last bubble of the turn is the question, after the card and the 有用 / 没用 bar.
    last_row = page.locator("#log > .row").last
    expect(last_row).to_contain_text(QUESTION)
    order = page.evaluate(
        "[...document.querySelectorAll('#log > *')].slice(-4).map(n => n.className)"
    )
    assert order[-3:] == ["card", "feedback", "row bot"], order
    # Details are folded: the long text, the quote and the documents each one tap away.
    expect(page.locator(".row.bot details").last).not_to_have_attribute("open", "")
    assert card.locator("details.docs").evaluate("d => d.open") is False
    expect(card.locator(".docs summary")).to_contain_text("要带的材料（")
    # The view scrolls to the turn's first new bubble, not to its end.
    first_new = page.locator("#log > .row.bot").nth(1)
    top = first_new.evaluate(
        "n => n.getBoundingClientRect().top - document.getElementById('log')"
        ".getBoundingClientRect().top"
    )
    assert 0 <= top <= 24, top
    if width == 360:
        at_end = page.evaluate("(l => l.scrollTop + l.clientHeight >= l.scrollHeight - 2)(log)")
        assert not at_end, "a long turn should be read from its top"
    shot(page, f"widget-turn-{width}.png")
    card.locator(".docs summary").click()
    expect(card.locator("h3.group").first).to_have_text("本人证件")
    shot(page, f"widget-card-{width}.png", full=True)
    page.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_at_most_four_quick_replies_the_rest_behind_more(
    browser: Browser, gateway: Gateway, width: int
) -> None:
    page = open_widget(browser, gateway, width)
    start(page, gateway)
    buttons = page.locator("#replies button")
    expect(buttons).to_have_count(5)
    expect(buttons.last).to_have_text("更多（4）")
    shot(page, f"widget-replies-{width}.png")
    buttons.last.click()
    expect(buttons).to_have_count(8)
    expect(buttons.nth(4)).to_be_focused()
    # The server's custom.more_buttons join the buttons: two shown + four, so 4 and 更多（2）.
    ask(page, "还有更多选择吗")
    expect(page.locator(".row.bot .bubble").last).to_contain_text("哪一方面")
    expect(buttons).to_have_count(5)
    expect(buttons.last).to_have_text("更多（2）")
    page.close()


def _sizes(page: Page) -> dict[str, float]:
    return page.evaluate(
        """() => {
          const h = s => document.querySelector(s).getBoundingClientRect().height;
          const fs = s => parseFloat(getComputedStyle(document.querySelector(s)).fontSize);
          return {send: h('#send'), reply: h('#replies button'),
                  box: h('.card input[type=checkbox]'), input: fs('#input'),
                  fbButton: h('.feedback button'), font: h('#font'),
                  radio: h('.feedback input[type=radio]')};
        }"""
    )


def _placeholder_fits(page: Page) -> bool:
    return bool(
        page.evaluate(
            """() => {
              const t = document.getElementById('input'), s = getComputedStyle(t);
              const c = document.createElement('canvas').getContext('2d');
              c.font = s.fontSize + ' ' + s.fontFamily;
              const room = t.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight);
              return c.measureText(t.placeholder).width <= room;
            }"""
        )
    )


@pytest.mark.parametrize("width", WIDTHS)
def test_large_mode_enlarges_every_control_and_the_placeholder_fits(
    browser: Browser, gateway: Gateway, width: int
) -> None:
    page, _ = answered(browser, gateway, width)
    card = page.locator(".card").last
    card.locator(".docs summary").click()
    page.locator(".feedback .fb-no").last.click()
    assert _placeholder_fits(page)
    before = _sizes(page)
    page.click("#font")
    expect(page.locator("body")).to_have_class("large")
    after = _sizes(page)
    for control, size in before.items():
        assert after[control] > size * 1.15, (control, size, after[control])
    assert after["box"] >= 24 and after["reply"] >= 44 and after["send"] >= 44
    assert _placeholder_fits(page)
    shot(page, f"widget-large-{width}.png")
    page.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_restart_asks_first_and_turns_minutes_apart_get_a_time(
    browser: Browser, gateway: Gateway, width: int
) -> None:
    page = open_widget(browser, gateway, width)
    now = time.time() * 1000
    stored = {
        "sender": "web-test",
        "large": False,
        "items": [
            {"kind": "me", "text": "在城里租房能落户吗", "at": now - 3 * 3600_000},
            {"kind": "bot", "text": "可以，按三(一)5。", "at": now - 3 * 3600_000 + 2000},
            {"kind": "me", "text": "要带什么", "at": now - 3 * 3600_000 + 60_000},
            {"kind": "bot", "text": "户口簿、租赁合同。", "at": now - 3 * 3600_000 + 62_000},
            {"kind": "me", "text": "谢谢", "at": now - 10 * 60_000},
            {"kind": "bot", "text": "不客气。", "at": now - 10 * 60_000 + 1000},
        ],
    }
    page.goto(gateway.url + "/healthz")  # the origin, without the widget running yet
    page.evaluate("s => localStorage.setItem('hukou-chat-v1', JSON.stringify(s))", stored)
    Script(page)
    page.goto(gateway.url + "/")
    stamps = page.locator(".stamp")
    expect(stamps).to_have_count(2)  # before the first turn, and before the one hours later
    # The time alone, or with the date when three hours ago was yesterday (a run after midnight).
    expect(stamps.first).to_have_text(
        page.evaluate("t => { const d = new Date(t), now = new Date();"
                      " const hm = String(d.getHours()).padStart(2, '0') + ':'"
                      " + String(d.getMinutes()).padStart(2, '0');"
                      " return d.toDateString() === now.toDateString() ? hm"
                      " : (d.getMonth() + 1) + '月' + d.getDate() + '日 ' + hm; }",
                      now - 3 * 3600_000)
    )  # fmt: skip
    page.click("#restart")
    confirm = page.locator("#restart-confirm")
    expect(confirm).to_be_visible()
    expect(page.locator("#restart-no")).to_be_focused()
    expect(page.locator(".row.me")).to_have_count(3)  # nothing wiped yet
    shot(page, f"widget-restart-{width}.png")
    page.click("#restart-no")
    expect(confirm).to_be_hidden()
    expect(page.locator(".row.me")).to_have_count(3)
    page.click("#restart")
    page.click("#restart-yes")
    expect(page.locator(".row.me")).to_have_count(0)
    expect(page.locator(".row.bot .bubble").first).to_contain_text("醴陵户籍政策助手")
    page.close()


def _kept(gateway: Gateway, turn: str) -> tuple[bool, str, str]:
    from bot.turns.models import turn_feedback

    engine = make_engine(gateway.database)
    try:
        with engine.connect() as connection:
            row = connection.execute(
                turn_feedback.select().where(turn_feedback.c.turn_id == turn)
            ).one()
            return row.useful, row.reason, row.comment
    finally:
        engine.dispose()


@pytest.mark.parametrize("width", WIDTHS)
def test_useful_or_not_is_kept_masked_with_the_turn(
    browser: Browser, gateway: Gateway, width: int
) -> None:
    page, script = answered(browser, gateway, width)
    bar = page.locator(".feedback").last
    expect(bar).to_contain_text("这个答复有用吗？")
    turn = script.turns[-1]
    bar.locator(".fb-no").click()
    expect(bar.locator("legend")).to_contain_text("哪里不好")
    bar.locator("label", has_text="看不懂").click()
    bar.locator("textarea").fill("我叫王小明，电话13800138000，没看懂要带什么")
    shot(page, f"widget-feedback-{width}.png")
    bar.locator(".fb-send").click()
    expect(bar.locator(".fb-note")).to_contain_text("已记下")
    useful, reason, comment = _kept(gateway, turn)
    assert (useful, reason) == (False, "看不懂")
    assert "王小明" not in comment and "13800138000" not in comment and "没看懂" in comment
    # A change of mind replaces it, and the page remembers what was said after a reload.
    bar.locator(".fb-yes").click()
    expect(bar.locator(".fb-note")).to_contain_text("已保存")
    assert _kept(gateway, turn)[0] is True
    page.reload()
    expect(page.locator(".feedback .fb-yes").last).to_have_attribute("aria-pressed", "true")
    page.close()


@pytest.fixture(scope="module")
def gateway_without_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    """The gateway with its database unreachable (nothing listens on port 9)."""
    app = create_app(
        Settings(
            database_url="postgresql+psycopg2://nobody:nothing@127.0.0.1:9/none",
            rasa_url="http://127.0.0.1:9",
            action_url="http://127.0.0.1:9",
        )
    )
    with serving(app) as url:
        yield Gateway(url, None)  # type: ignore[arg-type]  # no desk: it has no database


@pytest.mark.parametrize("width", WIDTHS)
def test_feedback_not_saved_keeps_the_choice_to_retry(
    browser: Browser, gateway_without_database: Gateway, width: int
) -> None:
    gateway = gateway_without_database
    page, _ = answered(browser, gateway, width)
    bar = page.locator(".feedback").last
    bar.locator(".fb-no").click()
    bar.locator("label", has_text="答非所问").click()
    bar.locator("textarea").fill("问的是配偶，答的不对")
    with page.expect_response("**/api/feedback") as response:
        bar.locator(".fb-send").click()
    assert response.value.status == 503
    failed = bar.locator(".fb-failed")
    expect(failed).to_contain_text("反馈没有保存成功")
    expect(failed).to_have_attribute("role", "alert")
    expect(bar.locator("input[value=答非所问]")).to_be_checked()
    expect(bar.locator("textarea")).to_have_value("问的是配偶，答的不对")
    shot(page, f"widget-feedback-failed-{width}.png")
    # Closed and opened again, the page still has the choice and offers to send it.
    page.reload()
    bar = page.locator(".feedback").last
    failed = bar.locator(".fb-failed")
    expect(failed).to_contain_text("反馈没有保存成功")
    expect(bar.locator("input[value=答非所问]")).to_be_checked()
    # 再试一次 sends the same choice again (the database is back: answered by the test).
    sent: list[dict[str, Any]] = []

    def back(route: Route) -> None:
        sent.append(json.loads(route.request.post_data or "{}"))
        route.fulfill(json={"saved": True, "turn": sent[-1]["turn"]})

    page.route("**/api/feedback", back)
    failed.locator("button", has_text="再试一次").click()
    expect(bar.locator(".fb-note")).to_contain_text("已记下")
    assert sent[-1]["useful"] is False and sent[-1]["reason"] == "答非所问"
    assert sent[-1]["comment"] == "问的是配偶，答的不对"
    page.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_card_links_to_the_checklist_page(
    browser: Browser, gateway: Gateway, width: int
) -> None:
    page, script = answered(browser, gateway, width, clipboard=False)
    card = page.locator(".card").last
    card.locator(".docs summary").click()
    link = card.locator("a.print-link")
    expect(link).to_have_text("打印 / 保存")
    href = link.get_attribute("href")
    assert href == script.card["checklist"]["link"]
    # Without a clipboard (plain http): the link is put in a field, selected, to copy by hand.
    card.locator("button.copy-link").click()
    field = card.locator(".copy-fallback input")
    expect(field).to_be_focused()
    assert field.input_value() == gateway.url + href
    assert field.evaluate("f => f.selectionEnd - f.selectionStart") == len(gateway.url + href)
    expect(card.locator(".copy-hint")).to_contain_text("Ctrl+C")
    shot(page, f"widget-copy-{width}.png")
    with page.expect_popup() as opened:
        link.click()
    checklist = opened.value
    expect(checklist.locator("h1")).to_have_text("户口办理材料清单")
    expect(checklist.locator(".items li")).to_have_count(
        sum(len(g["items"]) for g in script.card["checklist"]["groups"])
    )
    checklist.close()
    page.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_checklist_page(browser: Browser, gateway: Gateway, width: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(gateway.url + "/checklist?join_relative=spouse&goal=settle_urban&name=王小明&x=1")
    expect(page.locator(".list h3").first).to_have_text("本人证件")
    items = page.locator(".items li")
    assert 1 <= items.count() <= 8  # the spouse case: at most 8 (issue 14)
    expect(page.locator(".clauses")).to_contain_text("共同居住生活的夫妻")
    expect(page.locator(".validity")).to_contain_text("2022年7月28日")
    expect(page.locator(".ignored")).to_contain_text("name：不是本清单使用的情况项")
    qr = page.locator(".qr-box svg")
    expect(qr).to_be_visible()
    # Scaled whole (a viewBox), square and large enough for a phone to read it off the screen.
    box = qr.bounding_box()
    assert box is not None and box["width"] == box["height"] >= 100
    assert qr.get_attribute("viewBox") and not qr.get_attribute("width")
    canonical = gateway.url + "/checklist?goal=settle_urban&join_relative=spouse"
    expect(page.locator("#link")).to_have_text(canonical)
    assert "王小明" not in page.locator("#link").inner_text()
    page.click("#copy")
    expect(page.locator(".copy-done")).to_have_text("链接已复制")
    assert page.evaluate("navigator.clipboard.readText()") == canonical
    shot(page, f"checklist-{width}.png", full=True)
    # 打印 / 保存 is the browser's print (and its 保存为 PDF).
    page.evaluate("window.print = () => { window.printed = true; }")
    page.click("#print")
    assert page.evaluate("window.printed") is True
    context.close()


def test_the_checklist_prints_on_one_black_and_white_a4_page(
    browser: Browser, gateway: Gateway
) -> None:
    page = browser.new_page()
    page.goto(gateway.url + "/checklist?goal=settle_urban&join_relative=spouse")
    page.emulate_media(media="print")
    # Black and white: every colour the print layout paints is a grey (r = g = b).
    colours = page.evaluate(
        """() => [...document.querySelectorAll('body, body *')]
              .filter(n => n.getClientRects().length)
              .flatMap(n => { const s = getComputedStyle(n);
                return [s.color, s.backgroundColor, s.borderLeftColor, s.borderBottomColor]; })"""
    )
    tints = {c for c in colours if len(set(re.findall(r"\d+", c)[:3])) > 1}
    assert not tints, tints
    assert page.locator("#actions").is_hidden()  # no buttons on paper
    pdf = page.pdf(format="A4", print_background=True)
    page.close()
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / "checklist-print.pdf").write_bytes(pdf)
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == 1  # the spouse case fits one page
    assert b"/MediaBox [0 0 595" in pdf or b"/MediaBox [0 0 594" in pdf  # A4
