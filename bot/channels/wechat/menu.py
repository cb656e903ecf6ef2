"""The account's custom menu (自定义菜单): the file, WeChat's limits, a click's payload.

The menu lives in ``menu.yml`` beside this module (:data:`bot.paths.WECHAT_MENU`). Each button
is a ``click`` button whose ``key`` WeChat pushes back as a ``CLICK`` event; the channel sends
the button's ``payload`` (an ``/intent``) to the assistant. What is published
(:meth:`Menu.api_body`) holds names and keys only.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

TOP_BUTTONS, TOP_NAME_BYTES = 3, 16
SUB_BUTTONS, SUB_NAME_BYTES = 5, 60
KEY_BYTES = 128


class MenuError(ValueError):
    """The menu file breaks one of WeChat's rules or is malformed (the message says which)."""


@dataclass(frozen=True)
class Menu:
    """The loaded menu: WeChat's JSON and each click key's payload."""

    buttons: list[dict[str, Any]]
    payloads: dict[str, str]

    def api_body(self) -> dict[str, Any]:
        """The body of ``/cgi-bin/menu/create``."""
        return {"button": self.buttons}


def _button(raw: Any, where: str, name_bytes: int, payloads: dict[str, str]) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise MenuError(f"{where}：应为映射（name、key、payload 或 sub_button）")
    name = str(raw.get("name") or "").strip()
    if not name or len(name.encode()) > name_bytes:
        raise MenuError(f"{where}：name 不能为空，且不超过 {name_bytes} 字节")
    if "sub_button" in raw:
        subs = raw["sub_button"]
        if not isinstance(subs, list) or not 1 <= len(subs) <= SUB_BUTTONS:
            raise MenuError(f"{where}「{name}」：sub_button 应有 1 到 {SUB_BUTTONS} 项")
        return {
            "name": name,
            "sub_button": [
                _button(sub, f"{where}「{name}」第 {n} 项", SUB_NAME_BYTES, payloads)
                for n, sub in enumerate(subs, 1)
            ],
        }
    key = str(raw.get("key") or "").strip()
    payload = str(raw.get("payload") or "").strip()
    if not key or len(key.encode()) > KEY_BYTES:
        raise MenuError(f"{where}「{name}」：key 不能为空，且不超过 {KEY_BYTES} 字节")
    if not payload.startswith("/"):
        raise MenuError(f"{where}「{name}」：payload 应为 /意图")
    if key in payloads:
        raise MenuError(f"{where}「{name}」：key {key} 重复")
    payloads[key] = payload
    return {"type": "click", "name": name, "key": key}


def load_menu(path: Path) -> Menu:
    """Read and check the menu file.

    Raises:
        MenuError: Unreadable, malformed, or over one of WeChat's limits.
    """
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise MenuError(f"无法读取菜单文件 {path}：{exc}") from exc
    top = data.get("button") if isinstance(data, dict) else None
    if not isinstance(top, list) or not 1 <= len(top) <= TOP_BUTTONS:
        raise MenuError(f"{path}：button 应有 1 到 {TOP_BUTTONS} 项")
    payloads: dict[str, str] = {}
    buttons = [
        _button(raw, f"第 {n} 个菜单", TOP_NAME_BYTES, payloads) for n, raw in enumerate(top, 1)
    ]
    return Menu(buttons, payloads)
