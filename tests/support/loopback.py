"""Servers on 127.0.0.1 for tests: an aiohttp stand-in in its own thread, the gateway under uvicorn.

:class:`LoopbackServer` runs a stand-in (a fake Rasa, a fake WeChat API) on its own event loop
in a thread, so that it answers while the test or the gateway blocks; :func:`serving` runs a
FastAPI app under uvicorn (lifespan included), for tests that need real HTTP and concurrency.
"""

from __future__ import annotations

import abc
import asyncio
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from aiohttp import web
from fastapi import FastAPI

from tests.support.services import free_port


class LoopbackServer(abc.ABC):
    """An aiohttp app on 127.0.0.1 in its own thread and event loop (each stand-in a subclass)."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.port = 0
        ready = threading.Event()
        threading.Thread(target=self._serve, args=(ready,), daemon=True).start()
        assert ready.wait(10), "the loopback server did not start"

    @abc.abstractmethod
    def routes(self, app: web.Application) -> None:
        """Add the server's routes to ``app`` (each stand-in its own)."""

    def _serve(self, ready: threading.Event) -> None:
        asyncio.set_event_loop(self.loop)

        async def start() -> None:
            app = web.Application()
            self.routes(app)
            runner = web.AppRunner(app)
            await runner.setup()
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
            ready.set()

        self.loop.run_until_complete(start())
        self.loop.run_forever()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """Run ``app`` under uvicorn on 127.0.0.1 (lifespan included); yield its base URL."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", ws="none")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the gateway did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
