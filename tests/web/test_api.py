"""The gateway's API: knowledge base, search, lookup, chat forwarding and health, with bad input."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient

from bot.policy import load_knowledge
from bot.policy.clock import today as liling_today
from bot.stack.processes import Stack
from bot.web.app import create_app
from bot.web.settings import Settings

DOWN = Settings(rasa_url="http://127.0.0.1:9", action_url="http://127.0.0.1:9")


@pytest.fixture(scope="module")
def offline() -> Iterator[TestClient]:
    """The gateway with Rasa and the action server unreachable."""
    with TestClient(create_app(DOWN), raise_server_exceptions=False) as client:
        yield client


def test_clauses(offline: TestClient) -> None:
    data = offline.get("/api/clauses").json()
    assert len(data["clauses"]) == len(load_knowledge().clauses)
    one = offline.get("/api/clauses/3.1.5").json()
    assert one["label"] == "三(一)5" and one["departments"] == ["市公安局"]
    missing = offline.get("/api/clauses/9.9")
    assert missing.status_code == 404 and "9.9" in missing.json()["detail"]


@pytest.mark.parametrize(
    ("query", "clause_id"),
    [
        ("宅基地", "5.1"),
        ("租房落户", "3.1.5"),
        ("退伍回村", "3.2.2"),
        ("没有准生证", "4.1"),
        ("居住证 中考", "4.2"),
        ("離婚後遷回原籍", "3.2.7"),
    ],
)
def test_search_ranks_the_clause_first(offline: TestClient, query: str, clause_id: str) -> None:
    hits = offline.get("/api/search", params={"q": query}).json()["hits"]
    assert hits and hits[0]["id"] == clause_id


def test_search_snippets_are_escaped(offline: TestClient) -> None:
    hits = offline.get("/api/search", params={"q": "<script>居住证</script>"}).json()["hits"]
    assert hits and all("<script>" not in h["snippet"] for h in hits)
    assert any("<mark>居住证</mark>" in h["snippet"] for h in hits)


def test_search_bad_queries(offline: TestClient) -> None:
    assert offline.get("/api/search", params={"q": ""}).json()["hits"] == []
    assert offline.get("/api/search", params={"q": "😀😀"}).json()["hits"] == []
    too_long = offline.get("/api/search", params={"q": "字" * 500})
    assert too_long.status_code == 422 and "请求格式不正确" in too_long.json()["detail"]


def test_lookup_understands_the_callers_words(offline: TestClient) -> None:
    data = offline.post(
        "/api/lookup", json={"text": "我在醴陵城里租了房子想把户口迁过来，没交社保"}
    ).json()
    assert data["understood"]["housing"] == "rented"
    assert data["understood"]["urban_social_insurance"] is False
    assert [c["id"] for c in data["clauses"]] == ["3.1.5"]
    assert data["policy"]["expires"] == "2022-07-28" and data["documents"]
    # No worker answers here: the fact rules alone read the words, and the page is told.
    assert data["understanding"]["source"] == "rules" and data["understanding"]["intent"] is None


def test_the_gateway_answers_while_the_lookup_loads_its_rules(
    offline: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no worker up, the first lookup loads spaCy and jieba: the others must not wait."""
    from bot.web.routes import lookup

    loaded = lookup._rules

    def slow_to_load() -> object:
        time.sleep(2)  # as loading the rules takes while a worker loads its model
        return loaded()

    monkeypatch.setattr(lookup, "_rules", slow_to_load)
    with ThreadPoolExecutor(1) as pool:
        first = pool.submit(offline.post, "/api/lookup", json={"text": "我在城里租了房子"})
        time.sleep(0.3)
        start = time.monotonic()
        assert offline.get("/api/search", params={"q": "落户"}).status_code == 200
        waited = time.monotonic() - start
        assert first.result().json()["understanding"]["source"] == "rules"
    assert waited < 1.0


@pytest.mark.parametrize("preload", [True, False])
def test_the_rules_are_loaded_at_start_when_asked(
    preload: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.web.routes import lookup

    loading = threading.Event()
    monkeypatch.setattr(lookup, "_rules", loading.set)
    with TestClient(create_app(DOWN.copy(update={"preload_rules": preload}))):
        assert loading.wait(5 if preload else 0.5) is preload


def test_hukou_serve_preloads_the_rules_with_a_single_worker() -> None:
    from bot.stack.profile import Profile

    for workers, preload in ((1, "true"), (2, "false")):
        stack = Stack(web_port=8000, profile=Profile(workers=workers))
        assert stack._environment("web")["HUKOU_PRELOAD_RULES"] == preload
        assert Settings.parse_obj({"preload_rules": preload}).preload_rules is (preload == "true")


def test_lookup_ticked_facts_override_words(offline: TestClient) -> None:
    data = offline.post(
        "/api/lookup", json={"text": "租了房子想落户城里", "facts": {"housing": "none"}}
    ).json()
    assert data["situation"]["housing"] == "none"
    # 三(一)5 is what the words were about: shown as not applying, never as applicable.
    assert data["outcome"] != "eligible"
    assert all(c["ruled_out"] for c in data["clauses"] if c["id"] == "3.1.5")


def test_lookup_bad_input(offline: TestClient) -> None:
    bad_fact = offline.post("/api/lookup", json={"facts": {"salary": 1}})
    assert bad_fact.status_code == 422 and "未知的情况项" in bad_fact.json()["detail"]
    too_long = offline.post("/api/lookup", json={"text": "租房" * 600})
    assert too_long.status_code == 422 and "太长" in too_long.json()["detail"]
    empty = offline.post("/api/lookup", json={"text": ""}).json()
    assert empty["outcome"] == "need_goal" and empty["missing"][0] == "goal"


def test_chat_rejects_bad_messages(offline: TestClient) -> None:
    empty = offline.post("/api/chat", json={"sender": "a", "message": "   "})
    assert empty.status_code == 422 and "消息是空的" in empty.json()["detail"]
    long = offline.post("/api/chat", json={"sender": "a", "message": "字" * 1001})
    assert long.status_code == 422 and "1000" in long.json()["detail"]
    malformed = offline.post("/api/chat", json={"message": "你好"})
    assert malformed.status_code == 422 and "请求格式不正确" in malformed.json()["detail"]


def test_chat_with_the_assistant_down_is_a_503_in_chinese(offline: TestClient) -> None:
    response = offline.post("/api/chat", json={"sender": "a", "message": "你好"})
    assert response.status_code == 503
    assert "派出所" in response.json()["detail"] and "Traceback" not in response.text


def test_healthz_names_what_is_down(offline: TestClient) -> None:
    response = offline.get("/healthz")
    assert response.status_code == 503
    data = response.json()
    assert data["knowledge"].startswith("ok") and data["rasa"].startswith("down")


def _settings_for(assistant: Stack) -> Settings:
    """The gateway's settings for the running assistant (its ports and API token)."""
    return Settings(
        rasa_url=f"http://127.0.0.1:{assistant.rasa_port}",
        action_url=f"http://127.0.0.1:{assistant.action_port}",
        rasa_token=assistant.rasa_token,
    )


def test_chat_and_health_with_the_assistant_running(assistant: Stack) -> None:
    with TestClient(create_app(_settings_for(assistant))) as client:
        health = client.get("/healthz")
        assert health.status_code == 200, health.json()
        assert set(health.json()) == {"knowledge", "rasa", "actions"}
        reply = client.post(
            "/api/chat", json={"sender": "web-1", "message": "退伍回来了想把户口迁回村里"}
        )
        assert reply.status_code == 200
        customs = [m["custom"] for m in reply.json()["messages"] if m["custom"]]
        assert customs and [c["id"] for c in customs[-1]["clauses"]] == ["3.2.2"]
        html = client.post("/api/chat", json={"sender": "web-2", "message": "<b>你好</b>"})
        assert html.status_code == 200 and all(
            "<b>" not in (m["text"] or "") for m in html.json()["messages"]
        )


def test_lookup_reads_words_as_the_chat_does(assistant: Stack) -> None:
    """One understanding: the lookup asks a worker's NLU, so topics and declines match the chat."""
    with TestClient(create_app(_settings_for(assistant))) as client:
        topic = client.post("/api/lookup", json={"text": "进城落户以后老家的宅基地还能保留吗"})
        body = topic.json()
        assert topic.status_code == 200 and body["understanding"]["source"] == "model"
        assert body["type"] == "clause" and "5.1" in [c["id"] for c in body["clauses"]]
        assert body["text"] and body["assessment"]["type"] == "assessment"
        words = "我在醴陵城里租了房子想把户口迁过来，没交社保"
        lookup = client.post("/api/lookup", json={"text": words}).json()
        chat = client.post("/api/chat", json={"sender": "same-words", "message": words}).json()
        assessed = [m["custom"] for m in chat["messages"] if (m["custom"] or {}).get("situation")]
        assert assessed and assessed[-1]["situation"] == lookup["understood"]
        assert lookup["type"] == "assessment" and lookup["understood"]["goal"] == "settle_urban"


def test_pages_are_served_with_local_assets_only(offline: TestClient) -> None:
    for path, marker in (("/", "chat.js"), ("/staff", "staff.js")):
        page = offline.get(path)
        assert page.status_code == 200 and marker in page.text
        assert "http://" not in page.text and "https://" not in page.text  # no CDN
    for asset in ("chat.js", "chat.css", "staff.js", "staff.css", "embed.js"):
        assert offline.get(f"/static/{asset}").status_code == 200


def test_widget_never_puts_text_into_innerhtml(offline: TestClient) -> None:
    script = offline.get("/static/chat.js").text
    assert "innerHTML" not in script and "textContent" in script


def test_facts_endpoint_lists_questions_and_options(offline: TestClient) -> None:
    facts = offline.get("/api/facts").json()["facts"]
    housing = next(f for f in facts if f["fact"] == "housing")
    assert [o["label"] for o in housing["options"]][-1] == "不清楚"
    assert housing["question"].endswith("？")


def test_rate_limit_gives_a_clear_429() -> None:
    settings = Settings(rasa_url=DOWN.rasa_url, action_url=DOWN.action_url, rate_limit_per_minute=1)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        chat = [
            client.post("/api/chat", json={"sender": "s", "message": "你好"}).status_code
            for _ in range(2)
        ]
        assert chat == [503, 429]  # the first goes through (assistant down), the second waits
        codes = [client.get("/api/search", params={"q": "居住证"}).status_code for _ in range(11)]
        assert codes == [200] * 10 + [429]
        limited = client.get("/api/search", params={"q": "居住证"})
        assert "秒后再试" in limited.json()["detail"] and int(limited.headers["Retry-After"]) >= 1
        assert client.get("/").status_code == 200  # pages are not limited


def test_rate_limiter_window_slides() -> None:
    from bot.web.ratelimit import RateLimiter

    limiter = RateLimiter(2, window=10)
    assert limiter.check("a", now=0) == 0 and limiter.check("a", now=1) == 0
    assert limiter.check("a", now=2) == pytest.approx(8)
    assert limiter.check("b", now=2) == 0  # per client
    assert limiter.check("a", now=10.5) == 0  # the first hit left the window


def test_chat_when_only_the_action_server_is_down() -> None:
    """Rasa up but its action server down: Rasa says nothing; the gateway says why (503)."""
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    class SilentRasa(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            body = json.dumps([]).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), SilentRasa)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        settings = Settings(
            rasa_url=f"http://127.0.0.1:{server.server_port}", action_url="http://127.0.0.1:9"
        )
        with TestClient(create_app(settings)) as client:
            response = client.post("/api/chat", json={"sender": "s", "message": "我想落户"})
        assert response.status_code == 503
        assert (
            "答复服务暂时不可用" in response.json()["detail"]
            and "派出所" in response.json()["detail"]
        )
    finally:
        server.shutdown()


@pytest.mark.parametrize(
    "path",
    ["/static/%00", "/static/a%00.js", "/static/admin/%00", "/static/nope.js", "/static/..%2fx"],
)
def test_a_bad_static_path_is_a_plain_404(path: str, caplog: pytest.LogCaptureFixture) -> None:
    # Issue 19, item 8: a NUL byte made StaticFiles raise (500, a traceback per request).
    # raise_server_exceptions: an exception escaping the app is what the server logs.
    with TestClient(create_app(DOWN), raise_server_exceptions=True) as client:
        response = client.get(path)
    assert response.status_code == 404
    assert response.json() == {"detail": "找不到该文件"}
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


def test_lookup_as_of_a_date(offline: TestClient) -> None:
    facts = {
        "goal": "settle_urban",
        "join_relative": "spouse",
        "marital_status": "married",
        "spouse_hukou_area": "liling_urban",
        "lives_with_relative": True,
    }
    before = offline.post("/api/lookup", json={"facts": facts, "date": "2024-06-30"}).json()
    after = offline.post("/api/lookup", json={"facts": facts, "date": "2024-07-01"}).json()
    assert before["as_of"] == "2024-06-30" and after["policy"]["as_of"] == "2024-07-01"

    def passages(data: dict[str, Any]) -> list[str]:
        return [item["passage"] for item in data["changes"]["items"]]

    assert "online-from-2024-07-01" not in passages(before)
    assert "online-from-2024-07-01" in passages(after)
    in_force = offline.post("/api/lookup", json={"facts": facts, "date": "2020-01-01"}).json()
    assert in_force["policy"]["expired"] is False and in_force["changes"]["items"] == []
    today = offline.post("/api/lookup", json={"facts": facts}).json()
    assert today["as_of"] == liling_today().isoformat()


@pytest.mark.parametrize(
    ("date", "message"),
    [
        ("2024-13-01", "不是有效的日期"),
        ("2024/07/01", "YYYY-MM-DD"),
        (20240701, "YYYY-MM-DD"),
        ("1999-12-31", "2000-01-01 至 2099-12-31"),
    ],
)
def test_lookup_bad_date_is_a_chinese_422(offline: TestClient, date: object, message: str) -> None:
    response = offline.post("/api/lookup", json={"text": "租房落户", "date": date})
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail.startswith("请求格式不正确：字段 date") and message in detail


def test_policies_lists_the_documents_as_of_a_date(offline: TestClient) -> None:
    data = offline.get("/api/policies", params={"date": "2024-01-01"}).json()
    documents = {d["id"]: d for d in data["documents"]}
    assert set(documents) == {"liling-2017-6", "hunan-2024-measures", "national-direction"}
    assert documents["liling-2017-6"]["standing"] == "expired"
    assert documents["hunan-2024-measures"]["standing"] == "not_yet"
    assert documents["hunan-2024-measures"]["doc_no"] is None
    assert any("仍在使用" in reminder for reminder in data["reminders"])
    bad = offline.get("/api/policies", params={"date": "2024-02-30"})
    assert bad.status_code == 422 and "不是有效的日期" in bad.json()["detail"]
