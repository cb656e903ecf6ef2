"""How jieba with the policy user dictionary splits policy phrases: pinned, like spaCy's
``tests/lang/zh/test_tokenizer.py`` tables. A change to the dictionary that changes these
splits must change this table on purpose."""

from __future__ import annotations

import pytest

from bot.nlu.segmentation import segment

SEGMENTATION = [
    ("我想投靠我老公落户", ["我", "想", "投靠", "我", "老公", "落户"]),
    ("在城镇地区有合法稳定住所", ["在", "城镇地区", "有", "合法稳定住所"]),
    ("没交城镇社保", ["没交", "城镇社保"]),
    ("单位给交五险一金", ["单位", "给", "交", "五险一金"]),
    ("长庆示范区算不算城区", ["长庆示范区", "算不算", "城区"]),
    ("宅基地使用权还保留吗", ["宅基地使用权", "还", "保留", "吗"]),
    ("村里的承包地会收回吗", ["村里", "的", "承包地", "会", "收回", "吗"]),
    ("办居住证要多久", ["办", "居住证", "要", "多久"]),
    ("我是退役士兵", ["我", "是", "退役士兵"]),
    ("刑满释放后回原籍", ["刑满释放", "后", "回", "原籍"]),
    ("开户口迁移证", ["开", "户口迁移证"]),
    ("去街道办事处问", ["去", "街道办事处", "问"]),
    ("老公是现役军人", ["老公", "是", "现役军人"]),
    ("不对我是租的房", ["不对", "我", "是", "租", "的", "房"]),
    ("有没有社保都不知道", ["有没有", "社保", "都", "不", "知道"]),
    ("我没有交社保", ["我", "没有", "交", "社保"]),
    ("你有没有交社保", ["你", "有没有", "交", "社保"]),
]


@pytest.mark.parametrize(("text", "tokens"), SEGMENTATION)
def test_policy_phrases_segment_as_pinned(text: str, tokens: list[str]) -> None:
    assert segment(text) == tokens
