"""Per-client rate limiting for the gateway's API (in-process sliding window).

Embedded default: one process, memory only. Behind a proxy, the client is the first address
in ``X-Forwarded-For`` when ``trust_forwarded`` is set. A limited request gets 429 with a
Chinese message and ``Retry-After``; nothing the citizen typed is lost (the widget keeps it).
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque


class RateLimiter:
    """At most ``limit`` requests per ``window`` seconds for each key."""

    def __init__(self, limit: int, window: float = 60.0) -> None:
        """Create a limiter; ``limit`` 0 or less disables it."""
        self.limit = limit
        self.window = window
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, key: str, now: float | None = None) -> float:
        """Record a request; return 0 when allowed, else the seconds to wait."""
        if self.limit <= 0:
            return 0.0
        now = time.monotonic() if now is None else now
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and now - hits[0] >= self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                return max(0.0, self.window - (now - hits[0]))
            hits.append(now)
            if len(self._hits) > 10_000:  # forget idle clients so memory stays bounded
                for idle in [
                    k for k, v in self._hits.items() if not v or now - v[-1] >= self.window
                ]:
                    del self._hits[idle]
            return 0.0


def retry_after_seconds(wait: float) -> int:
    """Whole seconds for the ``Retry-After`` header (at least 1)."""
    return max(1, math.ceil(wait))
