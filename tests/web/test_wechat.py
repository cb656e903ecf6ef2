"""``/wechat/oa`` in the gateway: signatures, encryption, limits, the 5-second budget, dedup,
events and the web chat's own turn — against a fake Rasa and a fake WeChat API on loopback."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from wechatpy.crypto import WeChatCrypto

import bot.web.routes.wechat as wechat_route
from bot.channels.wechat.channel import NOT_TEXT, TOO_FAST
from bot.channels.wechat.messages import fields
from bot.web.app import create_app
from bot.web.settings import Settings
from tests.support.wechat import (
    AES_KEY,
    APPID,
    OLD_AES_KEY,
    OPENID,
    SECRET,
    TOKEN,
    FakeRasa,
    FakeWeChatApi,
    encrypted,
    event_push,
    media_push,
    serving,
    signed_query,
    text_push,
)


@pytest.fixture(scope="module")
def rasa() -> FakeRasa:
    return FakeRasa()


@pytest.fixture(scope="module")
def api() -> FakeWeChatApi:
    return FakeWeChatApi()


def settings(rasa_url: str, api_url: str = "http://127.0.0.1:9", **extra: Any) -> Settings:
    values: dict[str, Any] = {
        "rasa_url": rasa_url,
        "action_url": "",
        "wechat_token": TOKEN,
        "wechat_appid": APPID,
        "wechat_secret": SECRET,
        "wechat_api_base": api_url,
        **extra,
    }
    return Settings(**values)


@pytest.fixture()
def client(rasa: FakeRasa, api: FakeWeChatApi) -> Iterator[TestClient]:
    """The gateway with the channel in plaintext mode."""
    with TestClient(create_app(settings(rasa.url, api.url))) as test_client:
        yield test_client


@pytest.fixture()
def safe(rasa: FakeRasa, api: FakeWeChatApi) -> Iterator[TestClient]:
    """The channel in the safe mode, after a key change (the previous key kept)."""
    keys = {"wechat_aes_key": AES_KEY, "wechat_aes_key_previous": OLD_AES_KEY}
    with TestClient(create_app(settings(rasa.url, api.url, **keys))) as test_client:
        yield test_client


def post(client: TestClient, body: str, query: dict[str, str] | None = None) -> Any:
    return client.post(
        "/wechat/oa", params=signed_query() if query is None else query, content=body.encode(),
        headers={"Content-Type": "text/xml"},
    )  # fmt: skip


def reply_text(response: Any) -> str:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/xml"), response.text
    return fields(response.content)["Content"]


# -- without a token -----------------------------------------------------------------------


def test_without_a_token_both_routes_are_404(rasa: FakeRasa) -> None:
    with TestClient(create_app(Settings(rasa_url=rasa.url))) as plain:
        assert plain.get("/wechat/oa", params={**signed_query(), "echostr": "x"}).status_code == 404
        assert post(plain, text_push("你好")).status_code == 404
    assert not rasa.received or all(s != f"wx:{OPENID}" for s, _ in rasa.received)


# -- the handshake and the signatures ------------------------------------------------------


def test_the_official_handshake_example_echoes_echostr(
    rasa: FakeRasa, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(wechat_route, "time", SimpleNamespace(time=lambda: 1714037059 + 30))
    query = {
        "signature": "899cf89e464efb63f54ddac96b0a0a235f53aa78",
        "timestamp": "1714037059",
        "nonce": "486452656",
        "echostr": "4375120948345356249",
    }
    with TestClient(create_app(Settings(rasa_url=rasa.url, wechat_token="AAAAA"))) as official:
        response = official.get("/wechat/oa", params=query)
        assert (response.status_code, response.text) == (200, "4375120948345356249")
        bad = official.get("/wechat/oa", params={**query, "nonce": "486452657"})
        assert (bad.status_code, bad.content) == (403, b"")


def test_bad_or_stale_signatures_are_403_with_an_empty_body(
    client: TestClient, rasa: FakeRasa
) -> None:
    before = len(rasa.received)
    forged = {**signed_query(), "signature": "0" * 40}
    stale = signed_query(timestamp=int(time.time()) - 3600)
    future = signed_query(timestamp=int(time.time()) + 3600)
    for query in (forged, stale, future, {}):
        for response in (
            client.get("/wechat/oa", params={**query, "echostr": "x"}),
            post(client, text_push("你好"), query),
        ):
            assert (response.status_code, response.content) == (403, b"")
    assert len(rasa.received) == before


def test_a_plaintext_push_gets_the_web_chats_answer_with_personal_data_masked(
    client: TestClient, rasa: FakeRasa
) -> None:
    text = reply_text(post(client, text_push("我叫王小明，电话13812345678，想落户", msg_id="101")))
    sender, message = rasa.received[-1]
    assert sender == f"wx:{OPENID}"
    assert "13812345678" not in message and "王小明" not in message
    assert text == f"答：{message}"  # the card payload is left out


def test_a_safe_mode_push_is_decrypted_and_answered_encrypted(
    safe: TestClient, rasa: FakeRasa
) -> None:
    body, query = encrypted(text_push("迁户口要什么材料", msg_id="102"))
    response = post(safe, body, query)
    assert response.status_code == 200
    envelope = fields(response.content)
    theirs = WeChatCrypto(TOKEN, AES_KEY, APPID)  # an independent reader
    plain = theirs.decrypt_message(
        response.text, envelope["MsgSignature"], envelope["TimeStamp"], envelope["Nonce"]
    )
    assert fields(plain)["Content"] == "答：迁户口要什么材料"
    assert fields(plain)["ToUserName"] == OPENID


def test_wrong_appid_and_bad_msg_signature_are_refused(safe: TestClient, rasa: FakeRasa) -> None:
    before = len(rasa.received)
    body, query = encrypted(text_push("你好", msg_id="103"), appid="wxSOMEONEELSE")
    assert (post(safe, body, query).status_code, post(safe, body, query).content) == (403, b"")
    body, query = encrypted(text_push("你好", msg_id="104"))
    assert post(safe, body, {**query, "msg_signature": "f" * 40}).status_code == 403
    body, query = encrypted(text_push("你好", msg_id="105"), key=AES_KEY[::-1])
    assert post(safe, body, query).status_code == 403
    assert len(rasa.received) == before


def test_with_a_key_set_a_plaintext_push_is_refused(safe: TestClient, rasa: FakeRasa) -> None:
    before = len(rasa.received)
    response = post(safe, text_push("只有 Token 签名", msg_id="108"))
    assert (response.status_code, response.content) == (403, b"")
    assert len(rasa.received) == before


def test_without_a_key_a_compatible_mode_push_is_read_from_its_plaintext(rasa: FakeRasa) -> None:
    body, query = encrypted(text_push("兼容模式", msg_id="109"))
    plain = text_push("兼容模式", msg_id="109")
    compatible = plain.replace("</xml>", fields(body)["Encrypt"].join(("<Encrypt>", "</Encrypt>")))
    compatible += "</xml>"
    with TestClient(create_app(settings(rasa.url))) as client:
        assert reply_text(post(client, compatible, query)) == "答：兼容模式"


def test_after_a_key_change_the_previous_key_still_opens_and_seals(safe: TestClient) -> None:
    body, query = encrypted(text_push("旧密钥", msg_id="106"), key=OLD_AES_KEY)
    response = post(safe, body, query)
    envelope = fields(response.content)
    old = WeChatCrypto(TOKEN, OLD_AES_KEY, APPID)
    plain = old.decrypt_message(
        response.text, envelope["MsgSignature"], envelope["TimeStamp"], envelope["Nonce"]
    )
    assert fields(plain)["Content"] == "答：旧密钥"


def test_an_oversized_body_is_413_and_an_entity_bomb_gets_success(
    client: TestClient, rasa: FakeRasa
) -> None:
    before = len(rasa.received)
    huge = text_push("长" * 30_000)  # 90 KB: over the channel's 64 KB, under the gateway's 128
    assert (post(client, huge).status_code, post(client, huge).content) == (413, b"")
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
        f"<xml><FromUserName>{OPENID}</FromUserName><MsgType>text</MsgType>"
        "<Content>&c;</Content><MsgId>107</MsgId></xml>"
    )
    for body in (bomb, "<xml><unclosed>", "not xml at all"):
        response = post(client, body)
        assert (response.status_code, response.text) == (200, "success")
    assert len(rasa.received) == before


# -- what a push gets ----------------------------------------------------------------------


def test_numbered_options_map_back_to_the_button_payloads(
    client: TestClient, rasa: FakeRasa
) -> None:
    text = reply_text(post(client, text_push("给我选项", msg_id="201")))
    assert text.endswith("回复 1：需要什么材料\n回复 2：去哪里办理")
    reply_text(post(client, text_push("２", msg_id="202")))
    assert rasa.received[-1] == (f"wx:{OPENID}", "/ask_where_to_apply")
    reply_text(post(client, text_push("2", msg_id="203")))  # no options any more: words
    assert rasa.received[-1] == (f"wx:{OPENID}", "2")


def test_subscribe_menu_clicks_and_media(client: TestClient, rasa: FakeRasa) -> None:
    assert reply_text(post(client, event_push("subscribe"))) == "答：/greet"
    assert reply_text(post(client, event_push("CLICK", "DOCUMENTS", create_time=1))) == (
        "答：/ask_documents"
    )
    before = len(rasa.received)
    for push in (
        media_push("image", "301"),
        media_push("voice", "302"),
        media_push("location", "303"),
    ):
        assert reply_text(post(client, push)) == NOT_TEXT
    ignored = (
        event_push("CLICK", "NO_SUCH_KEY", create_time=2),
        event_push("VIEW", "x", create_time=3),
        media_push("mystery", "304"),
    )
    for push in ignored:
        assert post(client, push).text == "success"
    assert len(rasa.received) == before


def test_unsubscribe_deletes_what_is_kept_about_the_user(
    client: TestClient, rasa: FakeRasa
) -> None:
    reply_text(post(client, text_push("给我选项", msg_id="401")))
    store = client.app.state.wechat.store  # type: ignore[attr-defined]
    assert any(key.startswith(f"u:{OPENID}:") for key in store._data)
    assert post(client, event_push("unsubscribe", create_time=5)).text == "success"
    assert not any(key.startswith(f"u:{OPENID}:") for key in store._data)
    assert rasa.resets[-1] == f"wx:{OPENID}"
    # The options went with it: "1" is words again.
    reply_text(post(client, text_push("1", msg_id="402")))
    assert rasa.received[-1][1] == "1"


def test_the_rate_limit_is_per_openid(rasa: FakeRasa) -> None:
    with TestClient(create_app(settings(rasa.url, rate_limit_per_minute=2))) as limited:
        for n in range(2):
            reply_text(post(limited, text_push(f"第{n}条", msg_id=f"50{n}")))
        assert reply_text(post(limited, text_push("第三条", msg_id="503"))) == TOO_FAST
        other = text_push("别人的", msg_id="504", openid="oAnother_user")
        assert reply_text(post(limited, other)) == "答：别人的"


def test_no_assistant_gets_a_polite_text_never_a_trace() -> None:
    with TestClient(create_app(settings("http://127.0.0.1:9"))) as down:
        text = reply_text(post(down, text_push("你好", msg_id="601")))
    assert "助手暂时无法回复" in text and "Traceback" not in text


# -- the 5-second budget and dedup, with real concurrency ----------------------------------


async def _push_all(url: str, bodies: list[str]) -> list[httpx.Response]:
    async with httpx.AsyncClient(timeout=10) as http:
        return list(
            await asyncio.gather(
                *(http.post(f"{url}/wechat/oa", params=signed_query(), content=b) for b in bodies)
            )
        )


def test_three_identical_concurrent_pushes_reach_rasa_once() -> None:
    slow = FakeRasa(delay=0.5)
    with serving(create_app(settings(slow.url))) as url:
        push = text_push("同时到达", msg_id="701")
        responses = asyncio.run(_push_all(url, [push] * 3))
    assert slow.received == [(f"wx:{OPENID}", "同时到达")]
    xml = [r for r in responses if r.headers["content-type"].startswith("application/xml")]
    assert len(xml) == 1 and fields(xml[0].content)["Content"] == "答：同时到达"
    assert sorted(r.text for r in responses if r not in xml) == ["success", "success"]


def test_a_slow_assistant_gets_success_in_time_and_the_answer_through_kefu() -> None:
    slow, api = FakeRasa(delay=6.0), FakeWeChatApi()
    with serving(create_app(settings(slow.url, api.url))) as url:
        started = time.monotonic()
        (response,) = asyncio.run(_push_all(url, [text_push("慢慢答", msg_id="801")]))
        elapsed = time.monotonic() - started
        assert (response.text, response.status_code) == ("success", 200)
        assert elapsed < 4.5
        # A retry (WeChat's, had it not heard back) neither runs the turn again nor answers.
        (retry,) = asyncio.run(_push_all(url, [text_push("慢慢答", msg_id="801")]))
        assert retry.text == "success"
        deadline = time.monotonic() + 8
        while not api.sent and time.monotonic() < deadline:
            time.sleep(0.1)
    assert api.sent == [(OPENID, "答：慢慢答")]
    assert len(slow.received) == 1


def test_an_answer_longer_than_one_text_goes_on_through_kefu() -> None:
    rasa, api = FakeRasa(), FakeWeChatApi()
    with serving(create_app(settings(rasa.url, api.url))) as url:
        (response,) = asyncio.run(_push_all(url, [text_push("说长一点", msg_id="901")]))
        first = fields(response.content)["Content"]
        deadline = time.monotonic() + 5
        while len(api.sent) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
    assert first.startswith("答：说长一点")
    texts = [first] + [content for _, content in api.sent]
    assert all(len(t.encode()) <= 2000 for t in texts)
    assert "".join(texts).replace("\n", "").endswith("户籍政策说明。" * 3)
    assert len(texts) == 3  # ≈ 4.2 KB: one passive reply, two 客服 texts


@pytest.mark.parametrize("certified", [True, False])
def test_options_sent_through_kefu_become_a_msgmenu_on_a_certified_account(
    certified: bool,
) -> None:
    slow, api = FakeRasa(delay=4.5), FakeWeChatApi()
    api.certified = certified
    with serving(create_app(settings(slow.url, api.url, wechat_msgmenu=True))) as url:
        (response,) = asyncio.run(_push_all(url, [text_push("给我选项", msg_id="1001")]))
        assert response.text == "success"
        deadline = time.monotonic() + 8
        while not api.sent and time.monotonic() < deadline:
            time.sleep(0.1)
        (_, content), *_ = api.sent
        if certified:
            ((_, menu),) = api.menus_sent
            assert content == menu["head_content"] == "答：给我选项"
            assert menu["list"] == [
                {"id": "1", "content": "需要什么材料"},
                {"id": "2", "content": "去哪里办理"},
            ]
            # A tap sends the title back as text with its id: the button's payload goes on.
            tap = text_push("去哪里办理", msg_id="1002").replace(
                "</xml>", "<bizmsgmenuid>2</bizmsgmenuid></xml>"
            )
            slow.delay = 0.0
            asyncio.run(_push_all(url, [tap]))
            assert slow.received[-1] == (f"wx:{OPENID}", "/ask_where_to_apply")
        else:  # 40200: the same answer as numbered text
            assert not api.menus_sent
            assert content.endswith("回复 1：需要什么材料\n回复 2：去哪里办理")


def test_answers_link_only_to_the_configured_hosts(rasa: FakeRasa) -> None:
    words = (
        '看<a href="https://hukou.example.gov.cn/c">清单</a>和<a href="https://x.example">别处</a>'
    )
    own = settings(rasa.url, wechat_link_hosts="hukou.example.gov.cn, other.example.gov.cn")
    with TestClient(create_app(own)) as client:
        assert reply_text(post(client, text_push(words, msg_id="1101"))) == (
            '答：看<a href="https://hukou.example.gov.cn/c">清单</a>和别处'
        )
    with TestClient(create_app(settings(rasa.url))) as client:
        assert reply_text(post(client, text_push(words, msg_id="1102"))) == "答：看清单和别处"
