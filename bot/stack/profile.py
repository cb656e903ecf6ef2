"""Deployment profiles: the same code on embedded defaults or on the city's servers.

``embedded`` (the default) keeps conversations in a SQLite file (``var/conversations.sqlite3``,
the production profile's tracker store; ``HUKOU_TRACKER_URL=memory`` or ``sqlite:///<path>``
changes it), Rasa's conversation locks in memory and the FAQ desk in a SQLite file: one office,
one machine, nothing to install.

``production`` is chosen with ``HUKOU_PROFILE=production`` and reads its connections from the
environment (never from the repository):

=====================  ============================================  ==========================
variable               what                                          default (this machine)
=====================  ============================================  ==========================
``HUKOU_TRACKER_URL``  PostgreSQL for Rasa's tracker store           ``postgresql://postgres@127.0.0.1:5432/hukou_tracker``
``HUKOU_REDIS_URL``    Redis for Rasa's lock store                   ``redis://127.0.0.1:6379/1``
``HUKOU_AMQP_URL``     RabbitMQ for Rasa's event broker              ``amqp://guest:guest@127.0.0.1:5672/``
``HUKOU_EVENT_QUEUE``  the queue conversation events are sent to     ``hukou_events``
``DATABASE_URL``       the FAQ desk (any SQLAlchemy URL)             ``postgresql+psycopg2://postgres@127.0.0.1:5432/hukou_faq``
``HUKOU_WORKERS``      Rasa worker processes behind the gateway      ``2``
=====================  ============================================  ==========================

Either profile keeps a turn log (:mod:`bot.turns`: one masked record per answered message, for
the desk's dashboard and review queue) for ``HUKOU_TURN_RETENTION_DAYS`` days (default 180).
Production fills it from the event queue with a consumer process (``turns``, supervised like
the others); the embedded profile has no broker, so Rasa hands its events to
:class:`bot.rasa_ext.turn_broker.TurnLogBroker`, which writes the same records in process.

``HUKOU_RASA_TOKEN`` (either profile) is the Rasa workers' HTTP API token, a secret: the
gateway reads the same variable, and with ``HUKOU_ACTIONS=server`` Rasa sends it to the
action server, which refuses calls without it (:mod:`bot.rasa_ext.action_server`). Unset,
:class:`bot.stack.processes.Stack` makes a random one for each start; a worker started by
``deploy/entrypoint.sh`` refuses to run without it.

The endpoints file handed to Rasa is written at start-up into a private temporary file
(mode 600), so passwords and the token exist only in the environment and that file; the token
goes in as ``http_api_token`` and :mod:`bot.rasa_ext.server` hands it to Rasa's
``--auth-token``, never on a command line that ``ps`` shows every user of the machine.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import yaml

from bot.paths import CONVERSATIONS

PROFILES = ("embedded", "production")
EMBEDDED_TRACKER = f"sqlite:///{CONVERSATIONS}"
"""Where the embedded profile keeps conversations unless ``HUKOU_TRACKER_URL`` says otherwise
(``memory``: Rasa's in-memory store). On disk, a crashed and restarted Rasa worker continues
every conversation; it costs ≈ 5–17 ms a turn (``reports/embedded-tracker.md``)."""
ACTION_MODES = ("in-process", "server")
"""Where custom actions run: inside each Rasa worker, or in the separate action server."""
_TOKEN = re.compile(r"[A-Za-z0-9_-]+")
DEFAULTS = {
    "HUKOU_TRACKER_URL": "postgresql://postgres@127.0.0.1:5432/hukou_tracker",
    "HUKOU_REDIS_URL": "redis://127.0.0.1:6379/1",
    "HUKOU_AMQP_URL": "amqp://guest:guest@127.0.0.1:5672/",
    "HUKOU_EVENT_QUEUE": "hukou_events",
    "DATABASE_URL": "postgresql+psycopg2://postgres@127.0.0.1:5432/hukou_faq",
    "HUKOU_WORKERS": "2",
}


class ProfileError(ValueError):
    """A profile setting is missing or malformed (the message names it)."""


def _parts(url: str, name: str, schemes: tuple[str, ...]) -> Any:
    parsed = urlsplit(url)
    scheme = parsed.scheme.split("+")[0]
    if scheme not in schemes or not parsed.hostname:
        raise ProfileError(f"{name} must be a {'/'.join(schemes)}:// URL with a host, got {url!r}")
    return parsed


@dataclass(frozen=True)
class Profile:
    """Where a deployment keeps its state."""

    name: str = "embedded"
    tracker_url: str | None = None
    redis_url: str | None = None
    amqp_url: str | None = None
    event_queue: str = "hukou_events"
    faq_url: str | None = None
    workers: int = 1
    actions: str = "server"
    """``HUKOU_ACTIONS``: ``in-process`` (production's default) runs the custom actions inside
    each Rasa worker (:mod:`bot.rasa_ext.inprocess_actions`); ``server`` (the embedded default)
    calls the ``rasa_sdk`` action server over HTTP."""

    lock_lifetime: str = "15"
    """``TICKET_LOCK_LIFETIME`` handed to each Rasa worker: seconds after which the conversation
    lock of a worker that died mid-turn expires (Rasa's default is 60; the gateway already
    passes one sender's messages one at a time and a turn takes well under a second)."""

    turn_retention_days: int = 180
    """``HUKOU_TURN_RETENTION_DAYS``: how many days the turn log keeps each turn."""

    rasa_token: str = field(default="", repr=False)
    """``HUKOU_RASA_TOKEN``: the Rasa workers' ``--auth-token``; empty: made per start by the
    stack. Out of ``repr`` so that no log line shows it."""

    @property
    def actions_in_process(self) -> bool:
        """Whether the custom actions run inside the Rasa workers."""
        return self.actions == "in-process"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Profile:
        """The profile named by ``HUKOU_PROFILE`` (default ``embedded``), from ``env``."""
        env = os.environ if env is None else env
        name = env.get("HUKOU_PROFILE", "embedded").strip() or "embedded"
        if name not in PROFILES:
            raise ProfileError(f"HUKOU_PROFILE must be one of {', '.join(PROFILES)}, got {name!r}")
        actions = (env.get("HUKOU_ACTIONS") or "").strip()
        if actions and actions not in ACTION_MODES:
            raise ProfileError(
                f"HUKOU_ACTIONS must be one of {', '.join(ACTION_MODES)}, got {actions!r}"
            )
        lock_lifetime = (env.get("TICKET_LOCK_LIFETIME") or "15").strip()
        if not lock_lifetime.isascii() or not lock_lifetime.isdigit() or int(lock_lifetime) < 1:
            raise ProfileError("TICKET_LOCK_LIFETIME must be a whole number of seconds (≥ 1)")
        rasa_token = (env.get("HUKOU_RASA_TOKEN") or "").strip()
        # Rasa reads it from the query string (``?token=``): characters that need escaping
        # there would make every call fail with 401.
        if rasa_token and not _TOKEN.fullmatch(rasa_token):
            raise ProfileError(
                "HUKOU_RASA_TOKEN may hold only letters, digits, - and _ "
                "(e.g. python -c 'import secrets; print(secrets.token_urlsafe(32))')"
            )
        retention = (env.get("HUKOU_TURN_RETENTION_DAYS") or "180").strip()
        if not retention.isascii() or not retention.isdigit() or not 1 <= int(retention) <= 3650:
            raise ProfileError("HUKOU_TURN_RETENTION_DAYS must be a whole number of days (1–3650)")
        if name == "embedded":
            tracker = (env.get("HUKOU_TRACKER_URL") or "").strip() or EMBEDDED_TRACKER
            if tracker != "memory" and not tracker.startswith("sqlite:///"):
                raise ProfileError(
                    "the embedded profile keeps conversations in a SQLite file or in memory: "
                    f"HUKOU_TRACKER_URL must be sqlite:///<path> or memory, got {tracker!r}"
                )
            return cls(
                turn_retention_days=int(retention),
                tracker_url=None if tracker == "memory" else tracker,
                faq_url=env.get("DATABASE_URL") or None,
                actions=actions or "server",
                lock_lifetime=lock_lifetime,
                rasa_token=rasa_token,
            )

        def get(key: str) -> str:
            return (env.get(key) or DEFAULTS[key]).strip()

        try:
            workers = int(get("HUKOU_WORKERS"))
        except ValueError:
            raise ProfileError("HUKOU_WORKERS must be a whole number") from None
        if not 1 <= workers <= 32:
            raise ProfileError("HUKOU_WORKERS must be between 1 and 32")
        profile = cls(
            name=name,
            tracker_url=get("HUKOU_TRACKER_URL"),
            redis_url=get("HUKOU_REDIS_URL"),
            amqp_url=get("HUKOU_AMQP_URL"),
            event_queue=get("HUKOU_EVENT_QUEUE"),
            faq_url=get("DATABASE_URL"),
            workers=workers,
            actions=actions or "in-process",
            turn_retention_days=int(retention),
            lock_lifetime=lock_lifetime,
            rasa_token=rasa_token,
        )
        profile.endpoints("http://127.0.0.1:5055/webhook")  # validate every URL now
        return profile

    def endpoints(self, action_url: str, rasa_token: str | None = None) -> dict[str, Any]:
        """Rasa's endpoints configuration for this profile.

        Args:
            action_url: The action server's webhook, used unless the actions run in process.
            rasa_token: The HTTP API token (:data:`bot.rasa_ext.server.TOKEN_KEY`); ``None``:
                the profile's.
        """
        from bot.rasa_ext.action_server import AUTHORIZATION, bearer
        from bot.rasa_ext.inprocess_actions import IN_PROCESS_URL
        from bot.rasa_ext.server import TOKEN_KEY

        url = IN_PROCESS_URL if self.actions_in_process else action_url
        config: dict[str, Any] = {"action_endpoint": {"url": url}}
        token = self.rasa_token if rasa_token is None else rasa_token
        if token:
            config[TOKEN_KEY] = token
            if not self.actions_in_process:
                # Rasa sends it with every action call; the action server reads it from
                # this file too and refuses calls without it (bot.rasa_ext.action_server).
                config["action_endpoint"]["headers"] = {AUTHORIZATION: bearer(token)}
        if self.name == "embedded":
            # No broker here: Rasa hands each event to the turn log in process.
            config["event_broker"] = {
                "type": "bot.rasa_ext.turn_broker.TurnLogBroker",
                "retention_days": self.turn_retention_days,
            }
            if self.tracker_url:
                # The same store as production's, on a SQLite file (one worker, no broker).
                config["tracker_store"] = {
                    "type": "bot.rasa_ext.tracker_store.FastSQLTrackerStore",
                    "dialect": "sqlite",
                    "db": self.tracker_url.removeprefix("sqlite:///"),
                }
            return config
        assert self.tracker_url and self.redis_url and self.amqp_url
        pg = _parts(self.tracker_url, "HUKOU_TRACKER_URL", ("postgresql", "postgres"))
        config["tracker_store"] = {
            # Rasa's SQL store, saving each turn with one query instead of three.
            "type": "bot.rasa_ext.tracker_store.FastSQLTrackerStore",
            "dialect": "postgresql",
            "url": pg.hostname,
            "port": pg.port or 5432,
            "db": pg.path.lstrip("/") or "hukou_tracker",
            "username": unquote(pg.username or "postgres"),
            "password": unquote(pg.password or ""),
            # Rasa creates the tracker database on first start, logged in to this one.
            "login_db": "postgres",
        }
        redis = _parts(self.redis_url, "HUKOU_REDIS_URL", ("redis",))
        config["lock_store"] = {
            # Rasa's Redis ticket lock, each step one atomic script (RasaHQ/rasa#9213).
            "type": "bot.rasa_ext.lock_store.AtomicRedisLockStore",
            "url": redis.hostname,
            "port": redis.port or 6379,
            "db": int(redis.path.lstrip("/") or 1),
            "password": unquote(redis.password) if redis.password else None,
            "key_prefix": "hukou",
        }
        amqp = _parts(self.amqp_url, "HUKOU_AMQP_URL", ("amqp",))
        config["event_broker"] = {
            "type": "pika",
            "url": amqp.hostname,
            "port": amqp.port or 5672,
            "username": unquote(amqp.username or "guest"),
            "password": unquote(amqp.password or "guest"),
            "queues": [self.event_queue],
        }
        return config

    def write_endpoints(self, action_url: str, rasa_token: str | None = None) -> Path:
        """Write :meth:`endpoints` to a private temporary file and return its path.

        The folder of an embedded SQLite tracker file is created (Rasa creates the file).
        """
        if self.name == "embedded" and self.tracker_url:
            Path(self.tracker_url.removeprefix("sqlite:///")).parent.mkdir(
                parents=True, exist_ok=True
            )
        fd, name = tempfile.mkstemp(prefix="hukou-", suffix="-endpoints.yml")
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            yaml.safe_dump(self.endpoints(action_url, rasa_token), handle, allow_unicode=True)
        return Path(name)
