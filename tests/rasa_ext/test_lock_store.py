"""The atomic Redis ticket lock, on this machine's Redis: Rasa's semantics, no lost ticket."""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from typing import Any

import pytest
from rasa.core.lock import TicketLock
from rasa.core.lock_store import LockStore, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

from bot.rasa_ext.lock_store import AtomicRedisLockStore

PREFIX = "hukoutest"
pytestmark = pytest.mark.services  # Redis on 127.0.0.1:6379, db 1


@pytest.fixture
def store() -> Any:
    store = AtomicRedisLockStore(host="127.0.0.1", port=6379, db=1, key_prefix=PREFIX)
    yield store
    for key in store.red.scan_iter(f"{store.key_prefix}*"):
        store.red.delete(key)


def conversation() -> str:
    return f"lock-{uuid.uuid4().hex[:10]}"


def test_rasa_creates_it_from_the_endpoints_file() -> None:
    config = EndpointConfig(
        url="127.0.0.1", type="bot.rasa_ext.lock_store.AtomicRedisLockStore", port=6379, db=1,
        key_prefix=PREFIX,
    )  # fmt: skip
    store = LockStore.create(config)
    assert isinstance(store, AtomicRedisLockStore)
    assert store.key_prefix.startswith(PREFIX)


def test_tickets_are_issued_in_order_and_served_first_come_first_served(store: Any) -> None:
    name = conversation()
    assert store.issue_and_serve(name, 10) == (0, 0)  # served at once
    assert store.issue_and_serve(name, 10) == (1, 0)  # waits for ticket 0
    store.cleanup(name, 0)
    assert store.issue_and_serve(name, 10) == (2, 1)
    store.cleanup(name, 1)
    store.cleanup(name, 2)
    assert store.red.get(store._key(name)) is None  # no ticket left: no lock left


def test_rasas_store_reads_what_it_writes_and_the_other_way_round(store: Any) -> None:
    name = conversation()
    rasas = RedisLockStore(host="127.0.0.1", port=6379, db=1, key_prefix=PREFIX)
    first = rasas.issue_ticket(name, 10)  # written by Rasa's store
    second = store.issue_ticket(name, 10)  # ours continues its numbering
    lock = rasas.get_lock(name)
    assert isinstance(lock, TicketLock)
    assert [t.number for t in lock.tickets] == [first, second] == [0, 1]
    assert lock.is_locked(second) and not lock.is_locked(first)
    store.cleanup(name, first)
    assert not rasas.get_lock(name).is_locked(second)


def test_expired_tickets_are_skipped(store: Any) -> None:
    name = conversation()
    store.issue_ticket(name, 0.05)  # a worker died holding it
    time.sleep(0.1)
    assert store.issue_and_serve(name, 10) == (0, 0)  # numbering restarts, served at once
    raw = json.loads(store.red.get(store._key(name)))
    assert [json.loads(t)["number"] for t in raw["tickets"]] == [0]


def test_messages_of_one_conversation_take_turns_in_order(store: Any) -> None:
    name = conversation()
    order: list[str] = []

    async def message(text: str, work: float) -> None:
        async with store.lock(name, lock_lifetime=10):
            order.append(f"start {text}")
            await asyncio.sleep(work)
            order.append(f"end {text}")

    async def main() -> None:
        first = asyncio.create_task(message("1", 0.1))
        await asyncio.sleep(0.01)
        second = asyncio.create_task(message("2", 0.0))
        await asyncio.sleep(0.01)
        third = asyncio.create_task(message("3", 0.0))
        await asyncio.gather(first, second, third)

    asyncio.run(main())
    assert order == ["start 1", "end 1", "start 2", "end 2", "start 3", "end 3"]
    assert store.red.get(store._key(name)) is None


def test_servers_issuing_at_the_same_moment_never_share_a_ticket(store: Any) -> None:
    """RasaHQ/rasa#9213: with read-then-write issuing, two servers can get one number."""
    name = conversation()
    stores = [
        AtomicRedisLockStore(host="127.0.0.1", port=6379, db=1, key_prefix=PREFIX) for _ in range(8)
    ]
    issued: list[int] = []
    start = threading.Barrier(len(stores))

    def issue(each: AtomicRedisLockStore) -> None:
        start.wait()
        for _ in range(25):
            issued.append(each.issue_ticket(name, 30))

    threads = [threading.Thread(target=issue, args=(each,)) for each in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(issued) == list(range(200))  # every number once
    lock = store.get_lock(name)
    assert lock is not None and len(lock.tickets) == 200  # and no ticket lost
