# WorkmateOS: `make run` (try it) and `make test` (the whole suite). See README.md.
SHELL := /bin/bash
HOST ?= 127.0.0.1
PORT ?= 8000
VENV ?= .venv
PY := $(VENV)/bin/python
# Django 6 needs Python >= 3.12: prefer pyenv's 3.13.0, then any python3.13/3.12 on PATH.
BOOT_PYTHON ?= $(shell for p in "$$(pyenv prefix 3.13.0 2>/dev/null)/bin/python" python3.13 python3.12 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { echo $$p; break; }; done)
PYTEST_ARGS ?=

.PHONY: venv run test test-fast test-e2e lint messages bench bench-chat clean

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt requirements-einvoice-rules.txt
	@test -n "$(BOOT_PYTHON)" || { echo "Python >= 3.12 is required (see README)"; exit 1; }
	test -x $(PY) || $(BOOT_PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements-dev.txt
	$(PY) -m pip install -q --no-deps --require-hashes -r requirements-einvoice-rules.txt
	touch $@

.env:
	@echo "Creating .env for the embedded mode (random SECRET_KEY)."
	@printf 'SECRET_KEY=%s\nALLOWED_HOSTS=127.0.0.1,localhost\nSITE_URL=http://$(HOST):$(PORT)\n' \
		"$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')" > .env

# Compiled with polib (pure Python), so a machine without gettext can still `make run`.
locale/de/LC_MESSAGES/django.mo: locale/de/LC_MESSAGES/django.po $(VENV)/.installed
	$(PY) -c 'import polib, sys; polib.pofile(sys.argv[1]).save_as_mofile(sys.argv[2])' $< $@

run: venv .env locale/de/LC_MESSAGES/django.mo
	set -a && . ./.env && set +a && \
	$(PY) manage.py migrate --noinput -v0 && \
	$(PY) manage.py collectstatic --noinput -v0 && \
	$(PY) manage.py seed_demo --size small && \
	echo "" && echo "  WorkmateOS runs on http://$(HOST):$(PORT)/  (Ctrl+C stops it)" && echo "" && \
	exec $(VENV)/bin/uvicorn workmate.asgi:application --host $(HOST) --port $(PORT)

# Unit, integration, OIDC and WebSocket tests first; browser tests in their own run, because
# Playwright's sync API and pytest-asyncio's event loops must not share a process.
test: venv locale/de/LC_MESSAGES/django.mo
	$(PY) -m pytest -m "not e2e" $(PYTEST_ARGS)
	$(PY) -m pytest tests/e2e -m e2e -p no:asyncio $(PYTEST_ARGS)

test-fast: venv locale/de/LC_MESSAGES/django.mo
	$(PY) -m pytest -m "not e2e and not slow" -x $(PYTEST_ARGS)

test-e2e: venv locale/de/LC_MESSAGES/django.mo
	$(PY) -m pytest tests/e2e -m e2e -p no:asyncio $(PYTEST_ARGS)

lint: venv
	$(VENV)/bin/ruff check .

messages: venv
	DEBUG=true $(PY) manage.py makemessages -l de --no-obsolete --ignore=.venv --ignore=node_modules --ignore=tests --ignore=bench
	$(MAKE) locale/de/LC_MESSAGES/django.mo

# Benchmark (not a test): needs PostgreSQL on 127.0.0.1:5432 (and Redis, if available). Options:
# make bench BENCH_ARGS="--fresh --requests 500 --concurrency 4"  (see bench/run.py --help)
BENCH_ARGS ?=
bench: venv locale/de/LC_MESSAGES/django.mo
	$(PY) bench/run.py $(BENCH_ARGS)

# Chat scenario: N rooms x M WebSocket clients on loopback, delivery latency p50/p95.
BENCH_CHAT_ARGS ?=
bench-chat: venv
	$(PY) bench/chat_bench.py $(BENCH_CHAT_ARGS)

clean:
	rm -rf $(VENV) var .env
