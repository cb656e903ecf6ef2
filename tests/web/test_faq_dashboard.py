"""The dashboard and the 复核 queue over HTTP: figures, CSV, ranges, who may see them."""

# ruff: noqa: F811  (the desk fixture of test_faq_api is imported, then used as an argument)

from __future__ import annotations

import csv
import datetime as dt
import io
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient

from bot.faq.store import FaqStore
from bot.policy import load_knowledge
from bot.policy.clock import CHINA
from bot.turns.record import TurnRecord, build_turn
from bot.turns.store import TurnLog
from bot.web import app as gateway
from tests.support.turns import answered, turn_events
from tests.web.test_faq_api import Desk, create, desk, step  # noqa: F401
from tests.web.test_faq_try import through_review

# Import time. The seeded turns are read through ranges of days, which a run past midnight
# still covers; what must fall on the day of a publish takes its own clock (see below).
NOW = time.time()
DAY = 86400.0


def turn(sender: str, message: str, text: str, at: float | None = None, **kw: Any) -> TurnRecord:
    record = build_turn(turn_events(sender, message, text, at=NOW if at is None else at, **kw))
    assert record is not None
    return record


@pytest.fixture
def seeded(desk: Desk) -> dict[str, TurnRecord]:
    """Five turns today and one 40 days ago; one answer marked 没用, one given unsure."""
    turns = {
        "pet": turn("a", "1", "我叫张三，狗能上户口吗", payload=answered(("2.1",), faq=1)),
        "newborn": turn("b", "1", "孩子怎么上户口", payload=answered(("2.1",)), at=NOW - 60),
        "weekend": turn("b", "2", "派出所周末上班吗", confidence=0.4, payload=answered(("3.1.1",))),
        "ask": turn("c", "1", "我想落户", payload={"type": "assessment", "missing": ["housing"]}),
        "passport": turn(
            "d", "1", "护照怎么办", intent="out_of_scope", payload={"type": "out_of_scope"}
        ),
        "old": turn("e", "1", "很久以前的问题", at=NOW - 40 * DAY, payload=answered(("2.1",))),
    }
    turn_log = TurnLog(desk.engine)
    turn_log.save(turns.values())
    turn_log.attach_feedback(turns["pet"].id, False, "答非所问")
    turn_log.attach_feedback(turns["newborn"].id, True)
    return turns


def today() -> str:
    return dt.datetime.now(CHINA).date().isoformat()


@pytest.mark.parametrize(
    "path",
    [
        "/api/faq/dashboard",
        "/api/faq/dashboard/daily.csv",
        "/api/faq/review",
        "/api/faq/review/turns/" + "a" * 32,
    ],
)
def test_anonymous_and_editors_are_refused(desk: Desk, path: str) -> None:
    anonymous, _ = desk.client_for()
    assert anonymous.get(path).status_code == 401
    editor, _ = desk.client_for("editor")
    refused = editor.get(path)
    assert refused.status_code == 403 and "审核人和管理员" in refused.json()["detail"]
    for role in ("reviewer", "admin"):
        client, _ = desk.client_for(role)
        assert client.get(path).status_code in (200, 404)


def test_the_figures_of_the_default_range(desk: Desk, seeded: dict[str, TurnRecord]) -> None:
    client, _ = desk.client_for("reviewer")
    data = client.get("/api/faq/dashboard").json()
    assert data["questions"] == 5 and data["end"] == today()
    shares = {row["outcome"]: row["questions"] for row in data["outcomes"]}
    assert shares == {"answered": 3, "asked_more": 1, "fallback": 0, "out_of_scope": 1}
    clauses = {row["clause_id"]: row for row in data["clauses"]}
    assert clauses["2.1"]["answers"] == 2 and clauses["2.1"]["rated"] == 2
    assert clauses["2.1"]["not_useful_rate"] == 0.5 and clauses["2.1"]["label"]
    assert [(e["entry_id"], e["answers"], e["not_useful_rate"]) for e in data["entries"]] == [
        (1, 1, 1.0)
    ]
    topics = {row["topic"]: row["questions"] for row in data["topics"]}
    assert topics["新生儿登记"] == 4 and topics["超出范围"] == 1
    assert sum(w["questions"] for w in data["weekly"]) == 5


def test_a_date_range_and_bad_dates(desk: Desk, seeded: dict[str, TurnRecord]) -> None:
    client, _ = desk.client_for("admin")
    old = dt.datetime.fromtimestamp(NOW - 40 * DAY, CHINA).date()
    data = client.get(f"/api/faq/dashboard?start={old}&end={old}").json()
    assert data["questions"] == 1 and data["daily"][0]["day"] == old.isoformat()
    for query, message in [
        ("start=2026-13-01", "日期格式"),
        (f"start={today()}&end=2020-01-01", "开始日期不能晚于结束日期"),
        ("start=2020-01-01&end=2026-01-01", "最多统计"),
    ]:
        refused = client.get(f"/api/faq/dashboard?{query}")
        assert refused.status_code == 422 and message in refused.json()["detail"]


def test_each_table_downloads_as_csv(desk: Desk, seeded: dict[str, TurnRecord]) -> None:
    client, _ = desk.client_for("reviewer")
    response = client.get("/api/faq/dashboard/clauses.csv")
    assert response.status_code == 200 and "attachment" in response.headers["content-disposition"]
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == ["条款", "标题", "引用次数", "评价数", "没用", "没用率"]
    assert len(rows) == 3
    for table in ("daily", "weekly", "outcomes", "topics", "entries"):
        assert client.get(f"/api/faq/dashboard/{table}.csv").status_code == 200
    assert client.get("/api/faq/dashboard/secrets.csv").status_code == 422


def test_the_review_queue_opens_conversations_and_makes_drafts(
    desk: Desk, seeded: dict[str, TurnRecord]
) -> None:
    editor, editor_csrf = desk.client_for("editor")
    entry = create(editor, editor_csrf)
    assert step(editor, editor_csrf, entry["id"], "submit").status_code == 200
    client, csrf = desk.client_for("reviewer")
    queue = client.get("/api/faq/review").json()
    assert [e["id"] for e in queue["entries"]] == [entry["id"]]
    assert queue["entries"][0]["actions"] == ["approve"]
    assert [t["text"] for t in queue["turns"]] == ["派出所周末上班吗", "我叫[姓名]，狗能上户口吗"]
    assert queue["count"] == 3 and queue["turns_total"] == 2
    weekend, pet = (seeded["weekend"].id, seeded["pet"].id)
    talk = client.get(f"/api/faq/review/turns/{weekend}").json()
    assert [t["text"] for t in talk["turns"]] == ["孩子怎么上户口", "派出所周末上班吗"]
    assert client.post(f"/api/faq/review/turns/{pet}/draft").status_code == 403  # no CSRF
    made = client.post(f"/api/faq/review/turns/{pet}/draft", headers={"X-CSRF-Token": csrf})
    assert made.status_code == 201
    assert made.json()["entry"]["question"] == "我叫[姓名]，狗能上户口吗"
    assert made.json()["entry"]["status"] == "draft"
    done = client.post(f"/api/faq/review/turns/{weekend}/done", headers={"X-CSRF-Token": csrf})
    assert done.status_code == 200
    assert client.get("/api/faq/review").json()["turns_total"] == 0
    missing = client.get("/api/faq/review/turns/" + "0" * 32)
    assert missing.status_code == 404 and "超过保存期限" in missing.json()["detail"]
    assert client.get("/api/faq/review/turns/not-a-turn").status_code == 422


def test_the_effect_of_a_publish(desk: Desk) -> None:
    # Clocks around the publish, not the import's: a run that crosses midnight in China (CI at
    # 23:45 Beijing time did) would otherwise put the "after" turns on the day before it.
    before = time.time()
    entry = through_review(desk, "approve", "publish")
    now = time.time()
    client, _ = desk.client_for("reviewer")
    faq = answered(("5.1",), faq=entry["id"])
    TurnLog(desk.engine).save(
        [
            turn("a", "1", "宅基地要交回吗", at=now - 5 * DAY, payload=faq),
            turn("b", "1", "宅基地", at=now - 5 * DAY, intent="nlu_fallback", payload=None),
            turn("c", "1", "进城落户宅基地", at=now, payload=faq),
            turn("d", "1", "宅基地还保留吗", at=now, payload=faq),
        ]
    )
    data = client.get("/api/faq/dashboard").json()
    (effect,) = data["publishes"]
    days = {dt.datetime.fromtimestamp(t, CHINA).date().isoformat() for t in (before, now)}
    assert effect["published"] in days and effect["question"] == entry["question"]
    assert (effect["hits_before"], effect["hits_after"]) == (1, 2)
    assert (effect["fallback_before"], effect["fallback_after"]) == (0.5, 0.0)
    text = client.get("/api/faq/dashboard/publishes.csv").content.decode("utf-8")
    assert "发布前命中" in text and entry["key"] in text


def test_entries_past_their_review_date_wait_in_the_queue(desk: Desk) -> None:
    editor, ecsrf = desk.client_for("editor")
    entry = create(editor, ecsrf)
    path = f"/api/faq/entries/{entry['id']}/review-by"
    assert editor.put(path, json={"review_by": today()}).status_code == 403  # no CSRF
    for bad in ("2026-02-30", 20260301, "明天"):
        refused = editor.put(path, json={"review_by": bad}, headers={"X-CSRF-Token": ecsrf})
        assert refused.status_code == 422, bad
    saved = editor.put(path, json={"review_by": today()}, headers={"X-CSRF-Token": ecsrf})
    assert saved.status_code == 200 and saved.json()["entry"]["review_by"] == today()
    assert saved.json()["audit"][0]["action_name"] == "设定复核日期"
    client, _ = desk.client_for("reviewer")
    queue = client.get("/api/faq/review").json()
    assert [e["id"] for e in queue["due"]] == [entry["id"]] and queue["count"] == 1
    cleared = editor.put(path, json={"review_by": None}, headers={"X-CSRF-Token": ecsrf})
    assert cleared.json()["entry"]["review_by"] is None
    assert client.get("/api/faq/review").json()["due"] == []


def test_scheduled_publishing_over_http(desk: Desk) -> None:
    entry = through_review(desk, "approve")
    editor, ecsrf = desk.client_for("editor")
    client, csrf = desk.client_for("reviewer")
    path = f"/api/faq/entries/{entry['id']}/schedule"
    headers = {"X-CSRF-Token": csrf}
    later = {"publish_at": "2099-01-01T09:00"}
    by_editor = editor.put(path, json=later, headers={"X-CSRF-Token": ecsrf})
    assert by_editor.status_code == 403  # scheduling is publishing: not for editors
    assert client.put(path, json={"publish_at": None}, headers=headers).status_code == 200
    admin, acsrf = desk.client_for("admin")
    bad = admin.put(path, json={"publish_at": "明天早上"}, headers={"X-CSRF-Token": acsrf})
    assert bad.status_code == 422 and "时间格式" in bad.json()["detail"]
    past = admin.put(path, json={"publish_at": "2020-01-01T09:00"}, headers={"X-CSRF-Token": acsrf})
    assert past.status_code == 422 and "应晚于现在" in past.json()["detail"]
    done = admin.put(path, json={"publish_at": "2099-01-01T09:00"}, headers={"X-CSRF-Token": acsrf})
    assert done.status_code == 200
    # 09:00 in Liling is 01:00 UTC.
    assert done.json()["entry"]["publish_at"] == "2099-01-01T01:00:00+00:00"
    assert done.json()["audit"][0]["action_name"] == "定时发布"


def test_the_gateway_publishes_scheduled_entries(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = FaqStore(desk.engine, load_knowledge().clauses)
    entry = store.create("editor", {"question": "定时发布？", "answer": "答案。"})
    store.submit("editor", entry.id)
    store.approve("reviewer", entry.id)
    soon = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=1)
    store.schedule_publish("admin", entry.id, soon)
    monkeypatch.setattr(gateway, "SCHEDULE_SECONDS", 0.2)
    with TestClient(desk.app):  # the lifespan runs the scheduler
        deadline = time.monotonic() + 10
        while store.get(entry.id).status != "published":
            assert time.monotonic() < deadline, "the scheduled entry was not published"
            time.sleep(0.1)
    assert store.versions(entry.id)[-1].editor == "admin"
