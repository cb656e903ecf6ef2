#!/usr/bin/env bash
# Print the path of a Python 3.10 interpreter: pyenv's if present, else one uv knows or installs.
set -euo pipefail
if command -v pyenv >/dev/null 2>&1; then
  for candidate in "$(pyenv root)"/versions/3.10*/bin/python3.10; do
    if [ -x "$candidate" ]; then echo "$candidate"; exit 0; fi
  done
fi
if command -v python3.10 >/dev/null 2>&1 && python3.10 -c 'import sys' >/dev/null 2>&1; then
  command -v python3.10; exit 0
fi
uv python find 3.10 2>/dev/null || { uv python install 3.10 >&2 && uv python find 3.10; }
