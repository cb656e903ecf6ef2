# The README's commands. `make help` lists them.
SHELL := /bin/bash
PYTHON ?= $(shell scripts/find-python.sh)
UV ?= uv
RUN := $(UV) run --frozen --python $(PYTHON)

.PHONY: help setup run test lint typecheck unit

help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

setup:  ## install the locked environment (.venv) with uv
	@command -v $(UV) >/dev/null || python3 -m pip install --quiet uv
	$(UV) sync --frozen --python $(PYTHON)

run: setup  ## set up, validate the policy data and show an example assessment
	$(RUN) hukou check
	echo '{"goal": "settle_urban", "housing": "rented"}' | $(RUN) hukou assess -

lint:  ## ruff
	$(RUN) ruff check .
	$(RUN) ruff format --check .

typecheck:  ## mypy (strict)
	$(RUN) mypy

unit:  ## pytest (exit code 5, "no tests collected", is reported, not hidden)
	@$(RUN) pytest -q; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests"; fi; exit $$rc

test: setup lint typecheck unit  ## everything CI runs
