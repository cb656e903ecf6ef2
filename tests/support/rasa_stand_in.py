"""A stand-in Rasa worker in a thread: what the gateway needs of Rasa, answered at once.

``POST /webhooks/rest/webhook`` answers one text bubble, ``POST /model/parse`` an NLU result
with no intent and no entities, every ``GET`` (``/``, ``/status``) 200. For tests of the
gateway's own behaviour (its OpenAPI contract), not of the assistant's answers.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class _Rasa(BaseHTTPRequestHandler):
    def _answer(self, body: Any) -> None:
        data = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self._answer({})

    def do_POST(self) -> None:
        sent = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
        if self.path.startswith("/model/parse"):
            nothing = {"name": "nlu_fallback", "confidence": 0.0}
            self._answer({"text": sent.get("text", ""), "intent": nothing, "entities": []})
        else:
            self._answer([{"recipient_id": sent.get("sender", ""), "text": "请问您想办理什么？"}])

    def log_message(self, format: str, *args: object) -> None:
        """Keep test output quiet."""


@contextmanager
def rasa_stand_in() -> Iterator[str]:
    """Run the stand-in on a free loopback port; its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Rasa)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
