"""The WeChat channel in front of the running assistant: the web chat's answers, in WeChat text."""

from __future__ import annotations

from fastapi.testclient import TestClient

from bot.channels.wechat.content import render
from bot.channels.wechat.messages import fields
from bot.stack.processes import Stack
from bot.web.app import create_app
from bot.web.settings import Settings
from tests.support.wechat import TOKEN, signed_query, text_push


def _push(client: TestClient, words: str, msg_id: str) -> str:
    response = client.post("/wechat/oa", params=signed_query(), content=text_push(words, msg_id))
    assert response.headers["content-type"].startswith("application/xml"), response.text
    return fields(response.content)["Content"]


def test_wechat_answers_as_the_web_chat_does(assistant: Stack) -> None:
    settings = Settings(
        rasa_url=f"http://127.0.0.1:{assistant.rasa_port}",
        action_url=f"http://127.0.0.1:{assistant.action_port}",
        rasa_token=assistant.rasa_token,
        wechat_token=TOKEN,
        wechat_budget_seconds=4.5,  # a loaded CI machine: the passive reply is what is compared
    )
    words = "退伍回来了想把户口迁回村里"
    with TestClient(create_app(settings)) as client:
        chat = client.post("/api/chat", json={"sender": "web-same", "message": words})
        web = render(chat.json()["messages"])
        wechat = _push(client, words, "1")
        assert wechat == web.texts[0] and "【三(二)2】" in wechat  # clause 3.2.2
        assert web.options and wechat.endswith(f"回复 {len(web.options)}：{web.options[-1].title}")
        # The citizen answers with the number of 转人工: its payload, as the widget's button.
        number = next(n for n, o in enumerate(web.options, 1) if o.payload == "/human_handoff")
        clicked = client.post("/api/chat", json={"sender": "web-same", "message": "/human_handoff"})
        handoff = render(clicked.json()["messages"]).texts[0]
        assert _push(client, str(number), "2") == handoff and "派出所" in handoff
