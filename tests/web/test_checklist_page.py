"""``GET /checklist``: the grouped checklist of a situation, its clauses, the validity notice
and a QR code of its own link, which carries fact values only."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bot.web.app import create_app
from bot.web.routes.checklist import qr_svg
from bot.web.settings import Settings


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path}/faq.sqlite3",
        rasa_url="http://127.0.0.1:9",
        action_url="",
        trusted_proxies=1,
    )
    return TestClient(create_app(settings))


def test_the_spouse_checklist_page(client: TestClient) -> None:
    page = client.get("/checklist?join_relative=spouse&goal=settle_urban")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    expected = ("本人证件", "关系证明", "结婚证", "三(一)1", "共同居住生活的夫妻")
    for words in (*expected, "2022年7月28日"):
        assert words in html
    assert "派出所" in html and "12345政务服务便民热线" in html
    canonical = "http://testserver/checklist?goal=settle_urban&amp;join_relative=spouse"
    assert html.count(canonical) == 1
    # The QR code is the one of the canonical link, drawn inline by segno.
    assert str(qr_svg(canonical.replace("&amp;", "&"))) in html
    assert "<script>" not in html and "style=" not in html  # the page's CSP allows neither
    assert html.count('type="checkbox"') <= 8


def test_what_the_link_cannot_carry_is_named_and_left_out(client: TestClient) -> None:
    page = client.get("/checklist?goal=settle_urban&name=王小明&phone=13800138000&housing=别墅")
    html = page.text
    assert "name：不是本清单使用的情况项，已忽略" in html
    assert "housing（在醴陵城镇地区的住所）：不是可用的取值，已忽略" in html
    assert "王小明" not in html and "13800138000" not in html and "别墅" not in html
    assert "/checklist?goal=settle_urban<" in html


def test_text_from_the_link_is_escaped(client: TestClient) -> None:
    html = client.get("/checklist?<script>alert(1)</script>=1").text
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_no_facts_says_where_to_start(client: TestClient) -> None:
    html = client.get("/checklist").text
    assert "链接里没有可用的情况" in html and 'class="items"' not in html


def test_behind_our_proxy_the_link_has_the_scheme_the_citizen_used(client: TestClient) -> None:
    html = client.get(
        "/checklist?goal=newborn", headers={"X-Forwarded-Proto": "https", "Host": "hukou.example"}
    ).text
    assert "https://hukou.example/checklist?goal=newborn" in html
