# The README's commands. `make help` lists them.
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
PYTHON ?= $(shell scripts/find-python.sh)
UV ?= uv
RUN := $(UV) run --frozen --python $(PYTHON)
RASA_ARGS := --config bot/config.yml --domain bot/domain
RASA_DATA := data/nlu data/rules
export TF_CPP_MIN_LOG_LEVEL := 2

.PHONY: report-conversations eval-understanding help setup browser run benchmark-gateway benchmark-dashboard benchmark-faq benchmark-load lint typecheck validate train test-stories unit test crossval holdout benchmark record-stories

help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

setup:  ## install the locked environment (.venv) with uv
	@command -v $(UV) >/dev/null || python3 -m pip install --quiet uv
	$(UV) sync --frozen --python $(PYTHON)

browser:  ## Debian's Chromium and CJK fonts for the browser tests (apt-get, needs root)
	@command -v chromium >/dev/null || { apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; }

run: setup  ## set up, train if needed, and run the assistant until Ctrl-C
	$(RUN) hukou serve

lint:  ## ruff (style, docstrings, where settings are read) and lint-imports (the layout's import rules)
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	$(RUN) lint-imports --no-logo

typecheck:  ## mypy (strict)
	$(RUN) mypy

validate:  ## rasa data validate, and the generated domain is up to date
	@mkdir -p artifacts
	$(RUN) python -m bot.dialogue.domain --check
	@# The form asks through action_ask_<fact>; Rasa's "not used in any story" notes are expected.
	$(RUN) rasa data validate $(RASA_ARGS) --data $(RASA_DATA) > artifacts/validate.log 2>&1 \
	  || { grep -v "is not used in any story or rule" artifacts/validate.log | tail -n 30; exit 1; }
	@grep -E "ERROR|CONFLICT|conflicts found" artifacts/validate.log | grep -v "No story structure conflicts" || echo "rasa data validate: no errors, no story conflicts"

train:  ## train the model into models/hukou.tar.gz (skipped when nothing changed)
	@mkdir -p artifacts
	@if $(RUN) python -c "import sys; from bot.stack.training import model_is_stale; sys.exit(0 if model_is_stale() else 1)"; then \
	  echo "training the model (log: artifacts/train.log)"; \
	  $(RUN) rasa train $(RASA_ARGS) --data $(RASA_DATA) --out models --fixed-model-name hukou --force \
	    > artifacts/train.log 2>&1 || { tail -n 40 artifacts/train.log; exit 1; }; \
	else echo "model is up to date"; fi

test-stories: train  ## rasa test on the test stories, failing on any prediction error
	$(RUN) rasa test core --model models/hukou.tar.gz --stories tests/stories/test_stories.yml \
	  --fail-on-prediction-errors --out artifacts/stories > artifacts/test-stories.log 2>&1 \
	  || { tail -n 40 artifacts/test-stories.log; cat artifacts/stories/failed_test_stories.yml 2>/dev/null; exit 1; }
	@echo "test stories: all predicted correctly"

unit:  ## pytest (exit code 5, "no tests collected", is reported, not hidden)
	@set +e; $(RUN) pytest -q; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests"; fi; exit $$rc

.PHONY: test-fast
test-fast:  ## pytest without the slow groups: no running assistant, real services or browser (markers in pyproject.toml)
	$(RUN) pytest -q -m "not services and not browser and not assistant"

test: setup browser lint typecheck validate train test-stories unit  ## everything CI runs

crossval: train  ## 5-fold NLU cross-validation → reports/nlu-crossval/ (~4 min)
	$(RUN) rasa test nlu $(RASA_ARGS) --nlu data/nlu --cross-validation --folds 5 --out reports/nlu-crossval

holdout: train  ## NLU on the held-out set tests/data/nlu_holdout.yml → reports/nlu-holdout/
	$(RUN) rasa test nlu --model models/hukou.tar.gz --nlu tests/data/nlu_holdout.yml --out reports/nlu-holdout

benchmark: train  ## training, cold start, parse and full-turn latency at 1/8/32 → reports/benchmark.md (~7 min)
	$(RUN) python -m benchmarks.assistant --train

record-stories: train  ## replay tests/stories/scenarios.yml against `hukou serve` and rewrite the test stories
	$(RUN) python -m tests.support.replay --record

benchmark-gateway: train  ## /api/chat vs Rasa's webhook, /api/lookup, /api/search at 1/8/32 clients → reports/ (~4 min)
	$(RUN) python -m benchmarks.gateway

benchmark-dashboard:  ## the desk dashboard's queries (p50/p95) with 1,000,000 turns in PostgreSQL → reports/dashboard-benchmark.md (~3 min)
	$(RUN) python -m benchmarks.dashboard

benchmark-faq:  ## FAQ matching p95 and publish-to-answer latency with 1,000 entries, SQLite and PostgreSQL → reports/ (~2 min)
	$(RUN) python -m benchmarks.faq

benchmark-load: train  ## stock Rasa vs the production profile at 1/8/32/64 conversations → reports/load-benchmark.md (~15 min; needs PostgreSQL, Redis, RabbitMQ)
	$(RUN) python -m benchmarks.load

profile-load: train  ## py-spy on every process of the production profile under 32 conversations → reports/profile-load.md (~2 min)
	$(RUN) python -m benchmarks.profile_load

report-conversations: train  ## scripted citizens (tests/data/conversations.yml) through the model in process: turns to an answer → reports/conversations.md (~3 min)
	$(RUN) python -m benchmarks.conversations

report-search:  ## policy search on the independent query set tests/data/search/ (top-1, top-3) → reports/search.md (seconds)
	$(RUN) python -m benchmarks.search

eval-understanding: train  ## the issue-13 corpus (written apart) through /api/chat and /api/lookup → reports/understanding.md (~2 min)
	$(RUN) python -m benchmarks.understanding

benchmark-turn-cpu: train  ## CPU per turn of one worker, actions in the worker vs the action server → reports/turn-cpu.md (~5 min; needs PostgreSQL, Redis, RabbitMQ)
	$(RUN) python -m benchmarks.turn_cpu

.PHONY: audit
audit:  ## pip-audit of uv.lock against PyPI's and OSV's advisories → reports/dependency-audit.md (says "not audited" when no service answers)
	$(RUN) python scripts/audit_lock.py --python $(PYTHON)

.PHONY: fault-report benchmark-embedded-tracker
fault-report: train  ## kill a worker under 16 conversations (production) and each process of hukou serve → reports/fault-report.md (~6 min; needs PostgreSQL, Redis, RabbitMQ)
	$(RUN) python -m benchmarks.faults

benchmark-embedded-tracker: train  ## per-turn cost of keeping embedded conversations in SQLite vs memory → reports/embedded-tracker.md (~4 min)
	$(RUN) python -m benchmarks.embedded_tracker
