"""Web import of FAQ entries (``POST /api/faq/import``): admins only, all or nothing, and each
refused row named by file and line with the reason in Chinese."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from bot.faq.models import audit_log, entries
from tests.web.test_faq_api import Desk, desk  # noqa: F401 (the fixture)

GOOD = """\
- key: land_rights
  question: 进城落户要退出宅基地吗？
  paraphrases: [落户城里宅基地还保留吗]
  answer: 不需要。现阶段不得以退出宅基地使用权作为进城落户的条件。
  clauses: [5.1]
  tags: [土地权益]
- question: 居住证有什么用？
  answer: 居住证持有人享有与当地户籍人口同等的劳动就业等权利。
  clauses: ["4.2"]
  tags: [居住证]
  status: in_review
"""

BAD = """\
- question: 进城落户要退出宅基地吗？
  answer: 不需要。
  clauses: [5.1]
# a comment line: the rows' lines are the file's lines
- question: 居住证有什么用？
  answer: 有用。
  clauses: [9.9]
- question: 能直接发布吗？
  answer: 不能。
  status: published
- question: 这一条没有问题
  answer: 但整批不导入。
"""


def _import(gateway: Desk, username: str | None, text: str, filename: str = "faq.yml") -> Any:
    client, csrf = gateway.client_for(username)
    return client.post(
        "/api/faq/import",
        json={"filename": filename, "text": text},
        headers={"X-CSRF-Token": csrf} if csrf else {},
    )


def test_an_admin_imports_drafts_and_submitted_entries(desk: Desk) -> None:  # noqa: F811
    response = _import(desk, "admin", GOOD, "C:\\fakepath\\faq.yml")
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["created"] == 2
    assert [(e["key"], e["status"]) for e in body["entries"]] == [
        ("land_rights", "draft"),
        (body["entries"][1]["key"], "in_review"),
    ]
    assert body["entries"][1]["clause_ids"] == ["4.2"]
    assert desk.count(entries) == 2
    client, _ = desk.client_for("admin")
    audit = client.get(f"/api/faq/entries/{body['entries'][0]['id']}").json()["audit"]
    assert any("从 faq.yml 导入" in row["detail"] for row in audit), audit


def test_one_bad_row_imports_nothing_and_every_problem_is_named_by_line(
    desk: Desk,  # noqa: F811
) -> None:
    response = _import(desk, "admin", BAD)
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert detail.startswith("没有导入任何条目：2 条有问题"), detail
    lines = detail.split("\n")[1:]
    assert lines[0] == "faq.yml:5: 第 2 条：未知的条款编号：9.9", lines
    assert lines[1].startswith("faq.yml:8: 第 3 条：status 只能是 draft 或 in_review"), lines
    assert len(lines) == 2
    assert desk.count(entries) == 0, "the good rows were not imported either"
    with desk.engine.connect() as connection:
        actions = connection.execute(sa.select(audit_log.c.action)).scalars().all()
    assert not {"create", "submit", "import"} & set(actions), actions


def test_a_key_used_twice_or_already_in_use_is_refused(desk: Desk) -> None:  # noqa: F811
    twice = "- {key: same, question: 问题一, answer: 答一}\n- {key: same, question: 问题二}\n"
    response = _import(desk, "admin", twice)
    assert response.status_code == 422
    assert "faq.yml:2: 第 2 条：" in response.json()["detail"]
    assert desk.count(entries) == 0
    assert _import(desk, "admin", "- {key: same, question: 问题一}\n").status_code == 201
    again = _import(desk, "admin", "- {key: other, question: 问题三}\n- {key: same, question: 问}")
    assert again.status_code == 422
    assert "faq.yml:2: 第 2 条：" in again.json()["detail"]
    assert desk.count(entries) == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("- question: 好\n  answer: [没有闭合\n", "faq.yml:3: 不是有效的 YAML"),
        ("question: 不是列表\n", "faq.yml:1: 应为条目列表"),
        ("", "faq.yml:1: 应为条目列表"),
        ("[]\n", "faq.yml: 文件中没有条目"),
        ("- 只是一句话\n", "faq.yml:1: 第 1 条：应为包含 question、answer 等字段的映射"),
        ("- {question: 好, colour: 红}\n", "faq.yml:1: 第 1 条：未知字段：colour"),
    ],
)
def test_a_file_that_is_no_list_of_entries_is_refused_in_chinese(
    desk: Desk,  # noqa: F811
    text: str,
    expected: str,
) -> None:
    response = _import(desk, "admin", text)
    assert response.status_code == 422, response.text
    assert expected in response.json()["detail"]
    assert desk.count(entries) == 0


def test_only_admins_import(desk: Desk) -> None:  # noqa: F811
    assert _import(desk, None, GOOD).status_code == 401
    for username in ("editor", "reviewer"):
        response = _import(desk, username, GOOD)
        assert response.status_code == 403, response.text
    client, _ = desk.client_for("admin")
    no_token = client.post("/api/faq/import", json={"filename": "faq.yml", "text": GOOD})
    assert no_token.status_code == 403
    assert desk.count(entries) == 0
