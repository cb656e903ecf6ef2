"""A stand-in for one of the stack's servers: ``python -m tests.support.stub_service PORT``.

Answers every GET with 200 ``{}`` on 127.0.0.1:PORT, so that stack tests can start, kill and
restart "workers" and a "gateway" in milliseconds instead of loading the model
(:class:`StandInStack`: the real :class:`~bot.stack.processes.Stack` running these).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from bot.stack.processes import Stack
from bot.stack.profile import Profile
from tests.support.services import free_ports


class _Ok(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"{}"
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Keep test output quiet."""


class StandInStack(Stack):
    """The real stack with every server replaced by :mod:`tests.support.stub_service`."""

    def command(self, name: str) -> list[str]:
        port = {"actions": self.action_port, "web": self.web_port}.get(name)
        if port is None:
            port = self.rasa_ports[0 if name == "rasa" else int(name.removeprefix("rasa-"))]
        return [sys.executable, "-m", "tests.support.stub_service", str(port)]


def started_stand_ins(tmp_path: Path, profile: Profile) -> Iterator[StandInStack]:
    """A started :class:`StandInStack` on free ports (the body of a fixture)."""
    first = free_ports(4)
    stack = StandInStack(
        rasa_port=first,
        action_port=first + 2,
        web_port=first + 3,
        database_url=f"sqlite:///{tmp_path / 'faq.sqlite3'}",
        profile=profile,
    )
    try:
        stack.start(timeout=30)
        yield stack
    finally:
        stack.stop()


def main() -> None:
    """Serve until killed."""
    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), _Ok).serve_forever()


if __name__ == "__main__":
    main()
