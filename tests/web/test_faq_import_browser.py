"""Web import on /admin in headless Chromium: admins only; a bad file imports nothing and
the reasons, 文件:行 each, stand beside the button; a good file lands in the entry list."""

from __future__ import annotations

from playwright.sync_api import Browser, FilePayload, expect

from tests.support.browser import SHOTS, Gateway, sign_in, staff_context

BAD = """\
- question: 导入测试：进城落户要退出宅基地吗？
  answer: 不需要。
  clauses: [5.1]
- question: 导入测试：居住证有什么用？
  answer: 有用。
  clauses: [9.9]
"""
GOOD = BAD.replace("[9.9]", '["4.2"]\n  status: in_review')


def _file(name: str, content: bytes) -> FilePayload:
    return {"name": name, "mimeType": "application/x-yaml", "buffer": content}


def test_an_admin_imports_a_file_only_when_every_row_is_good(
    browser: Browser, gateway: Gateway
) -> None:
    context = staff_context(browser, 1280)
    page = sign_in(context, gateway, "admin")
    page.click("#tab-entries")
    box = page.locator("#import-box")
    expect(box).to_be_visible()
    box.locator("summary").click()

    page.click("#import-run")
    expect(page.locator("#import-error")).to_have_text("请先选择要导入的 YAML 文件。")

    page.set_input_files("#import-file", files=[_file("新条目.yml", BAD.encode())])
    page.click("#import-run")
    error = page.locator("#import-error")
    expect(error).to_contain_text("没有导入任何条目：1 条有问题")
    expect(error).to_contain_text("新条目.yml:4: 第 2 条：未知的条款编号：9.9")
    # Beside the control, not at the top of the page.
    error_box, button_box = error.bounding_box(), page.locator("#import-run").bounding_box()
    assert error_box and button_box and 0 < error_box["y"] - button_box["y"] < 80
    expect(page.locator("#entries")).not_to_contain_text("导入测试")
    assert not [e for e in gateway.store.list() if e.question.startswith("导入测试")]
    box.screenshot(path=str(SHOTS / "admin-import-refused.png"))

    page.set_input_files("#import-file", files=[_file("gbk.yml", BAD.encode("gbk"))])
    page.click("#import-run")
    expect(error).to_have_text("gbk.yml 不是 UTF-8 编码的文本文件，请用 UTF-8 编码另存后再导入。")

    page.set_input_files("#import-file", files=[_file("新条目.yml", GOOD.encode())])
    page.click("#import-run")
    expect(page.locator("#status")).to_contain_text("已从 新条目.yml 导入 2 条")
    expect(error).to_be_empty()
    expect(page.locator("#entries")).to_contain_text("导入测试：居住证有什么用？")
    imported = {e.question: e.status for e in gateway.store.list()}
    assert imported["导入测试：进城落户要退出宅基地吗？"] == "draft"
    assert imported["导入测试：居住证有什么用？"] == "in_review"
    page.screenshot(path=str(SHOTS / "admin-import-done-1280.png"), full_page=True)
    context.close()


def test_editors_and_reviewers_see_no_import(browser: Browser, gateway: Gateway) -> None:
    for username in ("editor", "reviewer"):
        context = staff_context(browser, 1280)
        page = sign_in(context, gateway, username)
        page.click("#tab-entries")
        expect(page.locator("#new-entry")).to_be_visible()
        expect(page.locator("#import-box")).to_be_hidden()
        context.close()
