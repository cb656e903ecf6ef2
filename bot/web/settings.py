"""The gateway's settings: the one place in :mod:`bot.web` that reads the environment.

Every field is read from the ``HUKOU_``-prefixed variable of its name (``HUKOU_RASA_URLS``,
``HUKOU_RATE_LIMIT_PER_MINUTE`` …); tests pass a :class:`Settings` to
:func:`bot.web.app.create_app` instead. The shape is fastapi/full-stack-fastapi-template's
``backend/app/core/config.py`` on pydantic 1.10 (``class Config: env_prefix``).
"""

from __future__ import annotations

from pydantic import BaseSettings


class Settings(BaseSettings):
    """Gateway settings, read from ``HUKOU_*`` environment variables."""

    rasa_url: str = "http://127.0.0.1:5005"
    rasa_urls: str = ""
    """Several Rasa workers, comma-separated (``HUKOU_RASA_URLS``); empty: ``rasa_url`` alone.
    Each conversation stays on one worker (:mod:`bot.web.workers`)."""
    worker_retry_seconds: float = 5.0
    """How long a worker that refused a connection is routed around."""
    worker_concurrency: int = 4
    """Messages sent to one worker at a time (``HUKOU_WORKER_CONCURRENCY``); the others wait
    in line at the gateway, first come first served. 0: no limit. With 32 conversations on
    2 workers, 4 gave the lowest p95 and p99, no limit the highest
    (``reports/worker-concurrency.md``)."""
    worker_queue_seconds: float = 10.0
    """The longest a message waits in that line (``HUKOU_WORKER_QUEUE_SECONDS``); after that
    it is not sent and the citizen is asked to send it again (503)."""
    action_url: str = "http://127.0.0.1:5055"
    """The action server (``HUKOU_ACTION_URL``); empty when the actions run inside the Rasa
    workers (``HUKOU_ACTIONS=in-process``), which then answer for them."""
    max_message_chars: int = 1000
    max_body_bytes: int = 128 * 1024
    """The largest request body accepted (``HUKOU_MAX_BODY_BYTES``), larger is a 413 before it
    is parsed. The largest legitimate one, an FAQ entry with 50 wordings and the answer at
    their limits and every character ``\\u``-escaped, is about 75 KB. 0: no limit."""
    upstream_timeout: float = 30.0
    rate_limit_per_minute: int = 60
    trust_forwarded: bool = False
    database_url: str | None = None
    """The FAQ desk's database; ``None``: ``DATABASE_URL``, else ``var/hukou.sqlite3``."""
    secure_cookies: bool = False
    """Mark the FAQ desk's session cookie ``Secure`` (set it when served over HTTPS)."""

    class Config:
        """Environment prefix."""

        env_prefix = "HUKOU_"
