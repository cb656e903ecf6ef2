"""``POST /api/lookup`` with several applicants in one call (issue 15)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from bot.web.app import create_app
from bot.web.settings import Settings

DOWN = Settings(rasa_url="http://127.0.0.1:9", action_url="http://127.0.0.1:9")
FAMILY = "来电人户口在城区，妻子户口在攸县，儿子5岁，母亲户口在醴陵农村，想都迁到来电人户口上"


@pytest.fixture(scope="module")
def offline() -> Iterator[TestClient]:
    """The gateway with no worker: the fact rules read the words."""
    with TestClient(create_app(DOWN)) as client:
        yield client


def test_the_words_propose_one_applicant_per_relative(offline: TestClient) -> None:
    body = offline.post("/api/lookup", json={"text": FAMILY}).json()
    people = {a["role"]: a for a in body["applicants"]}
    assert list(people) == ["spouse", "child", "parent"]
    wife = people["spouse"]["answer"]
    assert wife["understood"]["current_hukou_area"] == "outside_liling"
    assert wife["clauses"][0]["label"] == "三(一)1"
    # The child's age makes the child a minor, not the caller.
    assert people["child"]["answer"]["understood"]["is_minor"] is True
    assert "is_minor" not in body["understood"]


def test_applicants_asked_for_keep_their_order_labels_and_hand_set_facts(
    offline: TestClient,
) -> None:
    body = offline.post(
        "/api/lookup",
        json={
            "text": FAMILY,
            "applicants": [
                {"role": "parent", "label": "母亲", "facts": {"lives_with_relative": False}},
                {"role": "spouse"},
            ],
        },
    ).json()
    mother, wife = body["applicants"]
    assert (mother["label"], wife["label"]) == ("母亲", "配偶（妻子）")
    assert mother["answer"]["situation"]["lives_with_relative"] is False
    assert mother["answer"]["understood"]["current_hukou_area"] == "liling_rural"
    assert "lives_with_relative" not in wife["answer"]["situation"]


def test_the_single_applicant_request_is_unchanged(offline: TestClient) -> None:
    body = offline.post("/api/lookup", json={"text": "我在醴陵城里租了房子想把户口迁过来"}).json()
    assert body["type"] == "assessment" and body["applicants"] == []
    assert body["understood"]["housing"] == "rented"


@pytest.mark.parametrize(
    "applicants",
    [[{"role": "cousin"}], [{"role": "spouse", "facts": {"salary": 1}}], "spouse"],
)
def test_bad_applicants_are_a_chinese_422(offline: TestClient, applicants: object) -> None:
    response = offline.post("/api/lookup", json={"applicants": applicants})
    assert response.status_code == 422
    assert any("\u4e00" <= ch <= "\u9fff" for ch in response.json()["detail"])


@pytest.mark.parametrize(
    ("words", "applicant"),
    [
        ("来电人称其侄子户口在江西，在醴陵城区买了房，来电人代为咨询侄子能否落户", "other"),
        ("帮我女儿问一下，她在城区买了房，户口在株洲，能落户吗", "child"),
        ("我在城区买了房，户口在株洲，能落户吗", "self"),
    ],
)
def test_the_answer_says_whom_the_words_are_about(
    offline: TestClient, words: str, applicant: str
) -> None:
    """One relative asked for is the applicant: the page names them, not 本人."""
    body = offline.post("/api/lookup", json={"text": words}).json()
    assert body["applicant"] == applicant
    assert body["understood"]["housing"] == "owned" and body["applicants"] == []
