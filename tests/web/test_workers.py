"""Routing conversations to Rasa workers: sticky, spread, failing over, and in order."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from bot.web.workers import WorkerBusy, WorkerPool

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


def test_a_worker_gets_at_most_max_in_flight_messages_first_come_first_served() -> None:
    pool = WorkerPool(WORKERS[:1], max_in_flight=2)
    running = peak = 0
    started: list[int] = []

    async def message(number: int) -> None:
        nonlocal running, peak
        async with pool.in_flight(WORKERS[0]):
            started.append(number)
            running += 1
            peak = max(peak, running)
            await asyncio.sleep(0.01)
            running -= 1

    async def main() -> None:
        tasks = []
        for number in range(8):
            tasks.append(asyncio.create_task(message(number)))
            await asyncio.sleep(0)  # arrive one after another
        await asyncio.gather(*tasks)

    asyncio.run(main())
    assert peak == 2
    assert started == list(range(8))  # in arrival order


def test_no_limit_lets_every_message_through_at_once() -> None:
    pool = WorkerPool(WORKERS[:1], max_in_flight=0)
    running = peak = 0

    async def message() -> None:
        nonlocal running, peak
        async with pool.in_flight(WORKERS[0]):
            running += 1
            peak = max(peak, running)
            await asyncio.sleep(0.01)
            running -= 1

    async def main() -> None:
        await asyncio.gather(*(message() for _ in range(20)))

    asyncio.run(main())
    assert peak == 20


def test_a_message_given_up_while_waiting_keeps_no_place() -> None:
    """A cancelled waiter (the citizen's request timed out) neither blocks nor leaks a place."""
    pool = WorkerPool(WORKERS[:1], max_in_flight=1)
    limiter = pool._limits[WORKERS[0]]
    done: list[str] = []

    async def message(name: str, work: float) -> None:
        async with pool.in_flight(WORKERS[0]):
            await asyncio.sleep(work)
            done.append(name)

    async def main() -> None:
        first = asyncio.create_task(message("first", 0.02))
        await asyncio.sleep(0)
        given_up = asyncio.create_task(message("given up", 0.0))
        third = asyncio.create_task(message("third", 0.0))
        await asyncio.sleep(0.005)
        given_up.cancel()
        await asyncio.sleep(0)
        assert limiter.queued == 1  # only "third" still waits
        await asyncio.gather(first, third)
        with pytest.raises(asyncio.CancelledError):
            await given_up

    asyncio.run(main())
    assert done == ["first", "third"]
    assert limiter.active == 0 and limiter.queued == 0


def test_a_waiter_cancelled_as_its_turn_comes_passes_the_place_on() -> None:
    pool = WorkerPool(WORKERS[:1], max_in_flight=1)
    limiter = pool._limits[WORKERS[0]]
    done: list[str] = []

    async def message(name: str, hold: asyncio.Event | None = None) -> None:
        async with pool.in_flight(WORKERS[0]):
            if hold is not None:
                await hold.wait()
            done.append(name)

    async def main() -> None:
        hold = asyncio.Event()
        first = asyncio.create_task(message("first", hold))
        await asyncio.sleep(0)
        unlucky = asyncio.create_task(message("unlucky"))
        last = asyncio.create_task(message("last"))
        await asyncio.sleep(0)
        assert limiter.queued == 2
        hold.set()
        await asyncio.sleep(0)  # "first" finishes and hands its place to "unlucky" …
        assert first.done() and limiter.queued == 1
        unlucky.cancel()  # … which is cancelled before it runs: the place goes to "last"
        await asyncio.wait_for(asyncio.gather(last, unlucky, return_exceptions=True), 1.0)

    asyncio.run(main())
    assert done == ["first", "last"]
    assert limiter.active == 0 and limiter.queued == 0


def test_waiting_in_line_too_long_times_out_and_keeps_no_place() -> None:
    pool = WorkerPool(WORKERS[:1], max_in_flight=1)
    limiter = pool._limits[WORKERS[0]]
    outcome: list[str] = []

    async def message(name: str, work: float, timeout: float | None) -> None:
        try:
            async with pool.in_flight(WORKERS[0], timeout):
                await asyncio.sleep(work)
                outcome.append(name)
        except WorkerBusy:
            outcome.append(f"{name} timed out")

    async def main() -> None:
        first = asyncio.create_task(message("first", 0.1, None))
        await asyncio.sleep(0)
        impatient = asyncio.create_task(message("impatient", 0.0, 0.02))
        patient = asyncio.create_task(message("patient", 0.0, 5.0))
        await asyncio.gather(first, impatient, patient)

    asyncio.run(main())
    assert outcome == ["impatient timed out", "first", "patient"]
    assert limiter.active == 0 and limiter.queued == 0


def test_a_timeout_of_the_message_itself_is_not_taken_for_a_busy_worker() -> None:
    pool = WorkerPool(WORKERS[:1], max_in_flight=1)

    async def main() -> None:
        async with pool.in_flight(WORKERS[0], 5.0):
            raise asyncio.TimeoutError  # e.g. the worker did not answer in time

    with pytest.raises(asyncio.TimeoutError):
        asyncio.run(main())
    assert pool._limits[WORKERS[0]].active == 0
