"""Run the custom actions inside each Rasa worker instead of calling an action server.

Rasa 3.6 runs a custom action by POSTing the whole conversation and domain as JSON to the
action server, through a new HTTP connection each time (``EndpointConfig.request`` opens a
fresh ``aiohttp`` session per call); the action server parses it, runs the action and answers
with JSON that Rasa parses again. A form's turn makes two such calls (validation, then the
next question). Under load that was about an eighth of a worker's time and a sixth of a core
in the action server (``reports/profile-load.md``).

With the action endpoint's URL set to :data:`IN_PROCESS_URL`, the worker hands the same
request body to ``rasa_sdk``'s own :class:`~rasa_sdk.executor.ActionExecutor`, with the
project's ``actions`` package registered, in its own event loop. Everything else is as over
HTTP:

* the request is the body Rasa would send (built by Rasa);
* the answer goes through a JSON round trip, so Rasa gets plain, unshared data exactly as
  parsed from the action server's response, and validates it as usual;
* an action that rejects its execution (``ActionExecutionRejection``), an unknown action and
  an action that fails are reported to Rasa as the action server's 400, 404 and 500 would be
  (``ClientResponseError`` with the same body), so forms and error handling behave the same;
  a failure's body and log line hold nothing of the conversation
  (:mod:`bot.rasa_ext.action_server`).

The actions are the same code: the action server (``python -m rasa_sdk --actions actions``)
remains available for deployments that keep them apart (``HUKOU_ACTIONS=server``).
"""

from __future__ import annotations

import json
import logging
from typing import Any

from bot.rasa_ext.action_server import failure_body, log_failure

logger = logging.getLogger(__name__)

IN_PROCESS_URL = "inprocess://actions"
"""The action endpoint URL that means "run the ``actions`` package in this process"."""


class LocalActions:
    """``rasa_sdk``'s executor with one package registered, answering like its webhook."""

    def __init__(self, package: str = "actions") -> None:
        """Import ``package`` and register its actions (as ``rasa_sdk --actions`` does)."""
        from rasa_sdk.executor import ActionExecutor

        self.executor = ActionExecutor()
        self.executor.register_package(package)

    async def call(self, body: dict[str, Any]) -> dict[str, Any]:
        """Run the action named in ``body``; its answer, or the HTTP error it would give."""
        from rasa.utils.endpoints import ClientResponseError
        from rasa_sdk.interfaces import ActionExecutionRejection, ActionNotFoundException

        try:
            result = await self.executor.run(body)
        except ActionExecutionRejection as error:
            detail = {"error": error.message, "action_name": error.action_name}
            raise ClientResponseError(400, "Bad Request", json.dumps(detail)) from error
        except ActionNotFoundException as error:
            logger.error(error)
            detail = {"error": error.message, "action_name": error.action_name}
            raise ClientResponseError(404, "Not Found", json.dumps(detail)) from error
        except Exception as error:
            # As the action server: nothing of the conversation, not even the error's message.
            log_failure(body.get("next_action"), error)
            detail = failure_body(body.get("next_action"))
            raise ClientResponseError(500, "Internal Server Error", json.dumps(detail)) from error
        # As parsed from the webhook's JSON response: plain data, shared with nothing.
        answer: dict[str, Any] = json.loads(json.dumps(result))
        return answer


_LOCAL: LocalActions | None = None
_RASA_REQUEST: Any = None


async def _request(self: Any, method: str = "post", *args: Any, **kwargs: Any) -> Any:
    """``EndpointConfig.request``, but run the actions here when the URL says so."""
    global _LOCAL
    if self.url != IN_PROCESS_URL:
        return await _RASA_REQUEST(self, method, *args, **kwargs)
    if _LOCAL is None:
        _LOCAL = LocalActions()
    return await _LOCAL.call(kwargs["json"])


def apply(preload: bool = False) -> None:
    """Route requests to :data:`IN_PROCESS_URL` endpoints to :class:`LocalActions`.

    With ``preload`` the actions are imported now rather than on the first call.
    """
    global _RASA_REQUEST, _LOCAL
    from rasa.utils.endpoints import EndpointConfig

    if _RASA_REQUEST is None:
        _RASA_REQUEST = EndpointConfig.request
        EndpointConfig.request = _request
    if preload and _LOCAL is None:
        _LOCAL = LocalActions()
