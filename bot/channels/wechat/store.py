"""Where the channel keeps what must outlive one request: dedup claims, answers, options, quotas.

:class:`MemoryStore` serves the embedded profile (one gateway process). :class:`RedisStore`
serves the production profile, where a push and WeChat's retry of it may reach different
gateway processes: a claim there is one atomic ``SET NX EX``, so exactly one process runs the
turn. Every key of a user starts with :func:`user_prefix`, so an ``unsubscribe`` deletes all of
them at once (the platform requires it, protocol note §1.3).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

import redis.asyncio as aioredis


def user_prefix(openid: str) -> str:
    """The prefix of every key the channel keeps about ``openid``."""
    return f"u:{openid}:"


class Store(Protocol):
    """Key-value storage with expiry, shared by every gateway process that needs it."""

    async def claim(self, key: str, ttl: float) -> bool:
        """Set ``key`` if it is not set; ``True`` for the one caller that set it."""

    async def get(self, key: str) -> str | None:
        """The value of ``key``; ``None`` if unset or expired."""

    async def put(self, key: str, value: str, ttl: float) -> None:
        """Set ``key`` to ``value`` for ``ttl`` seconds."""

    async def delete_prefix(self, prefix: str) -> int:
        """Delete every key starting with ``prefix``; how many there were."""

    async def close(self) -> None:
        """Release connections."""


class MemoryStore:
    """A :class:`Store` in this process's memory (the embedded profile)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        """An empty store; ``clock`` measures expiry (tests move it)."""
        self._clock = clock
        self._data: dict[str, tuple[str, float]] = {}
        self._writes = 0

    def _live(self, key: str) -> str | None:
        found = self._data.get(key)
        if found is None:
            return None
        if found[1] <= self._clock():
            del self._data[key]
            return None
        return found[0]

    async def claim(self, key: str, ttl: float) -> bool:
        """Set ``key`` if it is not set (no await inside: atomic on the event loop)."""
        if self._live(key) is not None:
            return False
        self._set(key, "1", ttl)
        return True

    async def get(self, key: str) -> str | None:
        """The value of ``key``; ``None`` if unset or expired."""
        return self._live(key)

    async def put(self, key: str, value: str, ttl: float) -> None:
        """Set ``key`` to ``value`` for ``ttl`` seconds."""
        self._set(key, value, ttl)

    def _set(self, key: str, value: str, ttl: float) -> None:
        now = self._clock()
        self._data[key] = (value, now + ttl)
        self._writes += 1
        if self._writes % 1000 == 0:  # drop expired keys now and then: memory stays bounded
            for stale in [k for k, (_, until) in self._data.items() if until <= now]:
                del self._data[stale]

    async def delete_prefix(self, prefix: str) -> int:
        """Delete every key starting with ``prefix``."""
        keys = [key for key in self._data if key.startswith(prefix)]
        for key in keys:
            del self._data[key]
        return len(keys)

    async def close(self) -> None:
        """Nothing to release."""


class RedisStore:
    """A :class:`Store` in Redis (the production profile), keys under ``namespace``."""

    def __init__(self, url: str, namespace: str = "hukou:wechat:") -> None:
        """Connect lazily to ``url`` (``redis://host:port/db``)."""
        self._redis = aioredis.Redis.from_url(url, socket_timeout=2.0, decode_responses=True)
        self.namespace = namespace

    async def claim(self, key: str, ttl: float) -> bool:
        """``SET key 1 NX PX ttl``: one atomic step, whichever process comes first wins."""
        done = await self._redis.set(self.namespace + key, "1", nx=True, px=int(ttl * 1000))
        return bool(done)

    async def get(self, key: str) -> str | None:
        """The value of ``key``; ``None`` if unset or expired."""
        value = await self._redis.get(self.namespace + key)
        return None if value is None else str(value)

    async def put(self, key: str, value: str, ttl: float) -> None:
        """Set ``key`` to ``value`` for ``ttl`` seconds."""
        await self._redis.set(self.namespace + key, value, px=int(ttl * 1000))

    async def delete_prefix(self, prefix: str) -> int:
        """Delete every key starting with ``prefix`` (``SCAN`` then ``DEL``, never ``KEYS``).

        The prefix holds an OpenID (letters, digits, ``_``, ``-``): no glob characters.
        """
        keys = [key async for key in self._redis.scan_iter(match=f"{self.namespace}{prefix}*")]
        if keys:
            await self._redis.delete(*keys)
        return len(keys)

    async def close(self) -> None:
        """Close the connection pool."""
        await self._redis.close()
