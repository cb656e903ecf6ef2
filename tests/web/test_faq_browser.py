"""The FAQ desk's pages in headless Chromium: an editor writes, a reviewer publishes, citizens read.

The gateway runs alone (uvicorn in a thread, Rasa unreachable: the desk does not need it) on a
temporary SQLite database. Screenshots are saved under artifacts/screenshots/.
"""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Route, expect

from tests.support.browser import SHOTS, Gateway, sign_in, staff_context, write_entry
from tests.support.faq import PASSWORD

QUESTION = "农民进城落户，要退出宅基地吗？"
ANSWER = (
    "不需要。进城落户不以退出土地权益为条件：您在农村的土地承包经营权、宅基地使用权、"
    "集体收益分配权都依法保留。\n具体办理请到拟迁入地派出所户籍窗口咨询。"
)
QUOTE_5_1 = "不得以退出土地承包经营权、宅基地使用权、集体收益分配权作为农民进城落户的条件"
SCRIPT = "<script>alert('xss')</script>"


def test_editor_writes_reviewer_publishes_citizens_read(browser: Browser, gateway: Gateway) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    editor_context = staff_context(browser, 1280)
    editor = sign_in(editor_context, gateway, "editor")
    expect(editor.locator("#who-name")).to_have_text("编辑：editor")
    expect(editor.locator("#tab-users")).to_be_hidden()

    write_entry(editor, QUESTION, ANSWER, "进城落户要交回承包地吗\n落户城里宅基地还保留吗")
    editor.fill("#clause-filter", "宅基地")
    editor.check('#clause-list input[value="5.1"]')
    expect(editor.locator("#chosen")).to_contain_text("五(一)")
    editor.fill("#e-tags", "土地权益，进城落户")
    # The live preview: the assistant's bubble and the clause card with the verbatim quote.
    preview = editor.locator("#preview")
    expect(preview.locator(".row.me .bubble")).to_contain_text(QUESTION)
    expect(preview.locator(".row.bot .bubble")).to_contain_text("不需要。进城落户不以退出土地权益")
    expect(preview.locator(".card h2")).to_contain_text("五(一)")
    expect(preview.locator(".card blockquote")).to_contain_text(QUOTE_5_1)
    expect(preview.locator(".card .notice")).to_contain_text("2022年7月28日")
    editor.screenshot(path=str(SHOTS / "admin-editor-1280.png"), full_page=True)

    editor.click("#save")
    expect(editor.locator("#status")).to_contain_text("已保存：第 1 版（草稿）")
    expect(editor.locator("#entries li").first).to_contain_text(QUESTION)
    expect(editor.locator("#entries li").first).to_contain_text("草稿")
    editor.click("button[data-action=submit]")
    expect(editor.locator("#entry-meta .badge")).to_have_text("待审核")
    expect(editor.locator("button[data-action=approve]")).to_have_count(0)

    reviewer_context = staff_context(browser, 1280)
    reviewer = sign_in(reviewer_context, gateway, "reviewer")
    # Reviewers land on their queue (待我审核); an entry opens from it in the editor.
    expect(reviewer.locator("#tab-review")).to_have_attribute("aria-selected", "true")
    reviewer.locator("#review-entries button", has_text=QUESTION).click()
    expect(reviewer.locator("#e-question")).to_have_value(QUESTION)
    expect(reviewer.locator("#preview .card blockquote")).to_contain_text(QUOTE_5_1)
    expect(reviewer.locator("button[data-action=publish]")).to_have_count(0)
    reviewer.fill("#comment", "引用准确，可以发布。")
    reviewer.locator("#versions button", has_text="与上一版比较").first.click()
    expect(reviewer.locator("#diff .del")).to_have_text("-草稿")
    expect(reviewer.locator("#diff .add")).to_have_text("+待审核")
    reviewer.screenshot(path=str(SHOTS / "admin-review-1280.png"), full_page=True)
    reviewer.click("button[data-action=approve]")
    expect(reviewer.locator("#entry-meta .badge")).to_have_text("已审核待发布")
    reviewer.click("button[data-action=publish]")
    expect(reviewer.locator("#entry-meta .badge")).to_have_text("已发布")
    expect(reviewer.locator("#versions li").first).to_contain_text("第 4 版 · 发布")
    expect(reviewer.locator("#versions")).to_contain_text("意见：引用准确，可以发布。")

    citizen = browser.new_page(viewport={"width": 1280, "height": 900})
    citizen.goto(gateway.url + "/faq")
    article = citizen.locator("article.qa", has_text=QUESTION)
    expect(article.locator("h3")).to_have_text(QUESTION)
    expect(article.locator(".answer")).to_have_text(ANSWER)
    expect(article.locator(".cite")).to_contain_text("五(一)")
    expect(article.locator("blockquote")).to_contain_text(QUOTE_5_1)
    expect(citizen.locator("#notice")).to_contain_text("2022年7月28日")
    expect(citizen.locator("#topics")).to_contain_text("土地权益（1）")
    citizen.screenshot(path=str(SHOTS / "faq-1280.png"), full_page=True)
    citizen.fill("#filter", "居住证")
    expect(article).to_be_hidden()
    expect(citizen.locator("#empty")).to_contain_text("没有找到")
    citizen.fill("#filter", "宅基地")
    expect(article).to_be_visible()

    # The same desk on a phone: one column, nothing cut off.
    phone = editor_context.new_page()
    phone.set_viewport_size({"width": 360, "height": 800})
    phone.goto(gateway.url + "/admin")
    phone.locator("#entries button", has_text=QUESTION).click()
    expect(phone.locator("#preview .card blockquote")).to_contain_text(QUOTE_5_1)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page is {width}px wide at 360px"
    phone.screenshot(path=str(SHOTS / "admin-360.png"), full_page=True)
    for context in (editor_context, reviewer_context):
        context.close()
    citizen.close()


def test_script_in_an_answer_is_shown_as_text(browser: Browser, gateway: Gateway) -> None:
    context = staff_context(browser, 1280)
    editor = sign_in(context, gateway, "editor")
    dialogs: list[str] = []
    editor.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    question = "答案里写了脚本会怎样？"
    answer = f"{SCRIPT}这段文字应当原样显示。<b>不是粗体</b>"
    write_entry(editor, question, answer)
    bubble = editor.locator("#preview .row.bot .bubble")
    expect(bubble).to_contain_text(answer)
    assert editor.locator("#preview script, #preview b").count() == 0
    editor.click("#save")
    expect(editor.locator("#status")).to_contain_text("已保存")
    entry_id = int(
        editor.locator("#entries button", has_text=question).get_attribute("data-id") or 0
    )
    gateway.store.submit("editor", entry_id)
    gateway.store.approve("reviewer", entry_id)
    gateway.store.publish("reviewer", entry_id)

    citizen = context.new_page()
    citizen.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    citizen.goto(gateway.url + "/faq")
    article = citizen.locator("article.qa", has_text=question)
    expect(article.locator(".answer")).to_have_text(answer)
    assert citizen.locator("#groups script, #groups b").count() == 0
    assert dialogs == []
    context.close()


def test_a_conflicting_save_keeps_the_editors_text(browser: Browser, gateway: Gateway) -> None:
    entry = gateway.store.create(
        "editor", {"question": "准生证没有办，孩子能上户口吗？", "answer": "可以。"}
    )
    context = staff_context(browser, 1280)
    editor = sign_in(context, gateway, "editor")
    editor.locator("#entries button", has_text=entry.question).click()
    expect(editor.locator("#e-answer")).to_have_value("可以。")
    # Someone else saves first.
    gateway.store.update("editor2", entry.id, {"answer": "另一位编辑的答案。"}, entry.revision)
    mine = "可以。政策规定不得以未办理准生证为由拒绝登记户口。"
    editor.fill("#e-answer", mine)
    editor.click("#save")
    alert = editor.locator("#alert")
    expect(alert).to_contain_text("该条目已被他人修改")
    expect(alert).to_contain_text("没有丢失")
    expect(editor.locator("#e-answer")).to_have_value(mine)
    expect(editor.locator("#versions li")).to_have_count(2)  # the other edit is listed
    assert gateway.store.get(entry.id).answer == "另一位编辑的答案。"
    # Saving again still refuses until the editor decides; then theirs overwrites.
    editor.click("#save")
    expect(alert).to_contain_text("该条目已被他人修改")
    alert.locator("button", has_text="用我的内容覆盖保存").click()
    expect(editor.locator("#status")).to_contain_text("已保存：第 3 版")
    expect(alert).to_be_empty()
    assert gateway.store.get(entry.id).answer == mine
    context.close()


def test_unanswered_questions_become_a_draft(browser: Browser, gateway: Gateway) -> None:
    for text in ("户口本丢了去哪里补办", "户口本丢了在哪补办", "户口本丢了怎么补办"):
        gateway.store.record_unanswered(text, "fallback")
    context = staff_context(browser, 1280)
    editor = sign_in(context, gateway, "editor")
    editor.click("#tab-unanswered")
    group = editor.locator("#groups > li", has_text="户口本丢了")
    expect(group).to_contain_text("共 3 次")
    expect(group).to_contain_text("助手没听懂")
    group.locator("button", has_text="生成草稿").click()
    expect(editor.locator("#pane-entries")).to_be_visible()
    expect(editor.locator("#e-question")).to_have_value("户口本丢了去哪里补办")
    expect(editor.locator("#e-paraphrases")).to_have_value(re.compile("户口本丢了在哪补办"))
    expect(editor.locator("#status")).to_contain_text("已生成草稿")
    context.close()


def test_admins_add_accounts_and_the_session_survives_a_reload(
    browser: Browser, gateway: Gateway
) -> None:
    context = staff_context(browser, 1280)
    admin = sign_in(context, gateway, "admin")
    admin.click("#tab-users")
    expect(admin.locator("#users")).to_contain_text("reviewer")
    admin.fill("#u-name", "wang.li")
    admin.fill("#u-password", "short")
    admin.select_option("#u-role", "editor")
    admin.click("#user-form button[type=submit]")
    expect(admin.locator("#alert")).to_contain_text("密码至少需要 10 个字符")
    admin.fill("#u-password", PASSWORD)
    admin.click("#user-form button[type=submit]")
    expect(admin.locator("#status")).to_contain_text("已新建账号 wang.li（编辑）")
    expect(admin.locator("#users")).to_contain_text("wang.li")
    admin.reload()
    expect(admin.locator("#who-name")).to_have_text("管理员：admin")
    admin.click("#logout")
    expect(admin.locator("#login")).to_be_visible()
    admin.reload()
    expect(admin.locator("#login")).to_be_visible()
    # A wrong password is refused in Chinese.
    admin.fill("#username", "admin")
    admin.fill("#password", "not the password")
    admin.click("#login-button")
    expect(admin.locator("#alert")).to_have_text("用户名或密码不正确")
    context.close()


def test_an_expired_session_keeps_the_unsaved_text(browser: Browser, gateway: Gateway) -> None:
    context = staff_context(browser, 1280)
    editor = sign_in(context, gateway, "editor")
    write_entry(editor, "会话过期后文字还在吗？", "写了很久的答案，不能丢。")
    # The session ends while the editor is still typing (as after 30 idle minutes).
    context.clear_cookies()
    editor.click("#save")
    expect(editor.locator("#login")).to_be_visible()
    expect(editor.locator("#alert")).to_contain_text("请先登录")
    editor.fill("#username", "editor")
    editor.fill("#password", PASSWORD)
    editor.click("#login-button")
    expect(editor.locator("#e-answer")).to_have_value("写了很久的答案，不能丢。")
    expect(editor.locator("#e-question")).to_have_value("会话过期后文字还在吗？")
    editor.click("#save")
    expect(editor.locator("#status")).to_contain_text("已保存：第 1 版")
    context.close()


def test_what_is_typed_right_after_signing_in_stays(browser: Browser, gateway: Gateway) -> None:
    """The clause list may arrive after the editor began typing: it must not wipe the form.

    (A CI run on a busy machine: the sign-in started a new entry only once the list had
    loaded, and the question typed meanwhile was gone: 问题不能为空.)
    """
    context = staff_context(browser, 1280)
    held: list[Route] = []

    def hold(route: Route) -> None:
        held.append(route)  # answered only when the test says so

    context.route("**/api/clauses", hold)
    editor = sign_in(context, gateway, "editor")
    write_entry(editor, QUESTION, ANSWER)
    assert held, "the clause list was requested at sign-in"
    for route in held:
        route.continue_()
    expect(editor.locator("#clause-list input[value='5.1']")).to_have_count(1)
    expect(editor.locator("#e-question")).to_have_value(QUESTION)
    expect(editor.locator("#e-answer")).to_have_value(ANSWER)
    context.close()
