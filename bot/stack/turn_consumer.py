"""``python -m bot.stack.turn_consumer``: the production profile's turn-log consumer process.

Started (and restarted when it dies) by ``hukou serve`` as ``turns``
(:class:`bot.stack.processes.Stack`); it reads the profile from the environment
(``HUKOU_AMQP_URL``, ``HUKOU_EVENT_QUEUE``, ``DATABASE_URL``, ``HUKOU_TURN_RETENTION_DAYS``,
:mod:`bot.stack.profile`) and runs :class:`bot.turns.consumer.TurnConsumer` until SIGTERM.
``HUKOU_TURN_PREFETCH`` (default 200) bounds the messages it holds unacknowledged;
``HUKOU_TURN_HEARTBEAT`` names a file touched every second while it consumes (the container
role ``turns`` of ``deploy/entrypoint.sh`` sets it for its health check).
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from pathlib import Path

from bot.faq.db import make_engine
from bot.stack.profile import Profile, ProfileError
from bot.turns.consumer import TurnConsumer
from bot.turns.store import TurnLog


def prefetch() -> int:
    """``HUKOU_TURN_PREFETCH``: unacknowledged messages held at most (1–10000, default 200)."""
    raw = (os.environ.get("HUKOU_TURN_PREFETCH") or "200").strip()
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= 10000:
        raise ProfileError("HUKOU_TURN_PREFETCH must be a whole number between 1 and 10000")
    return int(raw)


async def _run(consumer: TurnConsumer) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await consumer.run(stop)


def main() -> int:
    """Consume until SIGTERM; exit 2 on a configuration error, 1 when a connection fails."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    try:
        profile = Profile.from_env()
        if profile.name != "production" or not profile.amqp_url:
            raise ProfileError("the turn-log consumer runs in the production profile only")
        size = prefetch()
    except ProfileError as exc:
        print(f"配置错误：{exc}", file=sys.stderr)
        return 2
    engine = make_engine(profile.faq_url)
    turns = TurnLog(engine, retention_days=profile.turn_retention_days)
    heartbeat = (os.environ.get("HUKOU_TURN_HEARTBEAT") or "").strip()
    consumer = TurnConsumer(
        turns,
        profile.amqp_url,
        profile.event_queue,
        prefetch=size,
        heartbeat=Path(heartbeat) if heartbeat else None,
    )
    try:
        asyncio.run(_run(consumer))
    except (ConnectionError, OSError) as exc:
        print(f"对话记录消费进程连接失败：{exc}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
