"""The FAQ desk's web API: sessions, CSRF, roles, the workflow, conflicts, preview, bad input."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from bot.dialogue.answers import faq_answer, one_bubble
from bot.faq.auth import Auth
from bot.faq.db import make_engine
from bot.faq.models import entries, login_sessions, users
from bot.faq.store import FaqStore
from bot.policy import Knowledge
from bot.policy.clock import today as liling_today
from bot.web.app import create_app
from bot.web.settings import Settings

PASSWORD = "correct horse battery"
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
STAFF = {"editor": "editor", "editor2": "editor", "reviewer": "reviewer", "admin": "admin"}
CSRF_MESSAGE = "页面已过期，请刷新后重试"
QUOTE_5_1 = "不得以退出土地承包经营权、宅基地使用权、集体收益分配权作为农民进城落户的条件"
ENTRY = {
    "question": "农民进城落户，要退出宅基地吗？",
    "paraphrases": ["进城落户要交回承包地吗", "落户城里宅基地还保留吗"],
    "answer": (
        "不需要。现阶段不得以退出土地承包经营权、宅基地使用权、集体收益分配权作为进城落户的条件。"
    ),
    "clause_ids": ["5.1"],
    "tags": ["土地权益"],
}


@dataclass
class Desk:
    """A gateway on its own SQLite database, with the staff in :data:`STAFF`."""

    app: FastAPI
    url: str
    engine: sa.engine.Engine
    client: TestClient

    def client_for(self, username: str | None = None) -> tuple[TestClient, str]:
        """A new browser (own cookie jar), signed in as ``username``; returns its CSRF token."""
        client = TestClient(self.app, raise_server_exceptions=False)
        if username is None:
            return client, ""
        return client, login(client, username)

    def count(self, table: sa.Table) -> int:
        with self.engine.connect() as connection:
            return int(connection.execute(sa.select(sa.func.count()).select_from(table)).scalar())


def _settings(tmp_path: Path, **extra: Any) -> Settings:
    return Settings(
        database_url=f"sqlite:///{tmp_path}/faq.sqlite3",
        rasa_url="http://127.0.0.1:9",
        action_url="http://127.0.0.1:9",
        **extra,
    )


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    settings = _settings(tmp_path)
    app = create_app(settings)  # migrates the new database
    assert settings.database_url is not None
    engine = make_engine(settings.database_url)
    auth = Auth(engine, hasher=FAST_HASHER)
    for username, role in STAFF.items():
        auth.create_user(username, PASSWORD, role)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield Desk(app, settings.database_url, engine, client)
    engine.dispose()


def login(client: TestClient, username: str, password: str = PASSWORD) -> str:
    response = client.post("/api/faq/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    csrf: str = response.json()["csrf"]
    return csrf


def create(client: TestClient, csrf: str, **fields: Any) -> dict[str, Any]:
    response = client.post(
        "/api/faq/entries", json={**ENTRY, **fields}, headers={"X-CSRF-Token": csrf}
    )
    assert response.status_code == 201, response.text
    entry: dict[str, Any] = response.json()["entry"]
    return entry


def step(client: TestClient, csrf: str, entry_id: int, action: str, **body: Any) -> Any:
    return client.post(
        f"/api/faq/entries/{entry_id}/{action}", json=body, headers={"X-CSRF-Token": csrf}
    )


def faq_routes(app: FastAPI) -> list[tuple[str, str]]:
    """Every (method, path) under /api/faq but the two public ones, path ids set to 1."""
    found = []
    for route in app.routes:
        if not isinstance(route, APIRoute) or not route.path.startswith("/api/faq/"):
            continue
        if route.path in ("/api/faq/login", "/api/faq/published"):
            continue
        path = route.path.replace("{entry_id}", "1").replace("{group_id}", "1")
        found += [(method, path) for method in sorted(route.methods)]
    return found


ANY_BODY = {
    **ENTRY,
    "base_revision": 1,
    "version": 1,
    "comment": "好",
    "username": "intruder",
    "password": PASSWORD,
    "role": "admin",
}


# -- sessions and CSRF -------------------------------------------------------------------


def test_every_staff_route_needs_a_session(desk: Desk) -> None:
    routes = faq_routes(desk.app)
    assert len(routes) >= 18 and ("PUT", "/api/faq/entries/1") in routes
    stranger, _ = desk.client_for(None)
    for method, path in routes:
        response = stranger.request(method, path, params={"a": 1, "b": 2}, json=ANY_BODY)
        assert response.status_code == 401, (method, path, response.text)
        assert response.json() == {"detail": "请先登录"}
    # A made-up session cookie is no better.
    stranger.cookies.set("hukou_session", "forged-token")
    for method, path in routes:
        response = stranger.request(method, path, params={"a": 1, "b": 2}, json=ANY_BODY)
        assert response.status_code == 401, (method, path)
    assert desk.count(entries) == 0 and desk.count(users) == len(STAFF)


def test_every_write_needs_the_sessions_csrf_token(desk: Desk) -> None:
    admin, csrf = desk.client_for("admin")
    _, other_csrf = desk.client_for("editor")
    writes = [(m, p) for m, p in faq_routes(desk.app) if m in ("POST", "PUT", "DELETE")]
    assert ("POST", "/api/faq/entries") in writes and ("POST", "/api/faq/logout") in writes
    for headers in ({}, {"X-CSRF-Token": "wrong"}, {"X-CSRF-Token": other_csrf}):
        for method, path in writes:
            response = admin.request(method, path, json=ANY_BODY, headers=headers)
            assert response.status_code == 403, (method, path, headers, response.text)
            assert response.json() == {"detail": CSRF_MESSAGE}
    assert desk.count(entries) == 0 and desk.count(users) == len(STAFF)
    # Reading needs no token, and the right token lets the change through.
    assert admin.get("/api/faq/entries").status_code == 200
    assert create(admin, csrf)["status"] == "draft"


def test_login_sets_a_strict_httponly_cookie_and_me_returns_the_same_csrf(desk: Desk) -> None:
    client, _ = desk.client_for(None)
    response = client.post("/api/faq/login", json={"username": "Editor ", "password": PASSWORD})
    assert response.status_code == 200
    body = response.json()
    assert body["user"] == {"username": "editor", "role": "editor", "role_name": "编辑"}
    cookie = response.headers["set-cookie"]
    flags = [part.strip().lower() for part in cookie.split(";")]
    assert flags[0].startswith("hukou_session=") and len(flags[0]) > 40
    assert "httponly" in flags and "samesite=strict" in flags and "path=/" in flags
    assert "secure" not in flags
    assert response.headers["cache-control"] == "no-store"
    me = client.get("/api/faq/me")
    assert me.status_code == 200 and me.json()["csrf"] == body["csrf"]
    assert me.json()["statuses"]["in_review"] == "待审核"


def test_secure_cookies_setting_marks_the_cookie_secure(tmp_path: Path) -> None:
    settings = _settings(tmp_path, secure_cookies=True)
    app = create_app(settings)
    assert settings.database_url is not None
    Auth(make_engine(settings.database_url), hasher=FAST_HASHER).create_user(
        "editor", PASSWORD, "editor"
    )
    client = TestClient(app)
    response = client.post("/api/faq/login", json={"username": "editor", "password": PASSWORD})
    flags = [part.strip().lower() for part in response.headers["set-cookie"].split(";")]
    assert "secure" in flags and "httponly" in flags and "samesite=strict" in flags


def test_wrong_password_and_unknown_user_are_the_same_401(desk: Desk) -> None:
    client, _ = desk.client_for(None)
    for username, password in (("editor", "wrong password!"), ("nobody", PASSWORD)):
        response = client.post("/api/faq/login", json={"username": username, "password": password})
        assert response.status_code == 401
        assert response.json() == {"detail": "用户名或密码不正确"}
        assert "set-cookie" not in response.headers


def test_repeated_failures_delay_the_login_with_retry_after(desk: Desk) -> None:
    client, _ = desk.client_for(None)
    for _ in range(3):
        wrong = client.post("/api/faq/login", json={"username": "editor", "password": "x" * 12})
        assert wrong.status_code == 401
    locked = client.post("/api/faq/login", json={"username": "editor", "password": PASSWORD})
    assert locked.status_code == 429
    assert "登录失败次数过多" in locked.json()["detail"]
    assert 0 < int(locked.headers["retry-after"]) <= 30
    assert "set-cookie" not in locked.headers
    admin, _ = desk.client_for("admin")
    listed = {u["username"]: u for u in admin.get("/api/faq/users").json()["users"]}
    assert listed["editor"]["failed_sign_ins"] == 3 and listed["editor"]["last_failed_at"]
    assert listed["admin"]["failed_sign_ins"] == 0 and listed["admin"]["last_failed_at"] is None


@pytest.mark.parametrize("column", ["last_seen", "expires_at"])
def test_an_expired_session_is_refused(desk: Desk, column: str) -> None:
    client, csrf = desk.client_for("editor")
    assert client.get("/api/faq/me").status_code == 200
    long_ago = dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=9)
    with desk.engine.begin() as connection:
        connection.execute(sa.update(login_sessions).values({column: long_ago}))
    me = client.get("/api/faq/me")
    assert me.status_code == 401 and "请先登录" in me.json()["detail"]
    write = client.post("/api/faq/entries", json=ENTRY, headers={"X-CSRF-Token": csrf})
    assert write.status_code == 401 and desk.count(entries) == 0
    assert desk.count(login_sessions) == 0  # the dead session is deleted


def test_an_idle_session_survives_under_thirty_minutes(desk: Desk) -> None:
    client, _ = desk.client_for("editor")
    recently = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=29)
    with desk.engine.begin() as connection:
        connection.execute(sa.update(login_sessions).values(last_seen=recently))
    assert client.get("/api/faq/me").status_code == 200


def test_logout_ends_the_session(desk: Desk) -> None:
    client, csrf = desk.client_for("editor")
    token = client.cookies.get("hukou_session")
    assert token
    response = client.post("/api/faq/logout", headers={"X-CSRF-Token": csrf})
    assert response.status_code == 200
    assert "hukou_session=" in response.headers["set-cookie"]
    again, _ = desk.client_for(None)
    again.cookies.set("hukou_session", token)
    assert again.get("/api/faq/me").status_code == 401


# -- roles and the workflow ----------------------------------------------------------------


def test_editors_cannot_approve_publish_or_manage_accounts(desk: Desk) -> None:
    editor, csrf = desk.client_for("editor")
    entry = create(editor, csrf)
    assert step(editor, csrf, entry["id"], "submit").status_code == 200
    approve = step(editor, csrf, entry["id"], "approve", comment="自己批")
    assert approve.status_code == 403 and "编辑不能审核条目" in approve.json()["detail"]
    reviewer, reviewer_csrf = desk.client_for("reviewer")
    assert step(reviewer, reviewer_csrf, entry["id"], "approve").status_code == 200
    publish = step(editor, csrf, entry["id"], "publish")
    assert publish.status_code == 403 and "编辑不能发布条目" in publish.json()["detail"]
    assert step(editor, csrf, entry["id"], "archive").status_code == 403
    assert editor.get("/api/faq/users").status_code == 403
    add = editor.post(
        "/api/faq/users",
        json={"username": "mine", "password": PASSWORD, "role": "admin"},
        headers={"X-CSRF-Token": csrf},
    )
    assert add.status_code == 403 and add.json()["detail"] == "只有管理员可以管理账号"
    assert desk.count(users) == len(STAFF)
    assert desk.client.get("/api/faq/published").json()["count"] == 0


def test_the_page_is_told_which_steps_each_user_may_take(desk: Desk) -> None:
    editor, csrf = desk.client_for("editor")
    entry = create(editor, csrf)
    assert editor.get(f"/api/faq/entries/{entry['id']}").json()["actions"] == ["submit"]
    step(editor, csrf, entry["id"], "submit")
    reviewer, _ = desk.client_for("reviewer")
    actions = reviewer.get(f"/api/faq/entries/{entry['id']}").json()["actions"]
    assert actions == ["approve", "reject", "archive", "restore"]
    assert editor.get(f"/api/faq/entries/{entry['id']}").json()["actions"] == []


def test_full_workflow_to_the_public_page(desk: Desk, kb: Knowledge) -> None:
    editor, csrf = desk.client_for("editor")
    entry = create(editor, csrf)
    assert entry["status"] == "draft" and entry["status_name"] == "草稿"
    submitted = step(editor, csrf, entry["id"], "submit", base_revision=entry["revision"])
    assert submitted.json()["entry"]["status_name"] == "待审核"

    reviewer, r_csrf = desk.client_for("reviewer")
    listed = reviewer.get("/api/faq/entries", params={"status": "in_review"}).json()
    assert [e["id"] for e in listed["entries"]] == [entry["id"]]
    assert listed["tags"] == ["土地权益"]
    rejected = step(reviewer, r_csrf, entry["id"], "reject", comment="")
    assert rejected.status_code == 422 and "必须填写意见" in rejected.json()["detail"]
    approved = step(reviewer, r_csrf, entry["id"], "approve", comment="引用准确")
    assert approved.status_code == 200
    assert approved.json()["entry"]["status_name"] == "已审核待发布"
    assert desk.client.get("/api/faq/published").json()["count"] == 0  # approved ≠ published
    published = step(reviewer, r_csrf, entry["id"], "publish").json()
    assert published["entry"]["status"] == "published"
    assert published["entry"]["published_version"] == 4
    assert [v["action_name"] for v in published["versions"]] == [
        "新建",
        "提交审核",
        "审核通过",
        "发布",
    ]
    assert published["versions"][2]["comment"] == "引用准确"
    assert {row["username"] for row in published["audit"]} == {"editor", "reviewer"}

    public = desk.client_for(None)[0].get("/api/faq/published")
    assert public.status_code == 200
    data = public.json()
    assert data["count"] == 1 and data["groups"][0]["tag"] == "土地权益"
    shown = data["groups"][0]["entries"][0]
    assert shown["question"] == ENTRY["question"] and shown["answer"] == ENTRY["answer"]
    assert "paraphrases" not in shown
    assert shown["clauses"] == [
        {
            "id": "5.1",
            "label": "五(一)",
            "title": kb.clause("5.1").title,
            "quote": kb.clause("5.1").quote,
        }
    ]
    assert QUOTE_5_1 in shown["clauses"][0]["quote"]
    assert data["policy"]["expires"] == "2022-07-28" and "2022年7月28日" in data["notice"]

    # Editing the published entry keeps the published version online until the next publish.
    edited = editor.put(
        f"/api/faq/entries/{entry['id']}",
        json={"base_revision": published["entry"]["revision"], "answer": "新的答案。"},
        headers={"X-CSRF-Token": csrf},
    ).json()
    assert edited["entry"]["status"] == "draft" and edited["entry"]["published_version"] == 4
    still = desk.client.get("/api/faq/published").json()["groups"][0]["entries"][0]
    assert still["answer"] == ENTRY["answer"]
    diff = reviewer.get(f"/api/faq/entries/{entry['id']}/diff", params={"a": 4, "b": 5}).json()
    assert "-" + ENTRY["answer"] in diff["lines"] and "+新的答案。" in diff["lines"]
    assert diff["lines"][-2:] == ["-已发布", "+草稿"]  # statuses in Chinese

    # Archiving takes it off the public page; restoring version 4 brings it back.
    archived = step(reviewer, r_csrf, entry["id"], "archive").json()
    assert archived["entry"]["status_name"] == "已归档"
    assert desk.client.get("/api/faq/published").json()["count"] == 0
    restored = step(reviewer, r_csrf, entry["id"], "restore", version=4)
    assert restored.status_code == 200 and restored.json()["entry"]["answer"] == ENTRY["answer"]
    assert desk.client.get("/api/faq/published").json()["count"] == 1
    never = step(reviewer, r_csrf, entry["id"], "restore", version=5)
    assert never.status_code == 409 and "没有发布过" in never.json()["detail"]


def test_nobody_publishes_their_own_text(desk: Desk) -> None:
    reviewer, csrf = desk.client_for("reviewer")
    entry = create(reviewer, csrf)
    step(reviewer, csrf, entry["id"], "submit")
    own = step(reviewer, csrf, entry["id"], "approve")
    assert own.status_code == 403 and own.json()["detail"] == "不能审核自己撰写的条目"


def test_wrong_status_and_missing_things(desk: Desk) -> None:
    editor, csrf = desk.client_for("editor")
    entry = create(editor, csrf)
    step(editor, csrf, entry["id"], "submit")
    twice = step(editor, csrf, entry["id"], "submit")
    assert twice.status_code == 409 and "待审核" in twice.json()["detail"]
    missing = editor.get("/api/faq/entries/999")
    assert missing.status_code == 404 and missing.json()["detail"] == "条目 999 不存在"
    no_version = editor.get(f"/api/faq/entries/{entry['id']}/diff", params={"a": 1, "b": 9})
    assert no_version.status_code == 404 and "第 9 版" in no_version.json()["detail"]
    no_group = editor.post("/api/faq/unanswered/42/draft", headers={"X-CSRF-Token": csrf})
    assert no_group.status_code == 404 and "42" in no_group.json()["detail"]
    bad_status = editor.get("/api/faq/entries", params={"status": "lost"})
    assert bad_status.status_code == 422 and "未知的状态" in bad_status.json()["detail"]


def test_a_step_on_a_stale_view_is_refused(desk: Desk) -> None:
    editor, csrf = desk.client_for("editor")
    entry = create(editor, csrf)
    step(editor, csrf, entry["id"], "submit")
    reviewer, r_csrf = desk.client_for("reviewer")
    seen = reviewer.get(f"/api/faq/entries/{entry['id']}").json()["entry"]["revision"]
    # Meanwhile the editor changes the text and submits again.
    editor.put(
        f"/api/faq/entries/{entry['id']}",
        json={"base_revision": seen, "answer": "改过的答案"},
        headers={"X-CSRF-Token": csrf},
    )
    step(editor, csrf, entry["id"], "submit")
    stale = step(reviewer, r_csrf, entry["id"], "approve", base_revision=seen)
    assert stale.status_code == 409 and "刚被他人修改" in stale.json()["detail"]
    assert editor.get(f"/api/faq/entries/{entry['id']}").json()["entry"]["status"] == "in_review"


# -- concurrent edits --------------------------------------------------------------------


def test_a_stale_save_is_a_409_that_hands_the_text_back(desk: Desk) -> None:
    first, csrf1 = desk.client_for("editor")
    second, csrf2 = desk.client_for("editor2")
    entry = create(first, csrf1)
    base = second.get(f"/api/faq/entries/{entry['id']}").json()["entry"]["revision"]
    saved = first.put(
        f"/api/faq/entries/{entry['id']}",
        json={"base_revision": base, "answer": "第一位编辑的答案。"},
        headers={"X-CSRF-Token": csrf1},
    )
    assert saved.status_code == 200 and saved.json()["entry"]["revision"] == base + 1
    mine = {"answer": "第二位编辑写了很久的答案。", "tags": ["土地权益", "宅基地"]}
    late = second.put(
        f"/api/faq/entries/{entry['id']}",
        json={"base_revision": base, **mine},
        headers={"X-CSRF-Token": csrf2},
    )
    assert late.status_code == 409
    body = late.json()
    assert "已被他人修改" in body["detail"] and "未保存" in body["detail"]
    assert body["revision"] == base + 1 and body["rejected"] == mine
    kept = second.get(f"/api/faq/entries/{entry['id']}").json()
    assert kept["entry"]["answer"] == "第一位编辑的答案。" and kept["entry"]["tags"] == ["土地权益"]
    assert [v["editor"] for v in kept["versions"]] == ["editor", "editor"]
    # Saving again on the current revision goes through.
    retry = second.put(
        f"/api/faq/entries/{entry['id']}",
        json={"base_revision": body["revision"], **mine},
        headers={"X-CSRF-Token": csrf2},
    )
    assert retry.status_code == 200 and retry.json()["entry"]["author"] == "editor2"


STEP = "/api/faq/entries/{id}/"


@pytest.mark.parametrize(
    ("who", "method", "path", "body", "problem"),
    [
        ("editor", "post", STEP + "submit", {"base_revision": "1"}, "base_revision 应为整数"),
        ("editor", "post", STEP + "submit", {"base_revision": True}, "base_revision 应为整数"),
        ("reviewer", "post", STEP + "restore", {"version": "1"}, "version 应为整数"),
        ("reviewer", "post", STEP + "approve", {"comment": 5}, "comment 应为字符串"),
        ("editor", "post", "/api/faq/preview", {"clause_ids": [5]}, "clause_ids.0 应为字符串"),
        (
            "admin",
            "patch",
            "/api/faq/users/editor",
            {"active": "false"},
            "active 应为 true 或 false",
        ),
        ("admin", "patch", "/api/faq/users/editor", {"role": 1}, "role 应为字符串"),
        (
            "admin",
            "post",
            "/api/faq/users",
            {"username": "x", "password": 1234567890, "role": "editor"},
            "password 应为字符串",
        ),
    ],
)
def test_types_are_strict_nothing_is_coerced(
    desk: Desk, who: str, method: str, path: str, body: dict[str, Any], problem: str
) -> None:
    # pydantic 1.10 turned "1" and true into revision 1, 5 into "5" and "false" into False.
    editor, e_csrf = desk.client_for("editor")
    entry = create(editor, e_csrf)
    client, csrf = desk.client_for(who)
    response = client.request(
        method.upper(), path.format(id=entry["id"]), json=body, headers={"X-CSRF-Token": csrf}
    )
    assert response.status_code == 422, response.text
    assert response.json()["detail"] == f"请求格式不正确：字段 {problem}。"
    assert client.get(f"/api/faq/entries/{entry['id']}").json()["entry"]["status"] == "draft"


def test_a_save_without_base_revision_is_refused(desk: Desk) -> None:
    editor, csrf = desk.client_for("editor")
    entry = create(editor, csrf)
    for base in (None, "1", True):
        body = {"answer": "x"} if base is None else {"answer": "x", "base_revision": base}
        response = editor.put(
            f"/api/faq/entries/{entry['id']}", json=body, headers={"X-CSRF-Token": csrf}
        )
        assert response.status_code == 422 and "base_revision" in response.json()["detail"]


# -- the live preview ----------------------------------------------------------------------


def test_preview_is_exactly_the_assistants_answer(desk: Desk, kb: Knowledge) -> None:
    editor, csrf = desk.client_for("editor")
    draft = {"question": ENTRY["question"], "answer": ENTRY["answer"], "clause_ids": ["5.1"]}
    response = editor.post("/api/faq/preview", json=draft, headers={"X-CSRF-Token": csrf})
    assert response.status_code == 200
    text, payload = faq_answer(kb, liling_today(), **draft)
    assert response.json()["text"] == one_bubble(text)  # as the actions send it
    assert response.json()["payload"] == json.loads(json.dumps(payload))
    assert QUOTE_5_1 in text and "2022年7月28日" in text
    assert response.json()["payload"]["clauses"][0]["label"] == "五(一)"
    assert desk.count(entries) == 0  # a preview saves nothing


def test_preview_tidies_text_as_saving_would(desk: Desk, kb: Knowledge) -> None:
    editor, csrf = desk.client_for("editor")
    messy = {"question": "  问题  ", "answer": "  第一段 \n\n\n\n第二段  ", "clause_ids": []}
    shown = editor.post("/api/faq/preview", json=messy, headers={"X-CSRF-Token": csrf}).json()
    entry = create(editor, csrf, **messy)
    expected, _ = faq_answer(
        kb,
        liling_today(),
        question=entry["question"],
        answer=entry["answer"],
        clause_ids=entry["clause_ids"],
    )
    assert shown["text"] == one_bubble(expected) and shown["text"].startswith("第一段\n第二段\n")


def test_preview_refuses_unknown_clauses_and_overlong_text(desk: Desk) -> None:
    editor, csrf = desk.client_for("editor")
    headers = {"X-CSRF-Token": csrf}
    unknown = editor.post(
        "/api/faq/preview", json={"answer": "a", "clause_ids": ["5.1", "9.9"]}, headers=headers
    )
    assert unknown.status_code == 422 and unknown.json() == {"detail": "未知的条款编号：9.9"}
    long = editor.post("/api/faq/preview", json={"answer": "字" * 5000}, headers=headers)
    assert long.status_code == 422 and "答案不能超过 2000 个字" in long.json()["detail"]
    empty = editor.post("/api/faq/preview", json={}, headers=headers)
    assert empty.status_code == 200 and empty.json()["text"].startswith("（答案尚未填写）")


# -- bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"question": ""}, "问题不能为空"),
        ({"question": "   "}, "问题不能为空"),
        ({"answer": "字" * 5000}, "答案不能超过 2000 个字（现在 5000 个）"),
        ({"question": "问" * 201}, "问题不能超过 200 个字"),
        ({"clause_ids": ["9.9"]}, "未知的条款编号：9.9"),
        ({"answer": "响铃\x07"}, "答案包含控制字符"),
        ({"tags": "土地"}, "标签必须是列表"),
        ({"paraphrases": [1]}, "第 1 个问法必须是文本"),
        ({"colour": "red"}, "未知字段：colour"),
        ({"key": "Bad Key"}, "标识 'Bad Key' 无效"),
    ],
)
def test_bad_entries_are_refused_in_chinese(
    desk: Desk, fields: dict[str, Any], message: str
) -> None:
    editor, csrf = desk.client_for("editor")
    response = editor.post(
        "/api/faq/entries", json={**ENTRY, **fields}, headers={"X-CSRF-Token": csrf}
    )
    assert response.status_code == 422
    assert message in response.json()["detail"]
    assert desk.count(entries) == 0


def test_a_body_that_is_not_an_object_is_refused(desk: Desk) -> None:
    editor, csrf = desk.client_for("editor")
    for body in ("[1, 2]", "not json", '"text"'):
        response = editor.post(
            "/api/faq/entries",
            content=body,
            headers={"X-CSRF-Token": csrf, "Content-Type": "application/json"},
        )
        assert response.status_code == 422, body
        assert response.json()["detail"].startswith("请求格式不正确")
    assert desk.count(entries) == 0


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert('x')</script>租房能落户吗？",
        '<img src=x onerror="alert(1)"> & &amp; "引号"',
        "外地户口😀能在醴陵落户吗？🏠",
        "離婚後戶口可以遷回原籍嗎？",
    ],
)
def test_html_emoji_and_traditional_text_are_stored_verbatim(desk: Desk, text: str) -> None:
    editor, csrf = desk.client_for("editor")
    entry = create(editor, csrf, question=text, answer=text, paraphrases=[text + "？"])
    stored = editor.get(f"/api/faq/entries/{entry['id']}").json()["entry"]
    assert stored["question"] == text and stored["answer"] == text
    assert stored["paraphrases"] == [text + "？"]
    found = editor.get("/api/faq/entries", params={"q": text[-5:]}).json()["entries"]
    assert [e["id"] for e in found] == [entry["id"]]


def test_a_traditional_search_finds_simplified_text(desk: Desk) -> None:
    editor, csrf = desk.client_for("editor")
    entry = create(editor, csrf)
    found = editor.get("/api/faq/entries", params={"q": "宅基地還保留嗎"}).json()["entries"]
    assert [e["id"] for e in found] == [entry["id"]]
    assert editor.get("/api/faq/entries", params={"tag": "没有"}).json()["entries"] == []


# -- unanswered questions and accounts -----------------------------------------------------


def test_unanswered_groups_become_drafts(desk: Desk, kb: Knowledge) -> None:
    store = FaqStore(desk.engine, kb.clauses)
    for text in ("独生子女证怎么办理", "独生子女证怎么办理？", "独生子女证在哪里办理"):
        store.record_unanswered(text, "fallback")
    store.record_unanswered("我的电话13912345678，狗能落户吗", "out_of_scope")
    editor, csrf = desk.client_for("editor")
    groups = editor.get("/api/faq/unanswered").json()["groups"]
    assert [g["count"] for g in groups] == [3, 1]
    assert all("13912345678" not in json.dumps(g, ensure_ascii=False) for g in groups)
    assert groups[0]["last_seen"] and groups[0]["examples"]
    made = editor.post(
        f"/api/faq/unanswered/{groups[0]['id']}/draft", headers={"X-CSRF-Token": csrf}
    )
    assert made.status_code == 201
    entry = made.json()["entry"]
    assert entry["status"] == "draft" and "独生子女证" in entry["question"]
    assert entry["answer"] == "" and entry["author"] == "editor"
    assert [g["count"] for g in editor.get("/api/faq/unanswered").json()["groups"]] == [1]
    empty = step(editor, csrf, entry["id"], "submit")
    assert empty.status_code == 422 and "答案为空" in empty.json()["detail"]


def test_admins_list_and_add_accounts(desk: Desk) -> None:
    admin, csrf = desk.client_for("admin")
    listed = admin.get("/api/faq/users").json()["users"]
    assert [u["username"] for u in listed] == sorted(STAFF)
    assert all("password_hash" not in u for u in listed)
    assert {u["role_name"] for u in listed} == {"编辑", "审核员", "管理员"}
    headers = {"X-CSRF-Token": csrf}
    added = admin.post(
        "/api/faq/users",
        json={"username": "张三", "password": PASSWORD, "role": "reviewer"},
        headers=headers,
    )
    assert added.status_code == 201 and added.json()["role_name"] == "审核员"
    newcomer, _ = desk.client_for("张三")
    assert newcomer.get("/api/faq/me").json()["user"]["role"] == "reviewer"
    for body, message in (
        ({"username": "张三", "password": PASSWORD, "role": "editor"}, "已存在"),
        ({"username": "李四", "password": "short", "role": "editor"}, "密码至少需要 10 个字符"),
        ({"username": "李四", "password": PASSWORD, "role": "boss"}, "角色必须是"),
        ({"username": "<b>", "password": PASSWORD, "role": "editor"}, "用户名须为"),
    ):
        refused = admin.post("/api/faq/users", json=body, headers=headers)
        assert refused.status_code == 422 and message in refused.json()["detail"], body


# -- pages and failure -----------------------------------------------------------------------


def test_pages_are_served_with_a_strict_policy_and_local_assets(desk: Desk) -> None:
    for path, script in (("/admin", "admin.js"), ("/faq", "faq.js")):
        page = desk.client.get(path)
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert script in page.text and 'lang="zh-CN"' in page.text
        assert "http://" not in page.text and "https://" not in page.text
        policy = page.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in desk.client.get("/admin").headers["content-security-policy"]
    for asset in ("admin.js", "admin.css", "faq.js", "faq.css", "dom.js"):
        assert desk.client.get(f"/static/{asset}").status_code == 200
    for script in ("admin.js", "faq.js"):
        assert "innerHTML" not in desk.client.get(f"/static/{script}").text


def test_an_unreachable_database_is_a_503_and_the_rest_still_works(tmp_path: Path) -> None:
    settings = Settings(
        database_url="postgresql+psycopg2://postgres@127.0.0.1:9/nowhere",
        rasa_url="http://127.0.0.1:9",
        action_url="http://127.0.0.1:9",
    )
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        for response in (
            client.get("/api/faq/published"),
            client.post("/api/faq/login", json={"username": "a", "password": PASSWORD}),
        ):
            assert response.status_code == 503
            assert response.json() == {"detail": "政策解读数据库暂时无法访问，请稍后再试。"}
        assert client.get("/api/clauses/5.1").status_code == 200
        assert client.get("/faq").status_code == 200


def test_admins_deactivate_change_roles_and_reset_passwords(desk: Desk) -> None:
    admin, csrf = desk.client_for("admin")
    editor, editor_csrf = desk.client_for("editor")
    headers = {"X-CSRF-Token": csrf}
    assert admin.patch("/api/faq/users/editor", json={"active": False}).status_code == 403  # CSRF
    refused = editor.patch(
        "/api/faq/users/editor2", json={"active": False}, headers={"X-CSRF-Token": editor_csrf}
    )
    assert refused.status_code == 403  # editors manage no accounts
    off = admin.patch("/api/faq/users/editor", json={"active": False}, headers=headers)
    assert off.status_code == 200 and off.json()["active"] is False
    assert editor.get("/api/faq/entries").status_code == 401  # the session ended at once
    new_password = "another long passphrase"
    changed = admin.patch(
        "/api/faq/users/editor",
        json={"active": True, "role": "reviewer", "password": new_password},
        headers=headers,
    )
    assert changed.status_code == 200 and changed.json()["role"] == "reviewer"
    client, _ = desk.client_for(None)
    signed = client.post("/api/faq/login", json={"username": "editor", "password": new_password})
    assert signed.status_code == 200 and signed.json()["user"]["role"] == "reviewer"
    myself = admin.patch("/api/faq/users/admin", json={"active": False}, headers=headers)
    assert myself.status_code == 422 and "不能停用自己" in myself.json()["detail"]
    missing = admin.patch("/api/faq/users/nobody", json={"role": "editor"}, headers=headers)
    assert missing.status_code == 422 and "没有用户" in missing.json()["detail"]


def test_the_author_cannot_restore_their_own_version(desk: Desk) -> None:
    # Issue 19, item 1: page and store agree that restoring one's own text needs someone else.
    author, a_csrf = desk.client_for("reviewer")
    entry = create(author, a_csrf)
    step(author, a_csrf, entry["id"], "submit")
    other, o_csrf = desk.client_for("admin")
    for action in ("approve", "publish", "archive"):
        assert step(other, o_csrf, entry["id"], action).status_code == 200
    refused = step(author, a_csrf, entry["id"], "restore", version=4)
    assert refused.status_code == 403 and refused.json()["detail"] == "不能恢复自己撰写的版本"
    assert desk.client.get("/api/faq/published").json()["count"] == 0
    shown = author.get(f"/api/faq/entries/{entry['id']}").json()
    assert [v["number"] for v in shown["versions"] if v["restorable"]] == []
    offered = other.get(f"/api/faq/entries/{entry['id']}").json()
    assert [v["number"] for v in offered["versions"] if v["restorable"]] == [4]
    assert step(other, o_csrf, entry["id"], "restore", version=4).status_code == 200
