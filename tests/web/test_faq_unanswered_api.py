"""The unanswered questions over HTTP: search, dates, pages, 已处理 / 忽略, merge, CSV."""

# ruff: noqa: F811  (the desk fixture of test_faq_api is imported, then used as an argument)

from __future__ import annotations

import csv
import io

from bot.faq.store import FaqStore
from bot.policy import Knowledge
from tests.web.test_faq_api import Desk, desk  # noqa: F401


def seeded(desk: Desk, kb: Knowledge) -> None:
    store = FaqStore(desk.engine, kb.clauses)
    texts = ("改名字怎么办", "想改名，要带哪些证件", '=HYPERLINK("x")狗能落户吗', "居住证怎么办理")
    for text in texts:
        store.record_unanswered(text, "fallback")


def test_search_pages_close_and_merge(desk: Desk, kb: Knowledge) -> None:
    seeded(desk, kb)
    editor, csrf = desk.client_for("editor")
    headers = {"X-CSRF-Token": csrf}
    listed = editor.get("/api/faq/unanswered").json()
    assert listed["total"] == 4 and listed["offset"] == 0
    found = editor.get("/api/faq/unanswered?q=改名").json()
    assert [g["text"] for g in found["groups"]] == ["想改名，要带哪些证件", "改名字怎么办"]
    ids = [g["id"] for g in found["groups"]]
    assert editor.post("/api/faq/unanswered-merge", json={"group_ids": ids}).status_code == 403
    merged = editor.post("/api/faq/unanswered-merge", json={"group_ids": ids}, headers=headers)
    assert merged.status_code == 200 and merged.json()["count"] == 2
    assert editor.get("/api/faq/unanswered").json()["total"] == 3
    permit = next(g for g in listed["groups"] if g["text"] == "居住证怎么办理")
    done = editor.post(f"/api/faq/unanswered/{permit['id']}/ignore", headers=headers)
    assert done.status_code == 200 and done.json() == {
        "group_id": permit["id"],
        "resolution": "ignored",
        "questions": 1,
    }
    again = editor.post(f"/api/faq/unanswered/{permit['id']}/done", headers=headers)
    assert again.status_code == 404
    bad = editor.post(f"/api/faq/unanswered/{ids[0]}/delete", headers=headers)
    assert bad.status_code == 422
    assert editor.get("/api/faq/unanswered").json()["total"] == 2
    late = editor.get("/api/faq/unanswered?start=2099-01-01").json()
    assert late["total"] == 0
    refused = editor.get("/api/faq/unanswered?start=2026-02-30")
    assert refused.status_code == 422 and "日期格式" in refused.json()["detail"]


def test_the_list_downloads_as_csv(desk: Desk, kb: Knowledge) -> None:
    seeded(desk, kb)
    anonymous, _ = desk.client_for()
    assert anonymous.get("/api/faq/unanswered.csv").status_code == 401
    editor, _ = desk.client_for("editor")
    response = editor.get("/api/faq/unanswered.csv")
    assert response.status_code == 200 and "attachment" in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8").lstrip("\ufeff"))))
    assert rows[0] == ["编号", "问题", "次数", "最近一次", "原因", "其他问法"]
    assert len(rows) == 5
    assert any(row[1].startswith("'=HYPERLINK") for row in rows), "no formula runs in Excel"
