from __future__ import annotations

from bot.nlu.extractor import FactMention
from bot.rasa_ext.components import disjoint_spans


def m(fact: str, start: int, end: int) -> FactMention:
    return FactMention(fact, True, start, end, "x" * (end - start), False)


def test_spans_never_overlap_and_short_matches_keep_theirs() -> None:
    placed = disjoint_spans(
        [m("join_relative", 1, 28), m("spouse_hukou_area", 1, 8), m("marital_status", 0, 3)]
    )
    spans = {mention.fact: span for mention, span in placed}
    assert spans["marital_status"] == (0, 3)
    assert spans["spouse_hukou_area"] == (3, 8)
    assert spans["join_relative"] == (8, 28)
    covered = [i for _, (a, b) in placed for i in range(a, b)]
    assert len(covered) == len(set(covered))


def test_two_facts_on_the_same_words_share_them() -> None:
    placed = disjoint_spans([m("goal", 2, 6), m("origin_rural", 2, 6)])
    assert sorted(span for _, span in placed) == [(2, 4), (4, 6)]
    assert {mention.fact for mention, _ in placed} == {"goal", "origin_rural"}


def test_a_one_character_match_cannot_be_split() -> None:
    placed = disjoint_spans([m("veteran", 2, 3), m("origin_rural", 2, 3)])
    assert len(placed) == 1


def _message(intent: str, entities: list[dict[str, object]]) -> object:
    from rasa.shared.nlu.training_data.message import Message

    message = Message(
        data={"text": "x", "intent": {"name": intent, "confidence": 0.3}, "entities": entities}
    )
    return message


def test_fallback_with_stated_facts_becomes_inform_or_the_goal() -> None:
    from bot.rasa_ext.components import EXTRACTOR_NAME, FactBackedIntent

    component = FactBackedIntent()
    goal = {"entity": "goal", "value": "settle_urban", "extractor": EXTRACTOR_NAME}
    fact = {"entity": "investor_or_founder", "value": "true", "extractor": EXTRACTOR_NAME}
    other = {"entity": "goal", "value": "settle_urban", "extractor": "DIETClassifier"}
    born = {"entity": "goal", "value": "newborn", "extractor": EXTRACTOR_NAME}
    spouse_area = {
        "entity": "spouse_hukou_area",
        "value": "liling_rural",
        "extractor": EXTRACTOR_NAME,
    }
    cases = [
        ("nlu_fallback", [goal, fact], "want_settle_urban"),
        ("nlu_fallback", [fact], "inform"),
        ("nlu_fallback", [], "nlu_fallback"),
        ("nlu_fallback", [other], "nlu_fallback"),
        ("greet", [fact], "greet"),
        # 买房落户对面积有没有要求: a move of one's own with a route fact is not declined …
        ("out_of_scope", [goal, fact], "want_settle_urban"),
        # … but a goal word alone (我的猫能落户吗) does not overrule the classifier.
        ("out_of_scope", [goal], "out_of_scope"),
        ("out_of_scope", [fact], "out_of_scope"),
        # 在长沙医院生的孩子…想上在我老婆那边村里: a birth with a stated fact is 四(一)'s.
        ("out_of_scope", [born, spouse_area], "ask_newborn"),
        ("out_of_scope", [born], "out_of_scope"),
    ]
    for intent, entities, expected in cases:
        (message,) = component.process([_message(intent, entities)])  # type: ignore[list-item]
        assert message.get("intent")["name"] == expected


def test_repeated_characters_become_fallback_whatever_was_guessed() -> None:
    from bot.rasa_ext.components import EXTRACTOR_NAME, FactBackedIntent

    component = FactBackedIntent()
    fact = {"entity": "goal", "value": "newborn", "extractor": EXTRACTOR_NAME}
    cases = [
        ("ask_no_hukou", [], "户" * 1000, "nlu_fallback"),
        ("greet", [], "哈哈哈哈哈", "nlu_fallback"),
    ]
    cases.append(("ask_newborn", [fact], "户" * 1000, "ask_newborn"))
    cases.append(("ask_no_hukou", [], "我没有户口怎么办", "ask_no_hukou"))
    for intent, entities, text, expected in cases:
        message = _message(intent, entities)
        message.set("text", text)
        (message,) = component.process([message])  # type: ignore[list-item]
        assert message.get("intent")["name"] == expected


def test_a_newborn_guess_needs_a_child_or_a_birth_in_the_words() -> None:
    from bot.rasa_ext.components import EXTRACTOR_NAME, FactBackedIntent

    component = FactBackedIntent()
    owned = {"entity": "housing", "value": "owned", "extractor": EXTRACTOR_NAME}
    goal = {"entity": "goal", "value": "settle_urban", "extractor": EXTRACTOR_NAME}
    married = {"entity": "marital_status", "value": "married", "extractor": EXTRACTOR_NAME}
    rural = {"entity": "spouse_hukou_area", "value": "liling_rural", "extractor": EXTRACTOR_NAME}
    cases = [
        # 上户口 with nobody else named is the speaker's own move: the facts say which.
        ("ask_newborn", [owned], "买房了能上户口不", "inform"),
        ("ask_newborn", [goal, owned], "城里买房了能上户口不", "want_settle_urban"),
        # Nothing stated: the classifier's guess stands (the form asks).
        ("ask_newborn", [], "上户口要什么材料", "ask_newborn"),
        # A child or a birth named: a newborn's registration may be meant.
        ("ask_newborn", [owned], "孩子上户口，我在城里买了房", "ask_newborn"),
        ("ask_newborn", [owned], "刚生了二胎，家里有房", "ask_newborn"),
        # A child of a year or more is no newborn: a move (or a late registration, stated).
        ("ask_newborn", [], "我孙子6岁，想把孙子户口迁到我们户口本上", "inform"),
        ("ask_newborn", [], "宝宝8个月了还没上户口", "ask_newborn"),
        ("ask_newborn", [], "孩子0.5岁", "ask_newborn"),
        ("ask_newborn", [], "我28岁，孩子还没上户口", "ask_newborn"),
        # Births said other ways, and the parents' hukou (what a birth question states).
        ("ask_newborn", [married], "老婆生二胎了在哪里上户口", "ask_newborn"),
        ("ask_newborn", [married, rural], "在哪里上户口，我老婆是农村户口", "ask_newborn"),
        ("ask_newborn", [], "我是大学生的户口能上吗", "ask_newborn"),
    ]
    for intent, entities, text, expected in cases:
        message = _message(intent, entities)
        message.set("text", text)
        (message,) = component.process([message])  # type: ignore[list-item]
        assert message.get("intent")["name"] == expected, text


def test_a_story_that_asks_a_topic_question_gets_the_topic() -> None:
    """data/facts/topic_questions.yml: only over inform, fallback or an unstated move."""
    from bot.rasa_ext.components import EXTRACTOR_NAME, FactBackedIntent

    component = FactBackedIntent()
    rural = {"entity": "current_hukou_area", "value": "liling_rural", "extractor": EXTRACTOR_NAME}
    goal = {"entity": "goal", "value": "settle_urban", "extractor": EXTRACTOR_NAME}
    story = "我一直填的农业户口。后来去广东打工了，回来看户口本上没有农业两个字了，是不是政策改了？"
    school = "我个仔喺醴陵读紧初中，佢可唔可以喺醴陵考高中㗎？"
    cases = [
        ("inform", [rural], story, "ask_hukou_type"),
        ("nlu_fallback", [], story, "ask_hukou_type"),
        # A move intent with no move in the words was a guess …
        ("want_settle_urban", [], school, "ask_schooling"),
        # … a move stated stays the move; other intents are the classifier's.
        ("want_settle_urban", [goal], school, "want_settle_urban"),
        # Where to go, with no move stated, may be a topic's question …
        ("ask_where_to_apply", [], "户籍改革方面的信访归哪里管？", "ask_reform_work"),
        # … but not with a move stated.
        (
            "ask_where_to_apply",
            [goal],
            "想落户城里，户籍改革方面的信访归哪里管？",
            "ask_where_to_apply",
        ),
        ("ask_residence_permit", [], school, "ask_residence_permit"),
        # A question about the move itself is the assessment's.
        ("inform", [], "孩子在城里上学，我想把户口迁过去可以吗", "inform"),
        ("inform", [rural], "我户口在乡下，在城里打工", "inform"),
    ]
    for intent, entities, text, expected in cases:
        message = _message(intent, entities)
        message.set("text", text)
        (message,) = component.process([message])  # type: ignore[list-item]
        assert message.get("intent")["name"] == expected, text
