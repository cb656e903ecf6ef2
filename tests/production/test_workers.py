"""Several Rasa workers behind the gateway, on the real services: a worker killed mid-load
loses no conversation, and one sender's messages are processed in the order sent."""

from __future__ import annotations

import json
import threading
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from bot.stack.processes import Stack

CONVERSATION = ["我想把户口迁到醴陵城里", "我在城里租的房子", "没有交社保"]


def chat(stack: Stack, sender: str, message: str, timeout: float = 60) -> list[dict[str, Any]]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{stack.web_port}/api/chat",
        data=json.dumps({"sender": sender, "message": message}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        messages: list[dict[str, Any]] = json.loads(response.read())["messages"]
    return messages


def payload(messages: list[dict[str, Any]]) -> dict[str, Any]:
    return next((m["custom"] for m in reversed(messages) if m.get("custom")), {})


def tracker(stack: Stack, sender: str) -> dict[str, Any]:
    url = (
        f"http://127.0.0.1:{stack.rasa_ports[1]}/conversations/{sender}/tracker"
        f"?token={stack.rasa_token}"
    )
    with urllib.request.urlopen(url, timeout=30) as response:
        data: dict[str, Any] = json.loads(response.read())
    return data


def test_a_worker_killed_mid_load_loses_no_conversation(production: Stack) -> None:
    senders = [f"kill-{uuid.uuid4().hex[:10]}" for _ in range(16)]
    killed = threading.Event()

    def converse(sender: str) -> dict[str, Any]:
        last: dict[str, Any] = {}
        for number, message in enumerate(CONVERSATION):
            if number == 1:
                killed.wait(60)  # every conversation has begun before the kill
            last = payload(chat(production, sender, message))
        return last

    with ThreadPoolExecutor(len(senders)) as pool:
        futures = [pool.submit(converse, sender) for sender in senders]
        time.sleep(3)
        production.kill_worker(0)
        killed.set()
        results = [future.result() for future in futures]
    try:
        for result in results:
            situation = result.get("situation") or {}
            # Each conversation went on where it was: the goal from before the kill is kept.
            assert situation.get("goal") == "settle_urban", result
            assert (
                situation.get("housing") == "rented"
                and situation.get("urban_social_insurance") is False
            )
    finally:
        production.start_worker(0)
        production.wait_for_worker(0, timeout=300)


def test_two_messages_sent_at_once_are_processed_in_order(production: Stack) -> None:
    sender = f"order-{uuid.uuid4().hex[:10]}"
    replies: dict[str, list[dict[str, Any]]] = {}

    def send(message: str) -> None:
        replies[message] = chat(production, sender, message)

    first = threading.Thread(target=send, args=(CONVERSATION[0],))
    second = threading.Thread(target=send, args=(CONVERSATION[1],))
    first.start()
    time.sleep(0.02)
    second.start()
    first.join()
    second.join()
    texts = [e["text"] for e in tracker(production, sender)["events"] if e["event"] == "user"]
    assert texts == CONVERSATION[:2]
    assert (payload(replies[CONVERSATION[1]]).get("situation") or {}).get("housing") == "rented"
