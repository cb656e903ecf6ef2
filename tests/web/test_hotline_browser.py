"""The hotline page at 1280 px (issue 15): applicants, one source of truth, the script, 办事指南,
the 工单, search, the keyboard — in headless Chromium, the words read by the fact rules.

Screenshots go to artifacts/screenshots/hotline-*.png for people to look at.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.support.browser import SHOTS, Gateway
from tests.web.conftest import ARGS, CHROMIUM

FAMILY = "我是醴陵城区户口，我老婆是外县的，孩子3岁，我妈在乡下农村，想把她们的户口都迁到我这里来"
RENTER = "来电人在城里租了房子，在厂里上班没交社保，想把户口迁过来"
INTRANET = "hotline.intranet"
"""A host name that is not loopback: Chromium treats its http:// pages as insecure."""


ERRORS: list[str] = []
"""Script errors on the page: a test fails on any."""

# The first lookup loads the fact rules (seconds on a shared machine).
expect.set_options(timeout=30_000)


def _page(browser: Browser) -> Page:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(30_000)
    page.on("pageerror", lambda error: ERRORS.append(str(error)))
    return page


@pytest.fixture(autouse=True)
def _no_script_errors() -> Iterator[None]:
    ERRORS.clear()
    yield
    assert not ERRORS, ERRORS


def _staff(browser: Browser, gateway: Gateway, words: str = "") -> Page:
    """The hotline page, with the caller's words typed in."""
    page = _page(browser)
    page.goto(gateway.url + "/staff")
    if words:
        page.fill("#text", words)
    return page


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name), full_page=True)


def test_one_call_several_applicants(browser: Browser, gateway: Gateway) -> None:
    page = _page(browser)
    page.goto(gateway.url + "/staff")
    expect(page.locator("#text")).to_be_focused()
    page.fill("#text", FAMILY)
    tabs = page.locator("#applicants [role=tab]")
    expect(tabs).to_have_count(3)
    expect(tabs.nth(0)).to_contain_text("配偶（老婆）")
    expect(tabs.nth(1)).to_contain_text("子女（孩子）")
    expect(tabs.nth(2)).to_contain_text("父母（妈）")
    # The wife: from outside Liling, joining her husband in town.
    expect(page.locator("#fact-current_hukou_area")).to_have_value('"outside_liling"')
    expect(page.locator("#src-current_hukou_area")).to_have_text("据描述")
    # No worker in these tests: the page says the rules alone read the words.
    expect(page.locator("#result .how")).to_contain_text("只按规则理解")
    expect(page.locator("#result .clause h3").first).to_contain_text("三(一)1")
    # The child: the age is the child's (a minor), not the caller's.
    tabs.nth(1).click()
    expect(page.locator("#who")).to_contain_text("子女（孩子）")
    expect(page.locator("#fact-is_minor")).to_have_value("true")
    expect(page.locator("#fact-join_relative")).to_have_value('"parent"')
    # The mother: her hukou is in the countryside; she joins her child.
    tabs.nth(2).focus()
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowRight")
    expect(page.locator("#applicant-2")).to_be_focused()
    expect(page.locator("#fact-current_hukou_area")).to_have_value('"liling_rural"')
    expect(page.locator("#fact-join_relative")).to_have_value('"child"')
    _shot(page, "hotline-applicants-1280.png")
    # Re-label, add and remove: the call keeps its people apart.
    page.fill("#relabel", "母亲")
    page.press("#relabel", "Enter")
    page.locator("#relabel").blur()
    expect(tabs.nth(2)).to_contain_text("母亲")
    page.select_option("#new-role", "self")
    page.click("#add-applicant")
    expect(tabs).to_have_count(4)
    expect(page.locator("#applicant-3")).to_have_attribute("aria-selected", "true")
    page.click("#remove-applicant")
    expect(tabs).to_have_count(3)
    expect(tabs.nth(2)).to_contain_text("母亲")
    expect(page.locator("#fact-current_hukou_area")).to_have_value('"liling_rural"')
    page.close()


def test_a_call_made_for_one_relative_names_them_not_the_caller(
    browser: Browser, gateway: Gateway
) -> None:
    """来电人称其侄子…代为咨询: the applicant is the nephew, named by his relation to the caller."""
    page = _staff(
        browser, gateway, "来电人称其侄子户口在江西，在醴陵城区买了房，来电人代为咨询侄子能否落户"
    )
    tab = page.locator("#applicants .tab")
    expect(tab).to_have_count(1)
    expect(tab.first).to_contain_text("其他亲属（来电人代问）")
    expect(page.locator("#script")).to_have_value(re.compile("您说的其他亲属的情况"))
    expect(page.locator("#result .clause h3").first).to_contain_text("三(一)5")
    # A fact set by hand keeps the applicant and the words' other facts (the nephew's).
    page.select_option("#fact-housing", label="没有住所")
    expect(page.locator("#src-housing")).to_have_text("人工")
    expect(page.locator("#result .clause.ruled").first).to_contain_text("三(一)5")
    expect(tab.first).to_contain_text("其他亲属（来电人代问）")
    expect(page.locator("#fact-current_hukou_area")).to_have_value('"outside_liling"')
    page.click("#tab-ticket")
    expect(page.locator("#ticket-text")).to_have_value(re.compile("与来电人关系：其他亲属"))
    _shot(page, "hotline-relative-1280.png")
    page.close()


def test_the_operators_choice_overrides_the_words(browser: Browser, gateway: Gateway) -> None:
    page = _staff(browser, gateway, RENTER)
    housing, mark = page.locator("#fact-housing"), page.locator("#src-housing")
    expect(housing).to_have_value('"rented"')
    expect(mark).to_have_text("据描述")
    expect(page.locator("#result .clause h3").first).to_contain_text("三(一)5")
    # Understood facts sit in their selects: no second, grey "understood" line.
    expect(page.locator("#understood")).to_have_count(0)
    expect(page.locator("#facts-main #fact-housing")).to_have_count(1)
    page.select_option("#fact-housing", label="没有住所")
    expect(mark).to_have_text("人工")
    expect(page.locator("#result .clause.ruled").first).to_contain_text("三(一)5")
    expect(page.locator("#script")).not_to_have_value(re.compile("租房"))
    _shot(page, "hotline-override-1280.png")
    page.locator("#src-housing + .back").click()
    expect(mark).to_have_text("据描述")
    expect(housing).to_have_value('"rented"')
    # Facts that do not matter for this goal are folded away.
    expect(page.locator("#facts-rest #fact-veteran")).to_have_count(1)
    expect(page.locator("#fact-veteran")).to_be_hidden()
    page.close()


def test_still_to_ask_is_answered_in_place(browser: Browser, gateway: Gateway) -> None:
    page = _staff(browser, gateway, "我老公户口在城里，想投靠他落户")
    ask = page.locator('#asks li[data-fact="lives_with_relative"]')
    expect(ask).to_contain_text("共同居住生活")
    expect(page.locator("#script")).to_have_value(re.compile("还需要问清"))
    ask.get_by_role("button", name=re.compile("不清楚$")).click()
    expect(ask).to_have_count(0)
    expect(page.locator("#asks")).to_contain_text("来电人不清楚：与所投靠亲属共同居住生活")
    other = page.locator("#asks li").first
    fact = other.get_attribute("data-fact")
    other.get_by_role("button", name=re.compile("否$")).click()
    expect(page.locator(f"#fact-{fact}")).to_have_value("false")
    expect(page.locator(f"#src-{fact}")).to_have_text("人工")
    expect(page.locator(f'#asks li[data-fact="{fact}"]')).to_have_count(0)
    _shot(page, "hotline-asks-1280.png")
    page.close()


def test_the_script_the_guide_and_the_ticket(browser: Browser, gateway: Gateway) -> None:
    page = _staff(browser, gateway, "我老公户口在城里，想投靠他落户，我们住在一起")
    script = page.locator("#script")
    expect(script).to_have_value(re.compile("三\\(一\\)1"))
    value = script.input_value()
    assert "2022年7月28日" in value and "派出所" in value
    assert re.search(r"^1\. 居民户口簿", value, re.M), value
    assert "离婚" not in value  # rows for other cases are not this applicant's
    assert "办理地点：拟迁入地公安派出所户籍窗口" in value
    assert "办理时限：" in value
    expect(page.locator("#print")).to_have_attribute("href", re.compile("^/checklist\\?"))
    # The citizen's checklist page, for this applicant's situation (one page, two users).
    checklist = page.request.get(gateway.url + str(page.locator("#print").get_attribute("href")))
    assert checklist.ok and "居民户口簿" in checklist.text() and "离婚" not in checklist.text()
    # The copy button sits above the fold at 1280 x 900.
    box = page.locator("#copy").bounding_box()
    assert box is not None and box["y"] + box["height"] < 900
    page.click("#tab-guide")
    guide = page.locator("#guide")
    expect(guide.locator("h3").first).to_contain_text("三(一)1")
    expect(guide.locator("dt")).to_contain_text(
        ["事项名称", "办理依据", "受理条件", "申请材料", "办理地点", "审批", "办理时间", "办理时限"]
    )
    phone = guide.locator("dt", has_text="联系电话").locator("xpath=following-sibling::dd[1]")
    expect(phone).to_have_text("未见规定，以派出所公布为准")
    fee = guide.locator("dt", has_text="收费标准").locator("xpath=following-sibling::dd[1]")
    expect(fee).to_have_text("未见规定，以派出所公布为准")
    assert not re.search(r"\d{7,}|\d{3,4}-\d{7,8}", guide.inner_text())  # no invented number
    _shot(page, "hotline-guide-1280.png")
    page.click("#tab-ticket")
    ticket = page.locator("#ticket-text")
    expect(ticket).to_have_value(
        re.compile("^诉求分类：户籍管理 > 在醴陵城镇地区落户 > 三\\(一\\)1")
    )
    expect(ticket).to_have_value(re.compile("承办单位：市公安局"))
    page.close()


def test_search_opens_the_clause_and_says_what_is_covered(
    browser: Browser, gateway: Gateway
) -> None:
    page = _page(browser)
    page.goto(gateway.url + "/staff")
    page.fill("#q", "集体户")
    first = page.locator("#hits li .hit").first
    expect(first).to_contain_text("三(二)3")
    first.focus()
    page.keyboard.press("Enter")
    view = page.locator("#clause-view")
    expect(view).to_be_focused()
    expect(view.locator("blockquote").first).to_contain_text("就业指导中心")
    expect(view.locator("mark", has_text="就业指导中心")).not_to_have_count(0)
    _shot(page, "hotline-clause-1280.png")
    page.fill("#q", "护照")
    none = page.locator("#hits li.none")
    expect(none).to_contain_text("政策中没有找到“护照”")
    expect(none).to_contain_text("三(一) 全面放开城镇地区落户限制")
    expect(none).to_contain_text("派出所")
    _shot(page, "hotline-search-1280.png")
    page.fill("#q", "准迁证")
    expect(page.locator("#hits li .hit").first).to_be_visible()
    page.close()


def test_escape_clears_the_call(browser: Browser, gateway: Gateway) -> None:
    page = _staff(browser, gateway, FAMILY)
    expect(page.locator("#applicants [role=tab]")).to_have_count(3)
    page.focus("#fact-goal")
    page.keyboard.press("Escape")  # closes a select's list, never the call
    expect(page.locator("#text")).to_have_value(FAMILY)
    page.locator("#applicant-1").focus()
    page.keyboard.press("Escape")
    expect(page.locator("#text")).to_be_focused()
    expect(page.locator("#text")).to_have_value("")
    expect(page.locator("#applicants [role=tab]")).to_have_count(1)
    page.close()


@pytest.fixture(scope="module")
def intranet_browser(browser: Browser) -> Iterator[Browser]:
    """Chromium that reaches the gateway under a non-loopback name, as an intranet PC would."""
    instance = browser.browser_type.launch(
        executable_path=CHROMIUM, args=[*ARGS, f"--host-resolver-rules=MAP {INTRANET} 127.0.0.1"]
    )
    yield instance
    instance.close()


def test_copying_works_over_plain_http(intranet_browser: Browser, gateway: Gateway) -> None:
    page = _page(intranet_browser)
    port = urlsplit(gateway.url).port
    page.goto(f"http://{INTRANET}:{port}/staff")
    assert page.evaluate("window.isSecureContext") is False
    page.fill("#text", "我老公户口在城里，想投靠他落户，我们住在一起")
    expect(page.locator("#script")).to_have_value(re.compile("三\\(一\\)1"))
    page.keyboard.press("Control+Enter")
    expect(page.locator("#copied")).to_have_text(
        re.compile("^(已复制|已选中，请按 Ctrl\\+C 复制)$")
    )
    expect(page.locator("#script")).to_be_focused()
    selected = page.evaluate(
        "(() => { const s = document.getElementById('script');"
        " return s.value.slice(s.selectionStart, s.selectionEnd) === s.value; })()"
    )
    assert selected
    # What was copied pastes as the script.
    if page.locator("#copied").inner_text() == "已复制":
        page.fill("#q", "")
        page.focus("#q")
        page.keyboard.press("Control+V")
        expect(page.locator("#q")).to_have_value(re.compile("三\\(一\\)1"))
    _shot(page, "hotline-copy-http-1280.png")
    page.close()
