"""Topic questions inside a story (:mod:`bot.nlu.topics`), pinned as a table."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.nlu.topics import load_topic_questions, topic_questions


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        # The question follows the sentence that names the topic.
        ("以前填表都写农业户口。现在户口本上没有农业两个字了，是不是政策改了？", "ask_hukou_type"),
        ("现在是按户口登在哪里来分的吗？我人住在城里户口在乡下那算哪种", "ask_urban_area"),
        ("户口迁到城里以后，村里的宅基地还能保留吗", "ask_land_rights"),
        ("我阿爸啲田喺醴陵乡下，我户口迁咗去醴陵城区，啲田仲系唔系我哋屋企嘅？", "ask_land_rights"),
        ("我在醴陵打工，孩子能在这边上学吗", "ask_schooling"),
        ("我是外地户口，能申请公租房吗", "ask_housing_security"),
        ("户口迁走了医保怎么办", "ask_social_insurance"),
        ("农民工进城有没有免费的职业技能培训？", "ask_employment_support"),
        ("其父亲户口已迁入城区，现在生活困难，能否申请城镇低保？", "ask_social_assistance"),
        ("落户的事跑了三趟没办成，户籍改革方面的信访归哪里管？", "ask_reform_work"),
        ("我户口迁走了，宅基地归谁", "ask_land_rights"),
        ("孩子户口迁过来了，在哪里上学", "ask_schooling"),
        # A question about the move itself, a statement, or no topic: nothing (the second
        # reader's probes: a move in another part of the clause, other words for the move, a
        # cue that asks nothing about the topic's part).
        ("孩子在城里上学，我想迁户口过来，可以吗", None),
        ("我有承包地，在城里有房，户口可以过来吗", None),
        ("我住在廉租房里，可以办户口吗", None),
        ("我也不知道怎么说，我老家有宅基地，想落户城里", None),
        ("我在外地读书，户口要迁吗", None),
        ("孩子在城里上学，我想把户口迁过去可以吗", None),
        ("我家有宅基地。", None),
        ("我在城里租房，没交社保，能落户吗", None),
        ("我亲自去的本地派出所", None),
        ("", None),
    ],
)
def test_the_topic_a_clause_asks(text: str, topic: str | None) -> None:
    assert topic_questions().asked(text) == topic


def test_the_file_names_only_topic_intents(tmp_path: Path) -> None:
    from bot.dialogue.situation import TOPIC_INTENTS

    assert {intent for intent, _ in topic_questions().terms} <= set(TOPIC_INTENTS)
    path = tmp_path / "topics.yml"
    path.write_text("question_cues: [吗]\ntopics:\n  ask_schooling: []\n", "utf-8")
    with pytest.raises(ValueError, match="has no terms"):
        load_topic_questions(path)
    path.write_text("question_cues: []\ntopics: {}\n", "utf-8")
    with pytest.raises(ValueError, match="no question_cues"):
        load_topic_questions(path)


def test_only_a_short_question_reaches_back_to_the_sentence_before() -> None:
    story = "大儿子在老家读高中。我问问看能不能落，不能落的话办个什么证看病方便？"
    assert topic_questions().asked(story) is None
    assert topic_questions().asked("大儿子在老家读高中。能转学吗？") == "ask_schooling"
