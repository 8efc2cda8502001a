# lexstream: the README's commands.
#   make up    install what is missing, start the local stack and every service
#   make down  stop what `make up` started
#   make test  install, start the stack if needed, run ruff, mypy and every test, stop what it started
SHELL := /bin/bash
.ONESHELL:
.SHELLFLAGS := -euo pipefail -c
ROOT := $(CURDIR)
STACK := deploy/local/stack.sh
SERVICES := deploy/local/services.sh
# uv is installed into the project (.tools/uv, ignored) when it is not on PATH, and that
# folder is put on PATH for every recipe and script make runs: nothing outside the checkout
# has to change for a newcomer.
UV_HOME := $(ROOT)/.tools/uv
export PATH := $(UV_HOME)/bin:$(PATH)
UV := uv
# uv trusts the system's certificate store (/etc/ssl/certs), like apt and curl, so a machine
# whose registries sit behind a TLS proxy with a local CA installs the same as any other.
export UV_SYSTEM_CERTS ?= 1
GATEWAY_URL ?= http://127.0.0.1:8080

.PHONY: up down test test-containers install system-deps python stack-fetch model web lint typecheck unit integration e2e status bench

system-deps:
	@if [ "$$(id -u)" = 0 ]; then deploy/local/system-deps.sh; else deploy/local/system-deps.sh || true; fi

python:
	@deploy/local/install-uv.sh "$(UV_HOME)"
	$(UV) sync --frozen --all-packages

stack-fetch:
	$(STACK) fetch

model: python
	$(UV) run --frozen python -m lexstream.transcribe.model

# The web workspace (services/gateway/web), from the npm registry where node is present: the
# gateway serves its build (web/dist) at /ui/workspace; without node the old page at / remains.
web:
	@if command -v npm >/dev/null 2>&1; then
		cd services/gateway/web && npm ci --no-audit --no-fund && npm run build
	else
		echo "node is not installed: the web workspace is not built (the page at / still works)"
	fi

install: system-deps python stack-fetch model web

up: install
	@$(STACK) start
	$(UV) run --frozen python -m lexstream.index bootstrap
	$(SERVICES) start
	@echo ""
	@echo "lexstream is up: gateway $(GATEWAY_URL)"
	@echo "admin key: .lexstream/admin-key  (send it as X-API-Key)"

down:
	@$(SERVICES) stop || true
	$(STACK) stop

status:
	$(STACK) status
	$(SERVICES) status

lint:
	$(UV) run --frozen ruff format --check .
	$(UV) run --frozen ruff check .
	$(UV) run --frozen lint-imports

typecheck:
	$(UV) run --frozen mypy shared/src services/*/src

test: install
	@started=""
	stack_status="$$($(STACK) status)"
	if [[ "$$stack_status" != *stopped* ]]; then echo "stack already running"; else $(STACK) start; started=yes; fi
	rc=0
	$(MAKE) --no-print-directory lint typecheck || rc=$$?
	if [ $$rc = 0 ]; then $(UV) run --frozen pytest -ra --durations=15 || rc=$$?; fi
	if [ -n "$$started" ]; then $(SERVICES) stop || true; $(STACK) stop || true; fi
	exit $$rc

# The same suites against Kafka, Elasticsearch and MinIO from testcontainers (pinned images in
# tests/containers.py), where a Docker engine answers; the reliability suite keeps its own
# private stack (stack.sh). Not run by CI: its machines have no Docker engine.
test-containers: install
	rc=0
	$(MAKE) --no-print-directory lint typecheck || rc=$$?
	if [ $$rc = 0 ]; then LEXSTREAM_TEST_SERVERS=containers $(UV) run --frozen pytest -ra \
		tests/unit tests/integration tests/e2e tests/security || rc=$$?; fi
	exit $$rc

bench:
	@echo "see bench/README.md"
