"""Security headers on every response, a policy that fits the pages, and /docs without a CDN."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from playwright.sync_api import Browser

from bot.paths import STATIC
from bot.web.app import create_app
from bot.web.settings import Settings
from tests.support.browser import Gateway

PAGES = ("/", "/staff", "/admin", "/faq", "/docs", "/redoc")
FRAMEABLE = ("/", "/faq")


class Boom(Exception):
    """What an unexpected failure in a route raises."""


def _app(tmp_path: Path, **extra: object) -> FastAPI:
    app = create_app(
        Settings(
            database_url=f"sqlite:///{tmp_path}/faq.sqlite3",
            rasa_url="http://127.0.0.1:9",
            action_url="http://127.0.0.1:9",
            **extra,
        )
    )

    async def boom() -> None:
        raise Boom()

    app.add_api_route("/api/boom", boom)
    return app


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The gateway (Rasa unreachable) with a 1 KB body limit and 3 API requests a minute."""
    app = _app(tmp_path_factory.mktemp("headers"), max_body_bytes=1024)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def _assert_secured(headers: Mapping[str, str], what: str) -> None:
    assert headers.get("x-content-type-options") == "nosniff", what
    assert headers.get("referrer-policy") == "same-origin", what
    policy = headers.get("content-security-policy", "")
    assert "object-src 'none'" in policy or policy.startswith("default-src 'none'"), what


def test_every_kind_of_response_is_secured(client: TestClient) -> None:
    responses = {
        "page": client.get("/staff"),
        "json": client.get("/api/clauses"),
        "openapi": client.get("/openapi.json"),
        "static": client.get("/static/chat.js"),
        "docs asset": client.get("/static/api-docs/swagger-ui.css"),
        "404": client.get("/no-such-page"),
        "405": client.put("/api/chat"),
        "422": client.post("/api/chat", json={"message": 1}),
        "413": client.post("/api/chat", content=b"x" * 2000),
        "500": client.get("/api/boom"),
        "503": client.get("/healthz"),
    }
    for name, response in responses.items():
        _assert_secured(response.headers, name)
        assert response.headers["x-frame-options"] == "DENY", name
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"], name
    assert [responses[n].status_code for n in ("404", "405", "413", "500")] == [404, 405, 413, 500]


def test_a_rate_limited_answer_is_secured_too(tmp_path: Path) -> None:
    with TestClient(_app(tmp_path, rate_limit_per_minute=1)) as client:
        statuses = [client.get("/api/search", params={"q": "户口"}) for _ in range(12)]
    limited = statuses[-1]
    assert limited.status_code == 429
    _assert_secured(limited.headers, "429")


def test_a_json_answer_may_load_nothing(client: TestClient) -> None:
    policy = client.get("/api/facts").headers["content-security-policy"]
    assert policy.startswith("default-src 'none'")


@pytest.mark.parametrize("path", PAGES)
def test_pages_load_only_the_gateways_own_scripts(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    _assert_secured(response.headers, path)
    policy = response.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "default-src 'self'" in policy
    assert "http://" not in response.text and "https://" not in response.text
    for src in re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', response.text):
        asset = client.get(src)
        assert asset.status_code == 200, src
        assert asset.headers["content-type"].split(";")[0] in {
            "text/javascript",
            "text/css",
            "image/png",
        }, src


@pytest.mark.parametrize("path", PAGES)
def test_only_the_widget_and_the_public_faq_may_be_framed(client: TestClient, path: str) -> None:
    headers = client.get(path).headers
    if path in FRAMEABLE:
        # /static/embed.js opens the widget in an iframe on the city's sites.
        assert "x-frame-options" not in headers
        assert "frame-ancestors" not in headers["content-security-policy"]
    else:
        assert headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in headers["content-security-policy"]


def test_only_the_docs_allow_inline_styles(client: TestClient) -> None:
    for path in PAGES:
        policy = client.get(path).headers["content-security-policy"]
        assert ("'unsafe-inline'" in policy) == (path in ("/docs", "/redoc")), path
        assert "script-src 'self';" in policy, path


@pytest.mark.parametrize("page", sorted(p.name for p in STATIC.glob("*.html")))
def test_the_pages_have_no_inline_script_or_style(page: str) -> None:
    # The page policy allows scripts and styles from files only: anything inline is refused
    # by the browser, so it must not be there.
    html = (STATIC / page).read_text(encoding="utf-8")
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), page
    assert "<style" not in html and " style=" not in html, page
    assert not re.search(r"\son[a-z]+=", html), page


def test_docs_come_from_the_gateway_not_a_cdn(client: TestClient) -> None:
    for path in ("/docs", "/redoc"):
        html = client.get(path).text
        assert "cdn." not in html and "unpkg" not in html and "jsdelivr" not in html
    assert client.get("/static/api-docs/swagger-ui-bundle.js").content.startswith(b"/*!")
    assert client.get("/static/api-docs/redoc.standalone.js").content.startswith(b"/*!")
    assert client.get("/docs/oauth2-redirect").status_code == 404


def _csp_violations(browser: Browser, url: str, ready: str) -> list[str]:
    """Open ``url``, wait for ``ready`` to be drawn; the page's CSP violations."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    seen: list[str] = []
    page.on("console", lambda message: seen.append(message.text))
    page.goto(url)
    page.locator(ready).first.wait_for(timeout=30_000)
    page.wait_for_timeout(500)
    page.close()
    return [text for text in seen if "Content Security Policy" in text]


def test_swagger_ui_and_redoc_work_under_their_policy(browser: Browser, gateway: Gateway) -> None:
    assert _csp_violations(browser, gateway.url + "/docs", ".opblock") == []
    # Redoc's sidebar shows the Redocly logo from its CDN: the policy refuses it, and
    # nothing else.
    refused = _csp_violations(browser, gateway.url + "/redoc", "[data-section-id]")
    assert all("cdn.redoc.ly" in text for text in refused), refused


def test_another_site_can_frame_the_widget_but_not_the_staff_page(
    browser: Browser, gateway: Gateway
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    # A page of another origin (about:blank) with the one-tag embed and a frame of /staff.
    page.set_content(
        f'<html><body><iframe id="staff" src="{gateway.url}/staff"></iframe>'
        f'<script src="{gateway.url}/static/embed.js"></script></body></html>'
    )
    page.click("#hukou-launcher")
    widget = page.frame_locator("#hukou-frame")
    widget.locator("#input").wait_for(timeout=30_000)
    page.wait_for_timeout(500)
    staff = page.locator("#staff").element_handle().content_frame()
    # A refused frame stays empty: the browser never shows the page in it.
    assert staff is not None and staff.locator("#q").count() == 0
    page.close()
