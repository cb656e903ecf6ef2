"""Talking to the services behind the gateway: the Rasa workers and the action server.

:func:`forward` sends one chat turn to the sender's worker (:mod:`bot.web.workers` picks it and
keeps the sender's turns in order); :func:`answer` is the whole turn every channel shares (the
web chat, WeChat): forward, and an empty answer explained; :func:`probe` asks a service whether
it is up, for ``/healthz`` and to explain an empty answer; :func:`reset_conversation` empties a
sender's conversation (WeChat's ``unsubscribe``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import aiohttp
import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from bot.web.errors import AssistantBusy, AssistantUnavailable
from bot.web.settings import Settings
from bot.web.workers import WorkerBusy, WorkerPool


async def probe(client: aiohttp.ClientSession, url: str, token: str = "") -> str:
    """``ok`` when ``url`` answers 200 within 3 s, else what went wrong.

    ``token`` is sent as ``?token=`` (Rasa's HTTP API, ``--auth-token``); the answer never
    repeats the URL, so the token cannot end up in ``/healthz``.
    """
    params = {"token": token} if token else None
    timeout = aiohttp.ClientTimeout(total=3.0)
    try:
        async with client.get(url, params=params, timeout=timeout) as response:
            return "ok" if response.status == 200 else f"HTTP {response.status}"
    except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
        return f"down ({type(exc).__name__})"


async def forward(
    client: aiohttp.ClientSession,
    workers: WorkerPool,
    sender: str,
    message: str,
    queue_seconds: float,
    metadata: Mapping[str, str] | None = None,
) -> Any:
    """Send one turn to the sender's worker; on a refused connection, to the next one.

    Only failures that happen before Rasa has the message (connection refused, or the
    worker's process gone) are retried elsewhere; a timeout is not, as the message may
    have been handled. The worker's tracker is in the shared store, so the next worker
    continues the conversation.

    Args:
        client: The gateway's pooled session.
        workers: The Rasa workers.
        sender: The conversation's id.
        message: The citizen's message, personal data already masked.
        queue_seconds: The longest the message may wait for its worker.
        metadata: Kept by Rasa on the message's ``user`` event (the web chat's
            :data:`bot.turns.record.TURN_REF`).

    Returns:
        The messages Rasa's REST channel answered with (decoded JSON).

    Raises:
        AssistantBusy: The message waited longer than ``queue_seconds``; it was not sent.
        AssistantUnavailable: No worker answered.
    """
    body: dict[str, Any] = {"sender": sender, "message": message}
    if metadata:
        body["metadata"] = dict(metadata)
    async with workers.turn(sender):
        urls = workers.candidates(sender)
        return await _post(client, workers, urls, "/webhooks/rest/webhook", body, queue_seconds)


async def answer(
    client: aiohttp.ClientSession,
    workers: WorkerPool,
    settings: Settings,
    sender: str,
    message: str,
    metadata: Mapping[str, str] | None = None,
) -> list[dict[str, Any]]:
    """One chat turn as every channel has it: the messages the assistant answers with.

    The web chat (``POST /api/chat``) and the WeChat channel both call this, so a citizen gets
    the same understanding and answers on either.

    Args:
        client: The gateway's pooled session.
        workers: The Rasa workers.
        settings: The gateway's settings (the worker queue, the action server).
        sender: The conversation's id.
        message: The citizen's message, personal data already masked (or a button's payload).
        metadata: Passed on with the message (:func:`forward`).

    Returns:
        Each message's ``text``, ``buttons`` and ``custom`` payload.

    Raises:
        AssistantBusy: The message waited too long for its worker; it was not sent.
        AssistantUnavailable: No worker answered, or the actions are down.
    """
    reply = await forward(client, workers, sender, message, settings.worker_queue_seconds, metadata)
    messages = [
        {"text": m.get("text"), "buttons": m.get("buttons", []), "custom": m.get("custom")}
        for m in reply
    ]
    if not messages and (
        not settings.action_url or await probe(client, f"{settings.action_url}/health") != "ok"
    ):
        # Rasa answers 200 with nothing when its action server is down or an action
        # failed (with the actions in the worker, nothing else makes an empty answer).
        raise AssistantUnavailable("助手的答复服务暂时不可用。")
    return messages


async def _post(
    client: aiohttp.ClientSession,
    workers: WorkerPool,
    urls: list[str],
    path: str,
    body: dict[str, Any],
    queue_seconds: float,
    params: dict[str, str] | None = None,
) -> Any:
    """POST ``body`` to ``path`` on the first of ``urls`` that takes the connection."""
    for url in urls:
        try:
            async with (
                workers.in_flight(url, queue_seconds),
                client.post(f"{url}{path}", json=body, params=params) as response,
            ):
                response.raise_for_status()
                answer = await response.json()
        except (aiohttp.ClientConnectorError, aiohttp.ServerDisconnectedError):
            workers.mark_down(url)
            continue
        except WorkerBusy as exc:
            # Never sent: the citizen can send it again without it counting twice.
            raise AssistantBusy() from exc
        except aiohttp.ClientResponseError as exc:
            # Not chained: its message holds the URL, and with it Rasa's API token.
            raise AssistantUnavailable(f"助手暂时无法回复（HTTP {exc.status}）。") from None
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
            raise AssistantUnavailable() from exc
        workers.mark_up(url)
        return answer
    raise AssistantUnavailable()


async def parse(
    client: aiohttp.ClientSession,
    workers: WorkerPool,
    text: str,
    queue_seconds: float,
    token: str | None = None,
) -> dict[str, Any]:
    """Read ``text`` with a worker's NLU (``POST /model/parse``), as the chat reads a message.

    The workers run the same pipeline for the chat (normaliser, fact rules, classifier), so
    the hotline lookup gets the same facts, goal and intent as a citizen typing the same
    words. Like :func:`forward`, a worker that refuses the connection is skipped.

    Args:
        client: The gateway's pooled session.
        workers: The Rasa workers.
        text: The description, personal data already masked.
        queue_seconds: The longest the request may wait for a place on a worker.
        token: Rasa's API token (``--auth-token``), when the workers have one.

    Returns:
        Rasa's parse: ``intent``, ``intent_ranking``, ``entities``, ``text``.

    Raises:
        AssistantBusy: Every place was taken for longer than ``queue_seconds``.
        AssistantUnavailable: No worker answered.
    """
    params = {"token": token} if token else None
    # Any worker will do (no conversation); spreading by text keeps repeats on one worker.
    urls = workers.candidates(f"parse\x00{text}")
    parsed: dict[str, Any] = await _post(
        client, workers, urls, "/model/parse", {"text": text}, queue_seconds, params
    )
    return parsed


async def reset_conversation(
    client: aiohttp.ClientSession, workers: WorkerPool, sender: str, token: str = ""
) -> bool:
    """Replace ``sender``'s conversation with an empty one on their worker (Rasa's HTTP API).

    ``PUT /conversations/<sender>/tracker/events`` with no events, in the sender's turn order
    so that no message of theirs is in flight. Rasa's in-memory tracker store (the embedded
    profile) then holds nothing of the conversation; its SQL store keeps the rows already
    written (Rasa offers no delete), which the README names.

    Returns:
        Whether a worker took it.
    """
    params = {"token": token} if token else None
    timeout = aiohttp.ClientTimeout(total=5.0)
    async with workers.turn(sender):
        for url in workers.candidates(sender):
            try:
                async with client.put(
                    f"{url}/conversations/{quote(sender, safe='')}/tracker/events",
                    json=[],
                    params=params,
                    timeout=timeout,
                ) as response:
                    if response.status == 200:
                        return True
            except (aiohttp.ClientError, asyncio.TimeoutError):
                continue
    return False


def delete_stored_conversation(tracker_url: str, sender: str) -> int:
    """Delete ``sender``'s events from Rasa's SQL tracker store; how many rows there were.

    Rasa's HTTP API can replace a conversation but not delete it, and its SQL store only ever
    appends, so the rows are deleted in its table (``events``, keyed by ``sender_id``: Rasa's
    ``SQLTrackerStore.SQLEvent``, which :class:`bot.rasa_ext.tracker_store.FastSQLTrackerStore`
    keeps). Blocking: run it in a thread. No pool: it runs once per unsubscribe.
    """
    engine = sa.create_engine(tracker_url, poolclass=NullPool)
    try:
        with engine.begin() as connection:
            result = connection.execute(
                sa.text("DELETE FROM events WHERE sender_id = :sender"), {"sender": sender}
            )
            return int(result.rowcount or 0)
    finally:
        engine.dispose()
