"""``hukou wechat menu [--publish]``: the menu file checked, printed, published to a fake API."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

import bot.channels.wechat.menu as menu_module
from bot.channels.wechat.menu import MenuError, load_menu
from bot.paths import BOT_DIR, WECHAT_MENU
from tests.support.cli import run
from tests.support.wechat import APPID, SECRET, FakeWeChatApi


def test_the_menu_is_printed_without_payloads(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["wechat", "menu"], capsys)
    assert code == 0
    body = json.loads(out)
    assert body == load_menu(WECHAT_MENU).api_body()
    assert "payload" not in out and all(b["sub_button"] for b in body["button"])


def test_every_click_sends_an_intent_of_the_domain() -> None:
    intents = set(yaml.safe_load((BOT_DIR / "domain" / "core.yml").read_text())["intents"])
    for key, payload in load_menu(WECHAT_MENU).payloads.items():
        assert payload[1:] in intents, key


def test_publish_sends_the_menu_to_the_api(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = FakeWeChatApi()
    monkeypatch.setenv("HUKOU_WECHAT_APPID", APPID)
    monkeypatch.setenv("HUKOU_WECHAT_SECRET", SECRET)
    monkeypatch.setenv("HUKOU_WECHAT_API_BASE", fake.url)
    code, out, err = run(["wechat", "menu", "--publish"], capsys)
    assert (code, err) == (0, "")
    assert "已发布" in out and fake.menus == [load_menu(WECHAT_MENU).api_body()]
    monkeypatch.setenv("HUKOU_WECHAT_SECRET", "wrong")
    code, _, err = run(["wechat", "menu", "--publish"], capsys)
    assert code == 2 and "40013" in err and "Traceback" not in err


def test_publish_without_credentials_says_what_is_missing(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HUKOU_WECHAT_SECRET", raising=False)
    code, _, err = run(["wechat", "menu", "--publish"], capsys)
    assert code == 2 and "HUKOU_WECHAT_SECRET" in err


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("button: []", "1 到 3"),
        ("button: [{name: 一二三四五六, key: A, payload: /greet}]", "16 字节"),
        ("button: [{name: 甲, key: A, payload: greet}]", "payload"),
        ("button: [{name: 甲, key: A, payload: /greet}, {name: 乙, key: A, payload: /greet}]",
         "重复"),
        ("button: [{name: 甲, sub_button: [" + ", ".join(
            f"{{name: 子{n}, key: K{n}, payload: /greet}}" for n in range(6)) + "]}]", "1 到 5"),
        (": not yaml :", "无法读取"),
    ],
)  # fmt: skip
def test_a_menu_over_wechats_limits_is_refused(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "menu.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(MenuError, match=message):
        menu_module.load_menu(path)
