"""Masking as a tested component: no personal number survives in any format, and ordinary text
is left exactly as it was.

Hypothesis writes ID-card, mobile, landline and bank-card numbers as citizens type them —
grouped any way, with spaces, dots, slashes, dashes or line breaks between the groups, in
ASCII, full-width or Chinese digits, mobiles with +86 — inside Chinese text; e-mail addresses
too. The masked text must keep no digit of it, carry the right label and leave the text around
it as it was. Every NLU training and held-out message, every user turn of the test stories
and scenarios and every line of the policy text (dates, 醴政发〔2017〕6号, clause numbers) must
come out unchanged.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.paths import ROOT
from bot.privacy.masking import BANK_CARD, EMAIL, ID_CARD, LANDLINE, MOBILE, mask_pii

CHINESE_DIGITS = "零一二三四五六七八九"
FULL_WIDTH_DIGITS = "０１２３４５６７８９"
ANY_DIGIT = re.compile(r"[0-9０-９零〇○一二三四五六七八九幺壹贰叁肆伍陆柒捌玖Xx]")
SEPARATORS = [" ", "-", ".", "/", "\n", "\r\n", " - ", "　", "－", "．", "／", "\t", "_"]
# Words a message is made of around the number; none holds a digit or a Latin letter.
WORDS = [
    "我", "的", "电话", "是", "身份证", "号码", "：", "，", "。", "想", "问", "下", "户口",
    "迁移", "醴陵", "落户", "谢谢", "银行卡", "联系", "方式", "手机", "（", "）", "？", "您好",
    "麻烦", "帮我", "查", "城区", "派出所", " ", "\n",
]  # fmt: skip
# Chinese digits used as words would be read as part of the number: leave them out.
assert not any(ANY_DIGIT.search(word) for word in WORDS)

words = st.lists(st.sampled_from(WORDS), max_size=6).map("".join)


@st.composite
def id_cards(draw: st.DrawFn) -> str:
    """18 characters: region, a birth date since 1900, sequence, check character."""
    region = draw(st.from_regex(r"[1-8][0-9]{5}", fullmatch=True))
    born = draw(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date.today()))
    sequence = draw(st.from_regex(r"[0-9]{3}", fullmatch=True))
    check = draw(st.sampled_from("0123456789X"))
    return f"{region}{born:%Y%m%d}{sequence}{check}"


mobiles = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)
landlines = st.from_regex(r"0[1-9][0-9]{1,2}[2-9][0-9]{6,7}", fullmatch=True)
# 16, 17 or 19 digits (an 18-digit card holding a birth date is masked as an ID card).
bank_cards = st.from_regex(r"[3-6][0-9]{15,16}|[3-6][0-9]{18}", fullmatch=True)

KINDS = {"id": (id_cards(), ID_CARD), "mobile": (mobiles, MOBILE), "bank": (bank_cards, BANK_CARD)}


@st.composite
def written(draw: st.DrawFn, number: str) -> str:
    """``number`` as someone might type it: groups, separators, a kind of digit per number."""
    cuts = sorted(draw(st.sets(st.integers(1, len(number) - 1), max_size=5)))
    groups = [number[a:b] for a, b in zip([0, *cuts], [*cuts, len(number)], strict=True)]
    text = groups[0]
    for group in groups[1:]:
        text += draw(st.sampled_from(SEPARATORS)) + group
    style = draw(st.sampled_from(["ascii", "full-width", "chinese", "mixed"]))
    if style == "mixed":
        return "".join(
            draw(st.sampled_from([c, _full_width(c), _chinese(c)])) if c.isdigit() else c
            for c in text
        )
    return {"ascii": text, "full-width": _full_width(text), "chinese": _chinese(text)}[style]


def _full_width(text: str) -> str:
    return text.translate(str.maketrans("0123456789X", FULL_WIDTH_DIGITS + "Ｘ"))


def _chinese(text: str) -> str:
    return text.translate(str.maketrans("0123456789", CHINESE_DIGITS))


@st.composite
def personal_numbers(draw: st.DrawFn) -> tuple[str, str]:
    """A number of some kind, as typed, and the label it must be masked with."""
    kind = draw(st.sampled_from(sorted(KINDS)))
    numbers, label = KINDS[kind]
    number = draw(numbers)
    typed = draw(written(number))
    if kind == "mobile":
        typed = draw(st.sampled_from(["", "+86 ", "+86-", "86", "0086 "])) + typed
    return typed, label


@settings(max_examples=400, deadline=None)
@given(before=words, number=personal_numbers(), after=words)
@example(before="身份证", number=("110105 19491231 002X", ID_CARD), after="")
@example(before="身份证", number=("110105-19491231-002X", ID_CARD), after="丢了")
@example(before="", number=("110105/19491231/002X", ID_CARD), after="")
@example(before="电话", number=("138.0013.8000", MOBILE), after="")
@example(before="电话", number=("一三八零零一三八零零零", MOBILE), after="")
@example(before="手机", number=("１３８\n００１３\n８０００", MOBILE), after="谢谢")
@example(before="卡号", number=("6222 0212 3456 7890 123", BANK_CARD), after="")
def test_no_personal_number_survives(before: str, number: tuple[str, str], after: str) -> None:
    typed, label = number
    masked = mask_pii(before + typed + after)
    assert not ANY_DIGIT.search(masked), masked
    assert masked == mask_pii(before) + label + mask_pii(after)


@settings(max_examples=200, deadline=None)
@given(before=words, number=landlines, after=words, sep=st.sampled_from(["", "-", " ", "—"]))
def test_landlines_with_an_area_code_are_masked(
    before: str, number: str, after: str, sep: str
) -> None:
    area = 3 if number[1] in "12" else 4  # 010, 020 … ; 0731, 0733 …
    masked = mask_pii(before + number[:area] + sep + number[area:] + after)
    assert not ANY_DIGIT.search(masked)
    assert LANDLINE in masked


emails = st.from_regex(
    r"[a-z0-9][a-z0-9._-]{0,15}@[a-z0-9]{1,10}(\.[a-z0-9]{1,8})?\.(com|cn|net|org)", fullmatch=True
)


@settings(max_examples=200, deadline=None)
@given(before=words, address=emails, after=words, wide=st.booleans())
@example(before="邮箱", address="zhang.san@qq.com", after="", wide=False)
@example(before="", address="liling2017@163.com", after="谢谢", wide=True)
def test_email_addresses_are_masked(before: str, address: str, after: str, wide: bool) -> None:
    if wide:
        address = address.translate({i: 0xFEE0 + i for i in range(0x21, 0x7F)})
    masked = mask_pii(before + address + after)
    assert masked == mask_pii(before) + EMAIL + mask_pii(after)


# -- ordinary text is left as it is --------------------------------------------------------

ANNOTATION = re.compile(r"\[([^\]]*)\](?:\{[^}]*\}|\([^)]*\))")
"""Rasa's entity mark-up, ``[租房](housing)`` or ``[城里]{"entity": …}``: the text is inside."""


def _nlu_messages(path: Path) -> Iterator[str]:
    for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
        for line in str(block.get("examples", "")).splitlines():
            if line.strip().startswith("- "):
                yield ANNOTATION.sub(r"\1", line.strip()[2:])


def _story_messages() -> Iterator[str]:
    stories = yaml.safe_load((ROOT / "tests/stories/test_stories.yml").read_text("utf-8"))
    for story in stories["stories"]:
        for step in story["steps"]:
            if "user" in step:
                yield ANNOTATION.sub(r"\1", step["user"])
    scenarios = yaml.safe_load((ROOT / "tests/stories/scenarios.yml").read_text("utf-8"))
    for scenario in scenarios["scenarios"]:
        yield from scenario["messages"]


def _ordinary_texts() -> list[str]:
    nlu = [*sorted((ROOT / "data/nlu").glob("*.yml")), ROOT / "tests/data/nlu_holdout.yml"]
    texts = [text for path in nlu for text in _nlu_messages(path)]
    texts += _story_messages()
    policy = ROOT / "policy_text/liling-2017-6.txt"
    texts += [line for line in policy.read_text(encoding="utf-8").splitlines() if line.strip()]
    return texts


ORDINARY = _ordinary_texts()


def test_the_ordinary_corpus_is_the_one_the_issue_names() -> None:
    # Every NLU training and held-out message, the story turns and scenarios, the policy text.
    assert len(ORDINARY) > 2000
    assert any("醴政发〔2017〕6号" in text for text in ORDINARY)
    assert any(re.search(r"20[0-9]{2}年[0-9]{1,2}月[0-9]{1,2}日", text) for text in ORDINARY)


def test_ordinary_messages_and_the_policy_text_are_unchanged() -> None:
    changed = [(text, masked) for text in ORDINARY if (masked := mask_pii(text)) != text]
    assert changed == []


def test_a_name_with_a_numeral_in_it_is_still_a_name() -> None:
    assert mask_pii("我叫王一，电话幺三八零零一三八零零零") == "我叫[姓名]，电话[手机号]"
