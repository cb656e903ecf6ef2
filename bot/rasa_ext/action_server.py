"""The ``rasa_sdk`` action server behind a token, reporting failures without the conversation.

**A failed action.** ``rasa_sdk``'s handler answers an exception in an action with 500 and
``{"error": str(exception), "request_body": request.json}``: the whole tracker, every text
of the conversation, which Rasa then logs at ERROR as the body of the failed call (issue 19,
item 3). The exception's own message may quote what the citizen typed too
(``invalid literal for int() with base 10: '…'``). Here a failure is answered with
:func:`failure_body` (the action's name only) and logged as :func:`failure_summary` (the
exception's type and where it was raised, not its message). The actions that run inside the
Rasa workers (:mod:`bot.rasa_ext.inprocess_actions`) report failures the same way.

**The token.** ``rasa_sdk`` has no authentication: anyone who reaches its port could run any
action (a direct ``POST /webhook`` wrote into the staff's unanswered queue, issue 19 item 4).
The action server now follows the Rasa workers' rule: loopback (or a NetworkPolicy) *and* a
token. Rasa sends ``Authorization: Bearer <HUKOU_RASA_TOKEN>`` with every action call (the
action endpoint's ``headers`` in the private endpoints file that :mod:`bot.stack.profile`
writes), and this server reads the same file (``--endpoints``) and answers 401 to
``/webhook`` and ``/actions`` without it; ``/health`` stays open for probes. Without a token
in the file it does not start.

Usage: ``python -m bot.rasa_ext.action_server --actions actions --port 5055 --endpoints FILE``
(the other arguments are ``rasa_sdk``'s).
"""

from __future__ import annotations

import contextlib
import hmac
import logging
import sys
import traceback
from pathlib import Path
from typing import Any

import pluggy
import yaml

logger = logging.getLogger(__name__)

AUTHORIZATION = "Authorization"
"""The header Rasa sends the token in (``action_endpoint.headers`` of the endpoints file)."""
OPEN_PATHS = frozenset({"/health"})
"""Answered without the token: the liveness and readiness probes."""
_hookimpl = pluggy.HookimplMarker("rasa_sdk")


def bearer(token: str) -> str:
    """The ``Authorization`` value for ``token``."""
    return f"Bearer {token}"


def failure_summary(error: BaseException) -> str:
    """An exception for the log: its type and the frames it passed, not its message."""
    frames = traceback.extract_tb(error.__traceback__)
    where = " ← ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in reversed(frames))
    kind = f"{type(error).__module__}.{type(error).__qualname__}".removeprefix("builtins.")
    return f"{kind} at {where}" if where else kind


def action_name(action: object) -> str | None:
    """The requested action's name if it looks like one (``action_assess``), else ``None``.

    It comes from the request body: anything else there is not repeated in a log.
    """
    return action if isinstance(action, str) and action.isidentifier() else None


def failure_body(action: object) -> dict[str, Any]:
    """The 500 answer for a failed action: which one, nothing of the conversation."""
    name = action_name(action)
    return {"error": f"custom action {name!r} failed", "action_name": name}


def log_failure(action: object, error: BaseException) -> None:
    """Log a failed action at ERROR with :func:`failure_summary`."""
    logger.error("custom action %r failed: %s", action_name(action), failure_summary(error))


def expected_authorization(endpoints: Path) -> str:
    """The ``Authorization`` value Rasa sends, from the endpoints file; empty if none."""
    config = yaml.safe_load(endpoints.read_text(encoding="utf-8")) or {}
    headers = (config.get("action_endpoint") or {}).get("headers") or {}
    return str(headers.get(AUTHORIZATION) or "")


class Guard:
    """The ``rasa_sdk`` plugin that checks the token and replaces the failure handler."""

    def __init__(self, authorization: str) -> None:
        """Accept requests whose ``Authorization`` header is exactly ``authorization``."""
        if not authorization:
            raise ValueError("the action server needs a token")
        self._authorization = authorization.encode()

    def allowed(self, path: str, header: str | None) -> bool:
        """Whether a request for ``path`` with this ``Authorization`` header may go on."""
        if path in OPEN_PATHS:
            return True
        return hmac.compare_digest((header or "").encode(), self._authorization)

    @_hookimpl
    def attach_sanic_app_extensions(self, app: Any) -> None:
        """``rasa_sdk``'s plugin hook: called with the app before it serves."""
        from sanic import response

        async def check_token(request: Any) -> Any:
            if not self.allowed(request.path, request.headers.get(AUTHORIZATION)):
                logger.warning(
                    "refused %s %s from %s: no valid token",
                    request.method, request.path, request.ip,
                )  # fmt: skip
                return response.json({"error": "unauthorized"}, status=401)
            return None

        async def failed(request: Any, error: Exception) -> Any:
            action = None
            with contextlib.suppress(Exception):  # an unreadable body is still reported
                action = (request.json or {}).get("next_action")
            log_failure(action, error)
            return response.json(failure_body(action), status=500)

        app.register_middleware(check_token, "request")
        app.error_handler.add(Exception, failed)


def _take_endpoints(argv: list[str]) -> Path | None:
    """Remove ``--endpoints FILE`` from ``argv`` (``rasa_sdk`` does not know it); the file."""
    for i, arg in enumerate(argv):
        if arg == "--endpoints" and i + 1 < len(argv):
            path = argv[i + 1]
            del argv[i : i + 2]
            return Path(path)
        if arg.startswith("--endpoints="):
            del argv[i]
            return Path(arg.split("=", 1)[1])
    return None


def main() -> None:
    """Register :class:`Guard` with the token from ``--endpoints``, then run ``rasa_sdk``."""
    from rasa_sdk.__main__ import main as rasa_sdk_main
    from rasa_sdk.plugin import plugin_manager

    endpoints = _take_endpoints(sys.argv)
    authorization = expected_authorization(endpoints) if endpoints and endpoints.exists() else ""
    if not authorization:
        sys.exit("action server: --endpoints must name a file with the action endpoint's token")
    plugin_manager().register(Guard(authorization))
    rasa_sdk_main()


if __name__ == "__main__":
    main()
