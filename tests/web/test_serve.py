"""The gateway's process loads spaCy's tokenizer but never TensorFlow (bot.web.serve)."""

from __future__ import annotations

import subprocess
import sys

from bot.paths import ROOT

PROBE = """
import sys
from bot.web.serve import block_unused_imports
block_unused_imports()
from bot.web.routes.lookup import _load_rules
rules = _load_rules()
chosen, _ = rules.read("我没交社保，在城里租房住")
print(sorted((name, str(m.value)) for name, m in chosen.items()))
print("tensorflow loaded:", sys.modules.get("tensorflow") is not None)
"""


def test_the_fact_rules_work_in_a_process_without_tensorflow() -> None:
    # A separate interpreter: this test process may already hold TensorFlow.
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.strip().splitlines()
    assert "('urban_social_insurance', 'False')" in lines[0]
    assert lines[-1] == "tensorflow loaded: False"


def test_a_child_that_uvicorn_spawns_is_blocked_too() -> None:
    # --workers / --reload spawn children that import serve.py as __mp_main__, not main().
    probe = (
        "import runpy, sys; runpy.run_path('bot/web/serve.py', run_name='__mp_main__'); "
        "print('tensorflow' in sys.modules and sys.modules['tensorflow'] is None)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "True"
