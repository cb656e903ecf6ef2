"""The 统计 tab and the reviewer's queue in headless Chromium, at 1280 px and on a phone.

Turns are written into the gateway's database as the consumer would write them; the page
must draw them with ECharts served by the gateway, under the page's Content-Security-Policy
(no console error), and editors must not see any of it. Screenshots: artifacts/screenshots/.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from bot.faq.db import make_engine
from bot.policy.clock import CHINA
from bot.turns.record import TurnRecord, build_turn
from bot.turns.store import TurnLog
from tests.support.browser import SHOTS, Gateway, sign_in, staff_context
from tests.support.turns import answered, turn_events

DAY = 86400.0
ASKS = [
    ("新生儿怎么上户口", "ask_newborn", answered(("4.1",))),
    ("在城里买了房能落户吗", "want_settle_urban", answered(("3.1.5",))),
    ("居住证有什么用", "ask_residence_permit", answered(("4.2",), faq=1)),
    ("我想落户", "want_settle_urban", {"type": "assessment", "missing": ["housing"]}),
    ("护照丢了怎么办", "out_of_scope", {"type": "out_of_scope"}),
    ("啊这个那个", "nlu_fallback", {"type": "fallback", "stage": "clarify"}),
]


def record(sender: str, message: str, text: str, at: float, **kw: Any) -> TurnRecord:
    built = build_turn(turn_events(sender, message, text, at=at, **kw))
    assert built is not None
    return built


@pytest.fixture(scope="module")
def turns(gateway: Gateway) -> Iterator[dict[str, TurnRecord]]:
    """Eighty turns over the last 20 days, a 没用 and an unsure answer among them."""
    engine = make_engine(gateway.database)
    turn_log = TurnLog(engine)
    # The clock of the seeding, not of the import: a long run may cross midnight in between.
    now = time.time()
    made = [
        record(
            f"s{i}",
            "1",
            ASKS[i % 6][0],
            now - (i % 20) * DAY - 60,
            intent=ASKS[i % 6][1],
            payload=ASKS[i % 6][2],
        )
        for i in range(80)
    ]
    pet = record("pet", "1", "我叫张三，狗能上户口吗", now - 120, payload=answered(("4.1",)))
    later = record("pet", "2", "那猫呢", now - 60, payload=answered(("4.1",)))
    unsure = record(
        "w", "1", "派出所周末上班吗", now - 30, confidence=0.4, payload=answered(("3.1.6",))
    )
    turn_log.save([*made, pet, later, unsure])
    turn_log.attach_feedback(pet.id, False, "答非所问", "问的是宠物")
    for n, sample in enumerate(made[:12]):
        turn_log.attach_feedback(sample.id, n % 3 == 0)
    turn_log.mark_reviewed([t.id for n, t in enumerate(made[:12]) if n % 3])  # seen before
    yield {"pet": pet, "unsure": unsure}
    engine.dispose()


def csp_errors(page: Page) -> list[str]:
    errors: list[str] = []

    def watch(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    page.on("console", watch)
    return errors


def test_editors_see_no_statistics_and_no_conversations(
    browser: Browser, gateway: Gateway, turns: dict[str, TurnRecord]
) -> None:
    context = staff_context(browser, 1280)
    editor = sign_in(context, gateway, "editor")
    expect(editor.locator("#tab-entries")).to_have_attribute("aria-selected", "true")
    for hidden in ("#tab-dashboard", "#tab-review"):
        expect(editor.locator(hidden)).to_be_hidden()
    editor.click("#tab-unanswered")
    expect(editor.locator("#recheck")).to_be_hidden()
    assert editor.request.get(gateway.url + "/api/faq/dashboard").status == 403
    context.close()


def test_the_reviewer_lands_on_the_queue_and_turns_an_answer_into_a_draft(
    browser: Browser, gateway: Gateway, turns: dict[str, TurnRecord]
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = staff_context(browser, 1280)
    reviewer = sign_in(context, gateway, "reviewer")
    errors = csp_errors(reviewer)
    expect(reviewer.locator("#tab-review")).to_have_attribute("aria-selected", "true")
    expect(reviewer.locator("#tab-review")).to_have_text("待我审核（2）")
    expect(reviewer.locator("#review-turns")).to_contain_text("另有 2 条回答待复核")
    reviewer.click("#open-recheck")
    items = reviewer.locator("#recheck-list > li")
    expect(items).to_have_count(2)
    expect(items.nth(0)).to_contain_text("派出所周末上班吗")
    expect(items.nth(0)).to_contain_text("助手把握不大")
    pet = items.nth(1)
    expect(pet).to_contain_text("我叫[姓名]，狗能上户口吗")
    expect(pet).to_contain_text("没用（答非所问）：问的是宠物")
    expect(reviewer.locator("#groups")).to_be_visible()  # beside the unanswered groups
    reviewer.screenshot(path=str(SHOTS / "admin-recheck-1280.png"), full_page=True)
    pet.locator("button", has_text="查看完整对话").click()
    talk = reviewer.locator("dialog.conversation")
    expect(talk).to_be_visible()
    expect(talk.locator(".talk > li")).to_have_count(2)
    expect(talk.locator(".chosen-turn")).to_contain_text("狗能上户口吗")
    expect(talk).to_contain_text("那猫呢")
    assert "张三" not in talk.inner_text()
    reviewer.screenshot(path=str(SHOTS / "admin-conversation-1280.png"))
    talk.locator("button", has_text="关闭").click()
    pet.locator("button", has_text="生成草稿").click()
    expect(reviewer.locator("#tab-entries")).to_have_attribute("aria-selected", "true")
    expect(reviewer.locator("#e-question")).to_have_value("我叫[姓名]，狗能上户口吗")
    expect(reviewer.locator("#tab-review")).to_have_text("待我审核（1）")
    assert errors == []

    phone = context.new_page()
    phone.set_viewport_size({"width": 360, "height": 800})
    phone.goto(gateway.url + "/admin")
    expect(phone.locator("#review-turns")).to_contain_text("另有 1 条回答待复核")
    phone.click("#open-recheck")
    expect(phone.locator("#recheck-list > li")).to_have_count(1)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page is {width}px wide at 360px"
    phone.locator("#recheck-list button", has_text="查看完整对话").click()
    expect(phone.locator("dialog.conversation")).to_be_visible()
    phone.screenshot(path=str(SHOTS / "admin-conversation-360.png"))
    context.close()


def test_the_dashboard_draws_charts_and_tables_at_1280_and_on_a_phone(
    browser: Browser, gateway: Gateway, turns: dict[str, TurnRecord]
) -> None:
    context = staff_context(browser, 1280)
    admin = sign_in(context, gateway, "admin")
    errors = csp_errors(admin)
    admin.click("#tab-dashboard")
    expect(admin.locator("#cards .card").first).to_contain_text("83")
    for chart in ("daily", "outcomes", "topics", "clauses"):
        expect(admin.locator(f"#chart-{chart} canvas")).to_have_count(1)
    clauses = admin.locator(".table-block", has_text="条款：引用次数与没用率")
    expect(clauses.locator("tbody tr").first).to_contain_text("四(一)")
    period = f"start={admin.input_value('#d-start')}&end={admin.input_value('#d-end')}"
    expect(clauses.locator("a.csv")).to_have_attribute(
        "href", "/api/faq/dashboard/clauses.csv?" + period
    )
    entries = admin.locator(".table-block", has_text="常见问题命中次数")
    expect(entries.locator("tbody tr")).to_have_count(1)
    admin.wait_for_timeout(600)  # ECharts animates the first drawing
    admin.screenshot(path=str(SHOTS / "admin-dashboard-1280.png"), full_page=True)
    csv = admin.request.get(gateway.url + "/api/faq/dashboard/clauses.csv")
    assert csv.status == 200 and "没用率" in csv.text()

    # One day only: the figures follow the range.
    day = (dt.datetime.now(CHINA) - dt.timedelta(days=10)).date().isoformat()
    admin.fill("#d-start", day)
    admin.fill("#d-end", day)
    admin.locator("#range button[type=submit]").click()
    expect(admin.locator("#cards .card").first).to_contain_text("4")
    assert errors == [], errors  # nothing refused by the CSP, nothing failed
    admin.fill("#d-start", "2026-12-31")
    admin.fill("#d-end", "2026-01-01")
    admin.locator("#range button[type=submit]").click()
    expect(admin.locator("#range-error")).to_have_text("开始日期不能晚于结束日期")

    phone = context.new_page()
    phone.set_viewport_size({"width": 360, "height": 800})
    phone.goto(gateway.url + "/admin")
    phone.click("#tab-dashboard")
    expect(phone.locator("#chart-daily canvas")).to_have_count(1)
    phone.wait_for_timeout(600)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page is {width}px wide at 360px"
    box = phone.locator("#chart-topics").bounding_box()
    assert box is not None and box["width"] <= 340
    phone.screenshot(path=str(SHOTS / "admin-dashboard-360.png"), full_page=True)
    context.close()


def test_the_unanswered_list_is_searched_merged_and_closed_beside_each_group(
    browser: Browser, gateway: Gateway
) -> None:
    for text in ("改名字怎么办", "想改名，要带哪些证件", "今天天气怎么样", "独生子女证去哪办"):
        gateway.store.record_unanswered(text, "fallback")
    context = staff_context(browser, 1280)
    editor = sign_in(context, gateway, "editor")
    editor.click("#tab-unanswered")
    expect(editor.locator("#u-count")).to_have_text("共 4 组")
    editor.fill("#u-q", "改名")
    editor.locator("#u-filter button[type=submit]").click()
    groups = editor.locator("#groups > li")
    expect(groups).to_have_count(2)
    expect(editor.locator("#u-export")).to_have_attribute(
        "href", "/api/faq/unanswered.csv?q=%E6%94%B9%E5%90%8D"
    )
    for n in range(2):
        groups.nth(n).locator("input[type=checkbox]").check()
    editor.click("#u-merge")
    expect(editor.locator("#status")).to_contain_text("已合并为一组")
    expect(groups).to_have_count(1)
    expect(groups.first).to_contain_text("共 2 次")
    editor.fill("#u-q", "")
    editor.locator("#u-filter button[type=submit]").click()
    weather = editor.locator("#groups > li", has_text="今天天气怎么样")
    weather.locator("button", has_text="忽略").click()
    expect(editor.locator("#status")).to_contain_text("已忽略：1 条问题")
    expect(editor.locator("#u-count")).to_have_text("共 2 组")
    editor.screenshot(path=str(SHOTS / "admin-unanswered-1280.png"), full_page=True)
    context.close()


def test_try_wordings_in_the_editor(browser: Browser, gateway: Gateway) -> None:
    context = staff_context(browser, 1280)
    editor = sign_in(context, gateway, "editor")
    editor.click("#new-entry")
    editor.fill("#e-question", "护照丢了怎么补办？")
    editor.fill("#e-paraphrases", "护照补办去哪里\n护照遗失怎么办")
    editor.fill("#try-wordings", "护照丢了去哪里补办\n\n孩子怎么上户口")
    editor.click("#try-run")
    results = editor.locator("#try-results > li")
    expect(results).to_have_count(2)
    expect(results.nth(0)).to_have_class("hit")
    expect(results.nth(0)).to_contain_text("✓ 会用本条目回答")
    expect(results.nth(0)).to_contain_text("直接回答需 ≥ 0.28")
    expect(results.nth(1)).to_have_class("miss")
    editor.fill("#try-wordings", "")
    editor.click("#try-run")
    expect(editor.locator("#try-error")).to_have_text("请至少输入一种问法（每行一个）。")
    editor.screenshot(path=str(SHOTS / "admin-try-1280.png"), full_page=True)
    context.close()


def test_a_review_date_puts_the_entry_in_the_reviewers_queue(
    browser: Browser, gateway: Gateway
) -> None:
    entry = gateway.store.create("editor", {"question": "户口迁移证明有效期多久？"})
    context = staff_context(browser, 1280)
    editor = sign_in(context, gateway, "editor")
    editor.locator("#entries button", has_text="户口迁移证明有效期多久").click()
    expect(editor.locator("#review-by")).to_have_value("")
    editor.fill("#review-by", dt.datetime.now(CHINA).date().isoformat())
    editor.click("#review-by-save")
    expect(editor.locator("#status")).to_contain_text("复核日期已设为")
    reviewer_context = staff_context(browser, 1280)
    reviewer = sign_in(reviewer_context, gateway, "reviewer")
    due = reviewer.locator("#review-due button", has_text="户口迁移证明有效期多久")
    expect(due).to_contain_text("复核日期")
    due.click()
    expect(reviewer.locator("#e-question")).to_have_value(entry.question)
    for opened in (context, reviewer_context):
        opened.close()


def test_scheduled_publishing_in_the_editor(browser: Browser, gateway: Gateway) -> None:
    entry = gateway.store.create("editor", {"question": "定时发布的条目？", "answer": "答案。"})
    gateway.store.submit("editor", entry.id)
    gateway.store.approve("reviewer", entry.id)
    context = staff_context(browser, 1280)
    admin = sign_in(context, gateway, "admin")
    admin.click("#tab-entries")
    admin.locator("#entries button", has_text="定时发布的条目").click()
    expect(admin.locator("#publish-at-cancel")).to_be_hidden()
    admin.click("#publish-at-save")
    expect(admin.locator("#publish-at-error")).to_have_text("请先选择发布时间。")
    admin.fill("#publish-at", "2099-01-01T09:00")
    admin.click("#publish-at-save")
    note = admin.locator("#publish-at-note")
    expect(note).to_contain_text("已定于北京时间 2099-01-01 09:00 发布")
    expect(admin.locator("#publish-at")).to_have_value("2099-01-01T09:00")
    admin.screenshot(path=str(SHOTS / "admin-schedule-1280.png"), full_page=True)
    admin.click("#publish-at-cancel")
    expect(admin.locator("#status")).to_contain_text("已取消定时发布")
    assert gateway.store.get(entry.id).publish_at is None
    context.close()
