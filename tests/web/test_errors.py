"""Every 4xx is answered in Chinese, in the one documented error schema, with strict types."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from bot.web.app import create_app
from bot.web.errors import validation_message
from bot.web.settings import Settings

JSON = {"Content-Type": "application/json"}
DEEP = b"[" * 20_000 + b"]" * 20_000
ENGLISH = re.compile(
    r"Not Found|Method Not Allowed|error parsing|field required|value is not|type expected|"
    r"ensure this value|JSON decode|not a valid|none is not"
)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The gateway with Rasa unreachable and the FAQ desk on a new database."""
    database = f"sqlite:///{tmp_path_factory.mktemp('errors') / 'faq.sqlite3'}"
    settings = Settings(
        database_url=database, rasa_url="http://127.0.0.1:9", action_url="http://127.0.0.1:9"
    )
    with TestClient(create_app(settings), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def spec(client: TestClient) -> dict[str, Any]:
    document: dict[str, Any] = client.get("/openapi.json").json()
    return document


# (method, path as documented, path as requested, keyword arguments, status, words in the message)
CASES: list[tuple[str, str, str, dict[str, Any], int, str]] = [
    (
        "post",
        "/api/chat",
        "/api/chat",
        {"content": b'{"sender": "a", "message": "\xff\xfe"}', "headers": JSON},
        400,
        "UTF-8",
    ),
    ("post", "/api/chat", "/api/chat", {"content": DEEP, "headers": JSON}, 400, "层次"),
    ("post", "/api/lookup", "/api/lookup", {"content": DEEP, "headers": JSON}, 400, "层次"),
    ("post", "/api/faq/login", "/api/faq/login", {"content": DEEP, "headers": JSON}, 400, "层次"),
    ("post", "/api/chat", "/api/chat", {"content": b"{", "headers": JSON}, 422, "不是有效的 JSON"),
    ("post", "/api/chat", "/api/chat", {"json": {"message": "你好"}}, 422, "缺少字段 sender"),
    ("post", "/api/chat", "/api/chat", {"json": [1]}, 422, "请求内容应为 JSON 对象"),
    # Strict types: nothing is coerced.
    (
        "post",
        "/api/chat",
        "/api/chat",
        {"json": {"sender": "a", "message": 123}},
        422,
        "字段 message 应为字符串",
    ),
    (
        "post",
        "/api/chat",
        "/api/chat",
        {"json": {"sender": 7, "message": "你好"}},
        422,
        "字段 sender 应为字符串",
    ),
    ("post", "/api/chat", "/api/chat", {"json": {"sender": "", "message": "x"}}, 422, "至少"),
    ("post", "/api/lookup", "/api/lookup", {"json": {"text": 5}}, 422, "字段 text 应为字符串"),
    (
        "post",
        "/api/lookup",
        "/api/lookup",
        {"json": {"facts": [["housing", "rented"]]}},
        422,
        "字段 facts 应为 JSON 对象",
    ),
    (
        "post",
        "/api/faq/login",
        "/api/faq/login",
        {"json": {"username": 1, "password": 2}},
        422,
        "字段 username 应为字符串",
    ),
    (
        "get",
        "/api/search",
        "/api/search",
        {"params": {"q": "字" * 201}},
        422,
        "参数 q 最多 200 个字符",
    ),
    ("get", "/api/search", "/api/search", {"params": {"limit": "x"}}, 422, "参数 limit 应为整数"),
    ("get", "/api/search", "/api/search", {"params": {"limit": 0}}, 422, "参数 limit 不能小于 1"),
    (
        "get",
        "/api/faq/entries/{entry_id}",
        "/api/faq/entries/abc",
        {},
        401,
        "请先登录",
    ),
    ("get", "/api/clauses/{clause_id}", "/api/clauses/9.9", {}, 404, "9.9"),
]


@pytest.mark.parametrize(
    ("method", "documented", "path", "kwargs", "status", "words"),
    CASES,
    ids=[f"{c[0]} {c[2]} {c[4]} {c[5]}" for c in CASES],
)
def test_errors_are_chinese_and_documented(
    client: TestClient,
    spec: dict[str, Any],
    method: str,
    documented: str,
    path: str,
    kwargs: dict[str, Any],
    status: int,
    words: str,
) -> None:
    response = client.request(method.upper(), path, **kwargs)
    assert response.status_code == status, response.text
    detail = response.json()["detail"]
    assert words in detail and not ENGLISH.search(detail), detail
    assert str(status) in spec["paths"][documented][method]["responses"]


@pytest.mark.parametrize(
    ("method", "path", "status", "words"),
    [
        ("get", "/no-such-page", 404, "找不到"),
        ("get", "/api/no-such-route", 404, "找不到"),
        ("put", "/api/chat", 405, "请求方式"),
        ("delete", "/api/clauses", 405, "请求方式"),
        ("get", "/static/no-such-file.js", 404, "找不到"),
    ],
)
def test_the_frameworks_own_errors_are_chinese(
    client: TestClient, method: str, path: str, status: int, words: str
) -> None:
    response = client.request(method.upper(), path)
    assert response.status_code == status
    assert words in response.json()["detail"] and not ENGLISH.search(response.text)


def test_a_405_still_says_which_methods_are_allowed(client: TestClient) -> None:
    assert client.put("/api/chat").headers["allow"] == "POST"


def test_every_error_is_documented_as_the_one_error_schema(spec: dict[str, Any]) -> None:
    schemas = spec["components"]["schemas"]
    assert "HTTPValidationError" not in schemas and "ValidationError" not in schemas
    assert set(schemas["ApiError"]["properties"]) == {"detail", "revision", "rejected"}
    assert schemas["ApiError"]["properties"]["detail"]["type"] == "string"
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            assert "500" in codes, (method, path)
            if "requestBody" in operation:
                assert {"400", "413", "422"} <= codes, (method, path)
            if path.startswith("/api/"):
                assert "429" in codes, (method, path)
            for code, response in operation["responses"].items():
                if code.startswith(("4", "5")) and path != "/healthz":
                    schema = response["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/ApiError"}, (path, code)


def test_each_route_documents_its_own_errors(spec: dict[str, Any]) -> None:
    paths = spec["paths"]

    def codes(path: str, method: str) -> set[str]:
        return set(paths[path][method]["responses"])

    assert {"400", "413", "422", "429", "500", "503"} <= codes("/api/chat", "post")
    assert {"401", "403", "404", "409", "503"} <= codes("/api/faq/entries/{entry_id}", "put")
    assert {"401", "404"} <= codes("/api/faq/entries/{entry_id}", "get")
    assert "403" not in codes("/api/faq/entries/{entry_id}", "get")
    assert {"401", "429"} <= codes("/api/faq/login", "post")
    assert {"401", "403"} <= codes("/api/faq/users", "get")
    assert "404" in codes("/api/clauses/{clause_id}", "get")
    assert "503" in codes("/healthz", "get")


def test_the_message_length_setting_is_in_the_schema(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path}/faq.sqlite3", max_message_chars=321)
    schemas = TestClient(create_app(settings)).get("/openapi.json").json()["components"]["schemas"]
    assert schemas["ChatIn"]["properties"]["message"]["maxLength"] == 321
    assert schemas["LookupIn"]["properties"]["text"]["maxLength"] == 321
    assert schemas["ChatIn"]["properties"]["sender"]["maxLength"] == 128


@pytest.mark.parametrize(
    ("error", "message"),
    [
        ({"loc": ("body", "a", 0), "type": "type_error.str"},
         "请求格式不正确：字段 a.0 应为字符串。"),
        ({"loc": ("header", "x-csrf-token"), "type": "value_error.any_str.max_length",
          "ctx": {"limit_value": 256}}, "请求格式不正确：请求头 x-csrf-token 最多 256 个字符。"),
        ({"loc": ("body", "x"), "type": "value_error.somethingnew", "msg": "bad thing"},
         "请求格式不正确：字段 x 的值不正确。"),
        ({"loc": ("body", "x"), "type": "value_error", "msg": "应为日期"},
         "请求格式不正确：字段 x 应为日期。"),
    ],
)  # fmt: skip
def test_validation_messages_never_show_pydantics_english(
    error: dict[str, Any], message: str
) -> None:
    assert validation_message([error]) == message
    assert validation_message([]) == "请求格式不正确。"


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/api/faq/entries", "GET, POST"),  # two routes on one path
        ("/api/faq/users", "GET, POST"),
        ("/api/chat", "POST"),
    ],
)
def test_a_405_names_every_method_the_path_answers(
    client: TestClient, path: str, allowed: str
) -> None:
    answer = client.request("OPTIONS", path)
    assert answer.status_code == 405
    assert answer.headers["Allow"] == allowed
    assert answer.json() == {"detail": "该网址不接受这种请求方式。"}


def test_the_schema_says_what_the_routes_refuse(spec: dict[str, Any]) -> None:
    from bot.policy.facts import FACTS

    schemas = spec["components"]["schemas"]
    assert schemas["ChatIn"]["properties"]["message"]["pattern"] == r"\S"  # not blank
    facts = schemas["LookupIn"]["properties"]["facts"]
    assert facts["additionalProperties"] is False and facts["properties"].keys() == FACTS.keys()
    housing = facts["properties"]["housing"]["enum"]
    assert set(FACTS["housing"].values) < set(housing) and None in housing
    # The as-of date: a date, or "" for today (both routes take either).
    date = schemas["LookupIn"]["properties"]["date"]["anyOf"]
    assert {"type": "string", "format": "date"} in date and {"type": "string", "enum": [""]} in date
    (policies_date,) = spec["paths"]["/api/policies"]["get"]["parameters"]
    assert {"type": "string", "enum": [""]} in policies_date["schema"]["anyOf"]
