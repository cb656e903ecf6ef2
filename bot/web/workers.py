"""Which Rasa worker talks to which citizen, and in what order their messages go.

Rasa Open Source's Redis lock store can race when two servers handle one conversation at the
same time (RasaHQ/rasa#9213), so every conversation is kept on one worker:

* **Rendezvous (highest-random-weight) hashing** on the sender id orders the workers for each
  sender; the first healthy one serves it. Adding or losing a worker moves only the
  conversations that were on it; they continue from the shared tracker store.
* A worker that refuses a connection is marked down for :attr:`WorkerPool.retry_after`
  seconds and the turn goes to the sender's next worker; after that, the worker is tried
  again (and its conversations come back when it answers).
* Messages of one sender are sent one at a time, in the order they arrived (a FIFO lock per
  sender), so two messages sent at once are never processed out of order.
* Each worker gets at most :attr:`WorkerPool.max_in_flight` messages at a time; the others
  wait at the gateway, first come first served. A Rasa worker is one event loop: given 16
  messages at once it interleaves them and all 16 finish late, the first-turn ones (the most
  work) latest; given a few at a time, each is answered in about its own time plus its wait
  in line, so the slowest answers come much sooner (``reports/load-benchmark.md``).
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager


class WorkerBusy(Exception):
    """A message waited in line for its worker longer than allowed; it was not sent."""


class FifoLimiter:
    """At most ``limit`` holders at a time (0: no limit); waiters get in strictly in order."""

    def __init__(self, limit: int) -> None:
        """Admit up to ``limit`` at once; 0 or less admits everyone."""
        self.limit = limit
        self.active = 0
        self._waiters: deque[asyncio.Future[None]] = deque()

    @asynccontextmanager
    async def hold(self, timeout: float | None = None) -> AsyncIterator[None]:
        """Wait for a place (in arrival order), hold it for the block, then pass it on.

        Raises :class:`asyncio.TimeoutError` if no place came within ``timeout`` seconds.
        """
        if self.limit > 0 and (self.active >= self.limit or self._waiters):
            waiter = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            try:
                # The place is handed over with the wake-up.
                await asyncio.wait_for(asyncio.shield(waiter), timeout)
            except (asyncio.CancelledError, asyncio.TimeoutError):
                if waiter.done():
                    self._release()  # the place came just as we gave up: pass it on
                else:
                    self._waiters.remove(waiter)
                raise
        else:
            self.active += 1
        try:
            yield
        finally:
            self._release()

    def _release(self) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)  # ``active`` stays: the place changes hands
                return
        self.active -= 1

    @property
    def queued(self) -> int:
        """How many are waiting."""
        return len(self._waiters)


def _weight(sender: str, worker: str) -> int:
    digest = hashlib.blake2b(f"{worker}\x00{sender}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


class WorkerPool:
    """The Rasa workers behind the gateway, their health and the per-sender order."""

    def __init__(
        self,
        urls: Sequence[str],
        retry_after: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
        max_in_flight: int = 0,
    ) -> None:
        """Route among ``urls``; a failed worker is skipped for ``retry_after`` seconds.

        ``max_in_flight`` messages at most go to one worker at a time (0: no limit).
        """
        if not urls:
            raise ValueError("at least one Rasa worker URL is needed")
        self.urls = list(dict.fromkeys(url.rstrip("/") for url in urls))
        self.retry_after = retry_after
        self._clock = clock
        self._down_until: dict[str, float] = {}
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}
        self.max_in_flight = max_in_flight
        self._limits = {url: FifoLimiter(max_in_flight) for url in self.urls}

    @asynccontextmanager
    async def in_flight(self, url: str, timeout: float | None = None) -> AsyncIterator[None]:
        """Hold one of ``url``'s places for a message, waiting in line at most ``timeout`` s.

        Raises :class:`WorkerBusy` if no place came in time (the message was not sent).
        """
        holding = False
        try:
            async with self._limits[url].hold(timeout):
                holding = True
                yield
        except asyncio.TimeoutError:
            if holding:
                raise  # a timeout of the message itself, not of the wait
            raise WorkerBusy(url) from None

    def ranked(self, sender: str) -> list[str]:
        """Every worker in ``sender``'s own order (the same on every gateway process)."""
        return sorted(self.urls, key=lambda url: _weight(sender, url), reverse=True)

    def candidates(self, sender: str) -> list[str]:
        """The workers to try for ``sender``: healthy ones in its order, then the others."""
        now = self._clock()
        ranked = self.ranked(sender)
        healthy = [url for url in ranked if self._down_until.get(url, 0.0) <= now]
        return healthy + [url for url in ranked if url not in healthy]

    def mark_down(self, url: str) -> None:
        """``url`` failed: route around it for :attr:`retry_after` seconds."""
        self._down_until[url] = self._clock() + self.retry_after

    def mark_up(self, url: str) -> None:
        """``url`` answered."""
        self._down_until.pop(url, None)

    def is_down(self, url: str) -> bool:
        """Whether ``url`` is being routed around."""
        return self._down_until.get(url, 0.0) > self._clock()

    @asynccontextmanager
    async def turn(self, sender: str) -> AsyncIterator[None]:
        """Hold ``sender``'s turn: their messages pass one at a time, first come first served."""
        lock, users = self._locks.get(sender, (asyncio.Lock(), 0))
        self._locks[sender] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[sender]
            if users == 1:
                del self._locks[sender]
            else:
                self._locks[sender] = (lock, users - 1)

    @property
    def waiting(self) -> int:
        """Senders with a message in flight or queued (for tests and health output)."""
        return len(self._locks)
