"""The validity answer names the later documents found, never a Liling successor."""

from __future__ import annotations

import datetime as dt

from bot.dialogue.answers import validity_answer
from bot.policy import Knowledge


def test_after_the_measures_the_validity_answer_lists_them(kb: Knowledge) -> None:
    text, data = validity_answer(kb, dt.date(2024, 7, 1))
    assert (
        "湖南省公安厅：湖南公安七项户政管理便民利企服务举措（2024年3月26日，无文号，据新闻报道）"
        in text
    )
    assert "未查到醴陵市人民政府此后发布的同类政策文件" in text
    assert {d["id"] for d in data["policies"]} >= {"liling-2017-6", "hunan-2024-measures"}


def test_while_in_force_the_validity_answer_lists_nothing_later(kb: Knowledge) -> None:
    text, _ = validity_answer(kb, dt.date(2020, 1, 1))
    assert "之后的变化" not in text and "未查到" not in text


def test_a_named_move_gets_its_clauses_on_the_hotline_too(kb: Knowledge) -> None:
    """The lookup's first answer for a validity question that names a move (reply.py)."""
    from bot.dialogue.reply import Reading, first_answer

    reading = Reading(
        facts={"goal": "move_rural"}, intent="ask_policy_validity", confidence=0.9, source="model"
    )
    answer = first_answer(reading, {}, kb, dt.date(2026, 12, 7))
    assert answer["type"] == "policy" and answer["policy"]["expires"] == "2022-07-28"
    assert [c["id"] for c in answer["clauses"]][:1] and all(
        c["id"].startswith("3.2") for c in answer["clauses"]
    )
    plain = first_answer(Reading(intent="ask_policy_validity"), {}, kb, dt.date(2026, 12, 7))
    assert not plain["clauses"]
