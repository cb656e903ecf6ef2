"""Routing conversations to Rasa workers: sticky, spread, failing over, and in order."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from bot.web.routing import WorkerPool

WORKERS = ["http://127.0.0.1:5005", "http://127.0.0.1:5006", "http://127.0.0.1:5007"]


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_sender_always_gets_the_same_worker() -> None:
    pool, other = WorkerPool(WORKERS), WorkerPool(list(reversed(WORKERS)))
    for n in range(200):
        sender = f"web-{n}"
        assert pool.candidates(sender)[0] == pool.candidates(sender)[0]
        assert pool.ranked(sender) == other.ranked(sender)  # same on every gateway


def test_senders_are_spread_over_the_workers() -> None:
    pool = WorkerPool(WORKERS)
    counts = Counter(pool.candidates(f"web-{n}")[0] for n in range(3000))
    assert set(counts) == set(WORKERS)
    assert min(counts.values()) > 850  # about a third each


def test_losing_a_worker_moves_only_its_conversations() -> None:
    clock = Clock()
    pool = WorkerPool(WORKERS, retry_after=5, clock=clock)
    before = {f"web-{n}": pool.candidates(f"web-{n}")[0] for n in range(600)}
    pool.mark_down(WORKERS[1])
    after = {sender: pool.candidates(sender)[0] for sender in before}
    moved = [s for s in before if before[s] != after[s]]
    assert moved and all(before[s] == WORKERS[1] for s in moved)
    assert WORKERS[1] not in after.values()
    assert pool.candidates("web-1")[-1] == WORKERS[1] or before["web-1"] != WORKERS[1]
    clock.now += 6  # tried again after retry_after: conversations come back
    assert {s: pool.candidates(s)[0] for s in before} == before


def test_mark_up_ends_the_wait_at_once() -> None:
    clock = Clock()
    pool = WorkerPool(WORKERS[:1], retry_after=60, clock=clock)
    pool.mark_down(WORKERS[0])
    assert pool.is_down(WORKERS[0]) and pool.candidates("x") == WORKERS[:1]  # last resort
    pool.mark_up(WORKERS[0])
    assert not pool.is_down(WORKERS[0])


def test_no_workers_is_refused() -> None:
    with pytest.raises(ValueError):
        WorkerPool([])


def test_one_senders_messages_pass_in_arrival_order_and_others_do_not_wait() -> None:
    pool = WorkerPool(WORKERS)
    order: list[str] = []

    async def message(sender: str, text: str, work: float) -> None:
        async with pool.turn(sender):
            order.append(f"start {text}")
            await asyncio.sleep(work)
            order.append(f"end {text}")

    async def main() -> None:
        first = asyncio.create_task(message("a", "a1", 0.05))
        await asyncio.sleep(0)
        second = asyncio.create_task(message("a", "a2", 0.0))
        await asyncio.sleep(0)
        other = asyncio.create_task(message("b", "b1", 0.0))
        await asyncio.gather(first, second, other)

    asyncio.run(main())
    assert order.index("end a1") < order.index("start a2")
    assert order.index("end b1") < order.index("end a1")  # b did not wait for a
    assert pool.waiting == 0
