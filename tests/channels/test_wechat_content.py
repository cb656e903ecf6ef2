"""A turn's messages as WeChat texts: merged, cut at 2000 bytes between characters, buttons
as numbered options that map back to their payloads."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.channels.wechat.content import (
    MAX_TEXT_BYTES,
    Option,
    chosen,
    msgmenu,
    render,
    split_text,
)


def test_a_turn_is_merged_into_one_text_with_numbered_options() -> None:
    rendered = render(
        [
            {"text": "进城落户需要合法稳定住所。", "buttons": [
                {"title": "需要什么材料", "payload": "/ask_documents"},
                {"title": "转人工", "payload": "/human_handoff"},
            ]},
            {"custom": {"type": "assessment"}},
            {"text": "还有什么想问的？"},
        ]
    )  # fmt: skip
    assert rendered.texts == [
        "进城落户需要合法稳定住所。\n\n还有什么想问的？\n\n回复 1：需要什么材料\n回复 2：转人工"
    ]
    assert rendered.options == [
        Option("需要什么材料", "/ask_documents"),
        Option("转人工", "/human_handoff"),
    ]


def test_the_quick_replies_behind_more_are_numbered_too() -> None:
    rendered = render(
        [
            {"text": "您想办理哪一类事情？", "buttons": [
                {"title": "在醴陵城镇地区落户", "payload": "/a"},
                {"title": "不清楚", "payload": "/dont_know"},
            ]},
            {"custom": {"type": "question", "more_buttons": [
                {"title": "办理居住证", "payload": "/b"}, "not a button",
            ]}},
        ]
    )  # fmt: skip
    assert [o.title for o in rendered.options] == ["在醴陵城镇地区落户", "不清楚", "办理居住证"]
    assert rendered.texts[0].endswith("回复 3：办理居住证")


def test_chinese_text_is_cut_at_2000_bytes_on_character_boundaries() -> None:
    text = "户籍" * 1500 + "\n" + "落户" * 10  # 9000+ bytes, one early break only
    pieces = split_text(text)
    assert all(len(p.encode()) <= MAX_TEXT_BYTES for p in pieces)
    assert "".join(pieces).replace("\n", "") == text.replace("\n", "")
    assert len(pieces) == 5


def test_a_paragraph_break_in_the_second_half_is_preferred() -> None:
    text = "一" * 500 + "\n" + "二" * 400  # 1500 + 1 + 1200 bytes
    assert split_text(text) == ["一" * 500, "二" * 400]


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=3000))
def test_splitting_never_breaks_a_character_or_passes_the_limit(text: str) -> None:
    pieces = split_text(text, limit=64)
    assert all(len(p.encode()) <= 64 for p in pieces)
    # Only white space at a cut may be dropped; every other character stays, in order.
    assert "".join("".join(pieces).split()) == "".join(text.split())


OPTIONS = [Option("需要什么材料", "/ask_documents"), Option("去哪里办理", "/ask_where_to_apply")]


def test_a_number_or_a_title_chooses_an_option() -> None:
    for typed in ("1", "１", "回复1", "回复 1", " 1。", "需要什么材料"):
        assert chosen(typed, OPTIONS) == "/ask_documents", typed
    assert chosen("2", OPTIONS) == "/ask_where_to_apply"
    assert chosen("", OPTIONS, menu_id="2") == "/ask_where_to_apply"


def test_anything_else_is_a_new_message() -> None:
    for typed in ("3", "0", "12", "1个孩子", "我想问材料"):
        assert chosen(typed, OPTIONS) is None, typed
    assert chosen("1", []) is None
    assert chosen("x", OPTIONS, menu_id="0") is None


def test_a_msgmenu_carries_the_text_above_the_options() -> None:
    rendered = render([{"text": "要办哪一项？", "buttons": [
        {"title": "需要什么材料", "payload": "/ask_documents"},
        {"title": "去哪里办理", "payload": "/ask_where_to_apply"},
    ]}])  # fmt: skip
    menu = msgmenu(rendered.texts[-1], rendered.options)
    assert menu == {
        "head_content": "要办哪一项？",
        "list": [{"id": "1", "content": "需要什么材料"}, {"id": "2", "content": "去哪里办理"}],
        "tail_content": "",
    }
    assert msgmenu("没有选项的文字", rendered.options) is None  # options split off: text
    assert msgmenu("要办哪一项？", []) is None


def test_links_only_to_the_deployments_own_host() -> None:
    own = {"hukou.liling.gov.cn"}
    text = (
        '见<a href="https://hukou.liling.gov.cn/checklist?c=3.2.2">材料清单</a>，'
        '不是<a href="https://evil.example/x" target=_blank>这里</A>，'
        "也不是<a href='javascript:alert(1)'>脚本</a><a href=http://hukou.liling.gov.cn.evil.example>伪装</a>"
    )
    assert render([{"text": text}], link_hosts=own).texts == [
        '见<a href="https://hukou.liling.gov.cn/checklist?c=3.2.2">材料清单</a>，'
        "不是这里，也不是脚本伪装"
    ]
    assert render([{"text": text}]).texts == ["见材料清单，不是这里，也不是脚本伪装"]  # no hosts
    # An unclosed tag is dropped; text that only looks like markup stays as it is.
    assert render([{"text": "<a href=https://evil.example>半个 a<b 与 <abbr>"}]).texts == [
        "半个 a<b 与 <abbr>"
    ]
