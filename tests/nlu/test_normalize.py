from __future__ import annotations

import pytest

from bot.nlu.normalize import is_noise, normalize


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("我想把戶口遷到醴陵城裡", "我想把户口迁到醴陵城里"),
        ("離婚後能遷回原籍農村嗎", "离婚后能迁回原籍农村吗"),
        ("ＡＢＣ１２３，社保！", "ABC123,社保!"),
        ("想落户😀😀🏠", "想落户"),
        # Code is no words: the script goes with its tags (it made "我想落户" a decline),
        # unless it holds Chinese (search must still find <script>居住证</script>).
        ("<script>alert(1)</script>租房", "租房"),
        ("<b>租房</b><STYLE>p{}</style>", "租房"),
        ("<script>居住证</script>", "居住证"),
        ("  很多   空格\n换行  ", "很多 空格 换行"),
        ("", ""),
        # Cantonese (data/facts/dialect.yml)
        ("佢離咗婚想將戶口遷返鄉下", "他离了婚想将户口迁回乡下"),
        ("我冇交社保，係咪唔得", "我没有交社保,是不是不得"),
        ("關係", "关系"),  # 係 alone is left alone
    ],
)
def test_normalize(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


def test_normalize_is_idempotent() -> None:
    text = "我老公戶籍在長慶示範區，沒交社保！"
    assert normalize(normalize(text)) == normalize(text)


@pytest.mark.parametrize(
    "text",
    [
        "户户户户户",
        "户" * 1000,
        "哈哈哈哈哈哈",
        "户 户 户 户 户！",
        "啊啊" * 20,
        "ab" * 30,
        "户户户口口口落落",
    ],
)
def test_repeated_characters_are_noise(text: str) -> None:
    assert is_noise(text)


@pytest.mark.parametrize(
    "text",
    [
        "是是是",
        "好的好的",
        "我在醴陵租房可以落户吗",
        "",
        "户口户口户口",
        "没有没有没有没有",
        "嗯嗯好好谢谢",
    ],
)
def test_short_answers_and_sentences_are_not_noise(text: str) -> None:
    assert not is_noise(text)
