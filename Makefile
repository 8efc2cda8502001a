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
# The observability profile (deploy/local/stack.sh): Prometheus (Debian's package) and Jaeger v2
# (built once from its Go module into .stack/bin, ~12 min on 2 cores; cached afterwards).
# On by default, so `make test` runs the panel, rule and trace tests (tests/observability) on
# the live servers; OBSERVE=0 leaves them out (and those tests skip instead of failing).
OBSERVE ?= 1
OBSERVE_ENV := LEXSTREAM_STACK_OBSERVE=$(OBSERVE)
# where the services send traces and metrics while the profile runs (Jaeger's OTLP/HTTP)
OTLP_ENV := $(if $(filter 1,$(OBSERVE)),LEXSTREAM_OTLP_ENDPOINT=$${LEXSTREAM_OTLP_ENDPOINT:-http://127.0.0.1:4318},)

.PHONY: up down test test-containers install system-deps python stack-fetch model web lint typecheck unit integration e2e status bench

system-deps:
	@if [ "$$(id -u)" = 0 ]; then deploy/local/system-deps.sh; else deploy/local/system-deps.sh || true; fi

# Bytecode compiled at install, as the images do (UV_COMPILE_BYTECODE): where
# PYTHONDONTWRITEBYTECODE is set (this machine, some CI runners), nothing is cached and every
# service start compiled its imports again (a system of five started in 58 s, now 34 s).
python:
	@deploy/local/install-uv.sh "$(UV_HOME)"
	$(UV) sync --frozen --all-packages --compile-bytecode
	$(UV) run --frozen python -m compileall -q shared/src services/ingest/src services/ocr/src services/transcribe/src services/index/src services/gateway/src > /dev/null

stack-fetch:
	$(OBSERVE_ENV) $(STACK) fetch

model: python
	$(UV) run --frozen python -m lexstream.transcribe.model

# The web workspace (services/gateway/web), from the npm registry where node is present: the
# gateway serves its build (web/dist) at / and /ui/workspace; without node, / says how to build it.
web:
	@if command -v npm >/dev/null 2>&1; then
		cd services/gateway/web && npm ci --no-audit --no-fund && npm run build
	else
		echo "node is not installed: the web workspace is not built (/ answers how to build it)"
	fi

install: system-deps python stack-fetch model web

up: install
	@$(OBSERVE_ENV) $(STACK) start
	$(UV) run --frozen python -m lexstream.index bootstrap
	$(OTLP_ENV) $(SERVICES) start
	@echo ""
	@echo "lexstream is up: gateway $(GATEWAY_URL)"
	@echo "admin key: .lexstream/admin-key  (send it as X-API-Key)"
	@if [ "$(OBSERVE)" = 1 ]; then echo "prometheus http://127.0.0.1:9090  jaeger query API http://127.0.0.1:16686"; fi

down:
	@$(SERVICES) stop || true
	$(OBSERVE_ENV) $(STACK) stop

status:
	$(OBSERVE_ENV) $(STACK) status
	$(SERVICES) status

lint:
	$(UV) run --frozen ruff format --check .
	$(UV) run --frozen ruff check .
	$(UV) run --frozen lint-imports

typecheck:
	$(UV) run --frozen mypy shared/src services/*/src

# Starts only the components that are stopped and stops only those afterwards, so a system
# someone else runs (make up) keeps its Kafka while the test adds the observability profile.
test: install
	@stopped="$$($(OBSERVE_ENV) $(STACK) status | awk '$$2 == "stopped" { printf "%s ", $$1 }')"
	if [ -z "$$stopped" ]; then echo "stack already running"; else $(OBSERVE_ENV) $(STACK) start $$stopped; fi
	rc=0
	$(MAKE) --no-print-directory lint typecheck || rc=$$?
	if [ $$rc = 0 ]; then LEXSTREAM_REQUIRE_OBSERVE=$(OBSERVE) $(UV) run --frozen pytest -ra --durations=15 || rc=$$?; fi
	if [[ " $$stopped" == *" kafka "* ]]; then $(SERVICES) stop || true; fi
	if [ -n "$$stopped" ]; then $(STACK) stop $$stopped || true; fi
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
