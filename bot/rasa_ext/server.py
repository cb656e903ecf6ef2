"""Start Rasa's command line with measured speed fixes applied.

**Action-response validation.**

Rasa 3.6 checks every action-server response with ``jsonschema.validate``, which re-checks
the schema itself against the JSON-Schema meta-schema on every call: about 24 ms per call
before it even looks at the response, ≈ 44 ms for one of our assessment answers (measured
in ``reports/benchmark.md``). A turn that runs the form's validation action and then
``action_assess`` pays that twice. Here the validator is built and its schema checked once,
then reused: the same schema, the same errors (``best_match`` of the validator's errors,
exactly as ``jsonschema.validate`` raises), in ≈ 0.04 ms.

**Model loading (cold start).** To load a TensorFlow model (DIET), Rasa first *trains it for one
step on one example* "to build weights of the correct size", then overwrites those weights with
the trained ones. Tracing Keras' training function for that step is most of the model's loading
time (≈ 5 of 10 s on this machine, more when several workers start at once). Here the weights
are restored from the checkpoint and built by the one prediction Rasa runs anyway to trace the
inference function; the optimizer's state in the checkpoint is not needed to predict. The same
weights, the same predictions (``tests/rasa_ext/test_server.py`` compares the intent rankings of the
citizen test messages under both loaders); fine-tuning still takes Rasa's own path.

**Custom actions in the worker.** With the action endpoint set to ``inprocess://actions`` the
actions run inside the worker, without HTTP (:mod:`bot.rasa_ext.inprocess_actions`).

**The HTTP API token from the endpoints file.** ``rasa run --enable-api`` lets anyone who
reaches it read and rewrite every conversation unless ``--auth-token`` is given. A token on
the command line is readable by every user of the machine (``ps``), so the stack writes it into
the private endpoints file (:data:`TOKEN_KEY`, mode 600) and it is added to Rasa's arguments
here, inside the process. Rasa's REST channel webhook (``/webhooks/rest/webhook``) is not
covered by the token: it stays reachable only from the gateway (loopback, or a Kubernetes
NetworkPolicy).

Usage is the same as ``rasa``: ``python -m bot.rasa_ext.server run --model …``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from jsonschema.exceptions import best_match

from bot.rasa_ext import inprocess_actions

_validators: dict[str, Any] = {}

TOKEN_KEY = "http_api_token"
"""The endpoints file's key for the HTTP API token; Rasa reads only the endpoint keys it knows
(``action_endpoint``, ``tracker_store`` …) and ignores this one."""


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


def load_for_prediction(
    cls: Any,
    model_file_name: str,
    model_data_example: Any,
    predict_data_example: Any = None,
    finetune_mode: bool = False,
    *args: Any,
    **kwargs: Any,
) -> Any:
    """``RasaModel.load`` without the one-step training: restore, then trace inference.

    Falls back to Rasa's own loader for fine-tuning or when there is no prediction example.
    """
    if finetune_mode or predict_data_example is None:
        return _RASA_LOAD(
            cls, model_file_name, model_data_example, predict_data_example, finetune_mode,
            *args, **kwargs,
        )  # fmt: skip
    import tensorflow as tf

    config = kwargs.get("config", {})
    model = cls(*args, **kwargs)
    model.compile(
        optimizer=tf.keras.optimizers.Adam(config.get("learning_rate", 0.001)),
        run_eagerly=config.get("run_eagerly"),
    )
    # Restoration is deferred until the variables exist: the prediction below creates them.
    model.load_weights(model_file_name).expect_partial()
    model.run_inference(predict_data_example)
    return model


_RASA_LOAD: Any = None


def apply() -> None:
    """Apply both fixes in this process.

    Rasa imports ``validate`` from ``jsonschema`` inside
    ``RemoteAction._validate_action_result`` at call time, so replacing the module attribute
    is what reaches it; every other caller gets the same results, only faster. Every
    TensorFlow component loads through ``RasaModel.load``.
    """
    global _RASA_LOAD
    jsonschema.validate = cached_validate
    from rasa.utils.tensorflow.models import RasaModel

    if _RASA_LOAD is None:
        _RASA_LOAD = RasaModel.load.__func__
        RasaModel.load = classmethod(load_for_prediction)


def restore() -> None:
    """Undo :func:`apply` for ``RasaModel.load`` (tests compare both loaders)."""
    global _RASA_LOAD
    from rasa.utils.tensorflow.models import RasaModel

    if _RASA_LOAD is not None:
        RasaModel.load = classmethod(_RASA_LOAD)
        _RASA_LOAD = None


def _endpoints_file(argv: list[str]) -> Path | None:
    """The ``--endpoints`` file named on the command line, if any."""
    for i, arg in enumerate(argv):
        if arg == "--endpoints" and i + 1 < len(argv):
            return Path(argv[i + 1])
        if arg.startswith("--endpoints="):
            return Path(arg.split("=", 1)[1])
    return None


def prepare(argv: list[str]) -> bool:
    """Apply the fixes; add the API token and load the custom actions as the endpoints say.

    ``argv`` is changed in place: with a :data:`TOKEN_KEY` in the ``--endpoints`` file,
    ``rasa run`` gets ``--auth-token`` with it (unless one is given already). When the file
    names :data:`bot.rasa_ext.inprocess_actions.IN_PROCESS_URL` as the action endpoint, the
    custom actions run in this process; they are imported now, before Rasa starts serving, so
    the first conversation does not wait for them. Returns whether they run here.
    """
    apply()
    endpoints = _endpoints_file(argv)
    if endpoints is None or not endpoints.exists():
        return False
    config = yaml.safe_load(endpoints.read_text(encoding="utf-8")) or {}
    token = config.get(TOKEN_KEY)
    given = any(arg == "--auth-token" or arg.startswith("--auth-token=") for arg in argv)
    if token and argv[1:2] == ["run"] and not given:
        # One argument with =: a token may start with "-" (token_urlsafe), which argparse
        # would take for an option and refuse the worker's start.
        argv += [f"--auth-token={token}"]
    if (config.get("action_endpoint") or {}).get("url") != inprocess_actions.IN_PROCESS_URL:
        return False
    inprocess_actions.apply(preload=True)
    return True


def main() -> None:
    """:func:`prepare`, then run Rasa's own command line with our arguments."""
    prepare(sys.argv)
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
