"""The OpenAPI document (``/openapi.json``) with the errors and limits the API really has.

FastAPI documents a 422 on every route with parameters as a list of pydantic errors; the
gateway answers it as ``{"detail": "<Chinese>"}`` like every other error
(:class:`~bot.web.errors.ApiError`), and the statuses its middleware and handlers answer
were not documented at all. :func:`document_api` replaces FastAPI's generator with one that,
on top of what each route declares (``responses=error_responses(…)``: 401, 403, 404, 409,
503), adds what follows from the route's shape:

* every route: 500;
* a route with a body: 400 (not UTF-8, nested too deep), 413 (:mod:`bot.web.bodylimit`);
* a route with a body or parameters: 422, as :class:`~bot.web.errors.ApiError`;
* an ``/api/`` route: 429 (:mod:`bot.web.ratelimit`);

and writes into the schemas what their routes check: the message-length setting, that a chat
message must hold more than spaces, and which facts the hotline lookup takes with which values
(the engine's vocabulary, :data:`bot.policy.facts.FACTS`; anything else is a 422).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from bot.policy.facts import FACTS
from bot.policy.situation import UNKNOWN_WORDS
from bot.web.errors import ERROR_DESCRIPTIONS, ApiError

_ERROR_REF = {"$ref": "#/components/schemas/ApiError"}

_METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}

_LENGTH_CHECKED = {"ChatIn": "message", "LookupIn": "text"}
"""Fields whose limit is ``HUKOU_MAX_MESSAGE_CHARS``, checked by their route (a setting, so
not in the model)."""


def document_api(app: FastAPI, max_message_chars: int) -> None:
    """Make ``app.openapi()`` produce the document described above (built once, then kept).

    Args:
        app: The gateway, with every router included.
        max_message_chars: The longest chat message or caller's description.
    """

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            spec = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            _document_errors(spec)
            _document_limits(spec, max_message_chars)
            app.openapi_schema = spec
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented extension point


def _document_errors(spec: dict[str, Any]) -> None:
    for path, operations in spec.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in _METHODS:
                continue
            codes = {500}
            if "requestBody" in operation:
                codes |= {400, 413, 422}
            if operation.get("parameters"):
                codes.add(422)
            if path.startswith("/api/"):
                codes.add(429)
            responses = operation.setdefault("responses", {})
            for code in sorted(codes):
                declared = responses.get(str(code))
                if declared is None or _is_fastapis_422(declared):
                    responses[str(code)] = {
                        "description": ERROR_DESCRIPTIONS[code],
                        "content": {"application/json": {"schema": _ERROR_REF}},
                    }
            operation["responses"] = dict(sorted(responses.items()))
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("ApiError", ApiError.schema())
    # Nothing refers to FastAPI's list-of-errors schemas any more.
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)


def _is_fastapis_422(response: dict[str, Any]) -> bool:
    schema = response.get("content", {}).get("application/json", {}).get("schema", {})
    return bool(schema.get("$ref", "").endswith("/HTTPValidationError"))


def _document_limits(spec: dict[str, Any], max_message_chars: int) -> None:
    schemas = spec.get("components", {}).get("schemas", {})
    for model, field in _LENGTH_CHECKED.items():
        if model in schemas:
            schemas[model]["properties"][field]["maxLength"] = max_message_chars
    if "ChatIn" in schemas:
        # The route refuses a message of spaces only ("消息是空的").
        schemas["ChatIn"]["properties"]["message"]["pattern"] = r"\S"
    if "LookupIn" in schemas:
        schemas["LookupIn"]["properties"]["facts"] = facts_schema()
        date = schemas["LookupIn"]["properties"].get("date")
        if date is not None:
            schemas["LookupIn"]["properties"]["date"] = as_of_date_schema(date, nullable=True)
    if "ApplicantIn" in schemas:
        # Each applicant's hand-set facts are checked as the lookup's own are.
        schemas["ApplicantIn"]["properties"]["facts"] = facts_schema()
    for operation in spec.get("paths", {}).get("/api/policies", {}).values():
        for parameter in operation.get("parameters", []):
            if parameter.get("name") == "date":
                parameter["schema"] = as_of_date_schema(parameter["schema"])


def as_of_date_schema(declared: dict[str, Any], nullable: bool = False) -> dict[str, Any]:
    """What :func:`bot.policy.model.as_of_date` takes: a date, ``""`` (today), maybe null.

    The years it accepts (2000–2099) have no JSON-schema keyword for dates: they are said in
    the description (and the schemathesis test generates dates in that range).
    """
    kinds: list[dict[str, Any]] = [
        {"type": "string", "format": "date"},
        {"type": "string", "enum": [""]},
    ]
    if nullable:
        kinds.append({"type": "null"})
    kept = {k: v for k, v in declared.items() if k in {"title", "example", "default"}}
    return {
        **kept,
        "anyOf": kinds,
        "description": "YYYY-MM-DD，2000-01-01 至 2099-12-31；空或不填：今天",
    }


def facts_schema() -> dict[str, Any]:
    """The JSON schema of the facts the lookup takes (:meth:`Situation.from_mapping`)."""
    unknown = {"enum": [*sorted(UNKNOWN_WORDS), None]}
    properties = {
        name: (
            {"anyOf": [{"type": "boolean"}, unknown], "description": fact.label}
            if fact.is_bool
            else {"enum": [*fact.values, *unknown["enum"]], "description": fact.label}
        )
        for name, fact in FACTS.items()
    }
    return {
        "title": "Facts",
        "type": "object",
        "description": "已知的情况（null、unknown、不清楚、不知道 或空字符串表示不清楚）",
        "properties": properties,
        "additionalProperties": False,
    }
