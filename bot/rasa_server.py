"""Start Rasa's command line with one measured speed fix applied.

Rasa 3.6 checks every action-server response with ``jsonschema.validate``, which re-checks
the schema itself against the JSON-Schema meta-schema on every call: about 24 ms per call
before it even looks at the response, ≈ 44 ms for one of our assessment answers (measured
in ``reports/benchmark.md``). A turn that runs the form's validation action and then
``action_assess`` pays that twice. Here the validator is built and its schema checked once,
then reused: the same schema, the same errors (``best_match`` of the validator's errors,
exactly as ``jsonschema.validate`` raises), in ≈ 0.04 ms.

Usage is the same as ``rasa``: ``python -m bot.rasa_server run --model …``.
"""

from __future__ import annotations

import json
from typing import Any

import jsonschema  # type: ignore[import-untyped]
from jsonschema.exceptions import best_match  # type: ignore[import-untyped]

_validators: dict[str, Any] = {}


def cached_validate(instance: Any, schema: dict[str, Any], *args: Any, **kwargs: Any) -> None:
    """Drop-in for ``jsonschema.validate`` that checks and compiles each schema once."""
    key = json.dumps(schema, sort_keys=True)
    validator = _validators.get(key)
    if validator is None:
        cls = jsonschema.validators.validator_for(schema)
        cls.check_schema(schema)
        validator = cls(schema)
        _validators[key] = validator
    error = best_match(validator.iter_errors(instance))
    if error is not None:
        raise error


def apply() -> None:
    """Use :func:`cached_validate` for ``jsonschema.validate`` in this process.

    Rasa imports ``validate`` from ``jsonschema`` inside
    ``RemoteAction._validate_action_result`` at call time, so replacing the module attribute
    is what reaches it; every other caller gets the same results, only faster.
    """
    jsonschema.validate = cached_validate


def main() -> None:
    """Apply the fix, then run Rasa's own command line with our arguments."""
    apply()
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
