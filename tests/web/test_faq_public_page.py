"""The public 政策解读 page's data: 解读机关 (only as configured), dates per entry, the 原文."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from bot.faq.db import make_engine
from bot.faq.models import entry_versions
from bot.faq.store import FaqStore
from bot.paths import ROOT
from bot.web.app import create_app
from bot.web.faq_desk import UNNAMED_INTERPRETER
from bot.web.settings import Settings
from tests.support.faq import NEWBORN, desk, publish

DEPARTMENT_WORDS = ("公安局", "派出所户籍科", "人民政府", "办公室", "法制办")


URL = "sqlite:///{}/faq.sqlite3"


def _client(tmp_path: Path, **extra: Any) -> Iterator[tuple[TestClient, FaqStore]]:
    url = URL.format(tmp_path)
    store = desk(url)
    app = create_app(
        Settings(
            database_url=url,
            rasa_url="http://127.0.0.1:9",
            action_url="http://127.0.0.1:9",
            **extra,
        )
    )
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client, store


@pytest.fixture
def public(tmp_path: Path) -> Iterator[tuple[TestClient, FaqStore]]:
    yield from _client(tmp_path)


def _entry(client: TestClient) -> dict[str, Any]:
    response = client.get("/api/faq/published")
    assert response.status_code == 200, response.text
    (group,) = response.json()["groups"]
    (entry,) = group["entries"]
    assert isinstance(entry, dict)
    return entry


def test_without_configuration_no_department_is_named(
    public: tuple[TestClient, FaqStore],
) -> None:
    client, _ = public
    body = client.get("/api/faq/published").json()
    assert body["interpreter"] == {"name": UNNAMED_INTERPRETER, "configured": False}
    assert not any(word in UNNAMED_INTERPRETER for word in DEPARTMENT_WORDS)
    assert "以派出所答复为准" in UNNAMED_INTERPRETER
    assert body["full_text"] == "/policy"


def test_the_configured_interpreter_is_named(tmp_path: Path) -> None:
    for client, _ in _client(tmp_path, faq_interpreter="  醴陵市公安局户政管理大队 "):
        body = client.get("/api/faq/published").json()
        assert body["interpreter"] == {"name": "醴陵市公安局户政管理大队", "configured": True}


def test_each_entry_has_its_first_and_latest_publication_and_review_date(
    public: tuple[TestClient, FaqStore], tmp_path: Path
) -> None:
    client, store = public
    entry = publish(store, NEWBORN)
    # The first publication a year back: republishing changes 更新日期, not 发布日期.
    engine = make_engine(URL.format(tmp_path))
    with engine.begin() as connection:
        connection.execute(
            sa.update(entry_versions)
            .where(entry_versions.c.entry_id == entry.id)
            .values(created_at=dt.datetime(2025, 12, 31, 17, 0, tzinfo=dt.timezone.utc))
        )
    engine.dispose()
    served = _entry(client)
    assert served["first_published"] == "2026-01-01", "China time: 17:00 UTC is the next day"
    assert served["updated"] == "2026-01-01"
    assert served["review_by"] is None

    store.update("editor", entry.id, {"answer": f"{NEWBORN['answer']}（已更新）"}, entry.revision)
    store.submit("editor", entry.id)
    store.approve("reviewer", entry.id)
    store.publish("reviewer", entry.id)
    store.set_review_by("editor", entry.id, dt.date(2027, 3, 1))
    served = _entry(client)
    assert served["first_published"] == "2026-01-01"
    china_today = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date().isoformat()
    assert served["updated"] == china_today
    assert served["review_by"] == "2027-03-01"


def test_the_full_text_is_served_verbatim(public: tuple[TestClient, FaqStore]) -> None:
    client, _ = public
    response = client.get("/api/policy/text")
    assert response.status_code == 200
    body = response.json()
    stored = (ROOT / "policy_text" / "liling-2017-6.txt").read_text(encoding="utf-8")
    assert body["text"] == stored
    assert (body["doc_no"], body["issuer"], body["expires"]) == (
        "醴政发〔2017〕6号",
        "醴陵市人民政府",
        "2022-07-28",
    )
    page = client.get("/policy")
    assert page.status_code == 200
    assert "/static/policy.js" in page.text
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
