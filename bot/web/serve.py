"""Run the gateway: uvicorn's command line, in a process that never loads TensorFlow.

``python -m bot.web.serve bot.web.app:create_app --factory …`` takes uvicorn's own arguments.
The gateway needs spaCy only for its tokenizer (the fact rules, when no worker answers a
lookup), but spaCy's machine-learning library thinc imports TensorFlow whenever it is
installed — and it is, for the Rasa workers. That import alone made the gateway ≈ 260 MB
larger and its rules a few seconds slower to load (``reports/profile-load.md``). A ``None``
entry in :data:`sys.modules` makes ``import tensorflow`` raise :class:`ImportError`, which
thinc takes as "not installed"; it has to be there before anything imports spaCy, so it is
set here, in the process's entry point, and never in a module the workers or tests import.
"""

from __future__ import annotations

import sys

BLOCKED = ("tensorflow",)
"""Packages the gateway process must not import (see the module docstring)."""


def block_unused_imports() -> None:
    """Make the packages in :data:`BLOCKED` unimportable in this process (before any import)."""
    for name in BLOCKED:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]


# At import, not only in main(): uvicorn's --workers and --reload start children with
# multiprocessing's spawn, which imports this file again as __mp_main__ and never calls main().
block_unused_imports()


def main(argv: list[str] | None = None) -> None:
    """Run uvicorn with ``argv`` (the command line's arguments when omitted)."""
    import uvicorn  # after the block: nothing uvicorn loads may bring TensorFlow back

    uvicorn.main.main(args=sys.argv[1:] if argv is None else argv, prog_name="uvicorn")


if __name__ == "__main__":
    main()
