# The two commands: `make run` (the whole stack, foreground) and `make test` (the whole suite).
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
BENCHES := bench-eventstore bench-intake bench-routing bench-sla bench-notify bench-e2e bench-messenger bench-console bench-smsin

.PHONY: install run up down test test-unit chaos lint bench $(BENCHES) dashboard-png console-png clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	$(PY) -m shared.localstack jars
	touch $(STAMP)

# promtool (make test) and a local Prometheus (PROMETHEUS=1 make run): Debian's package, where missing.
# The console's browser tests drive Debian's chromium, and its Khmer pages use the Khmer OS fonts.
install: $(STAMP)
	@command -v promtool >/dev/null || { apt-get update -q && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends prometheus; }
	@{ command -v chromium >/dev/null && [ -d /usr/share/fonts/truetype/khmeros ]; } || { apt-get update -q && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium fonts-khmeros; }

# Demo settings unless the environment says otherwise: an SLA policy in seconds (docs/contract.md §Running: make passes the rest through).
# PROMETHEUS=1 also starts a Prometheus on 127.0.0.1:9090 with deploy/prometheus (docs/runbook.md).
run up: export SLA_POLICY_FILE ?= deploy/sla-policy.demo.yaml
# Dev mode (docs/contract.md §Settings): dev secrets are accepted, and the SMS webhook takes the dev gateway's
# "text as a citizen" unsigned unless SMS_AUTH_TOKEN is set.
run up: export COMPLAINTS_DEV ?= 1

run: install
	$(PY) -m shared.localstack run

up: install
	$(PY) -m shared.localstack up

down: install
	$(PY) -m shared.localstack down

test: install
	$(PY) -m pytest tests

test-unit: install
	$(PY) -m pytest -m unit tests

# Issue 8's chaos run at full size (make test runs it with a few hundred complaints): 2,000 complaints
# while every service, the broker and PostgreSQL restart; the counts go to bench-results/chaos.json.
chaos: install
	CHAOS_COMPLAINTS=2000 CHAOS_RESULTS=bench-results/chaos.json $(PY) -m pytest -m chaos tests/chaos

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy shared services cli bench tests

# The picture of the dashboard in docs/runbook.md: a 7-minute run of the stack under a real Prometheus.
dashboard-png: install
	$(PY) -m bench.dashboard

# The console's screenshots in docs/console/ (inbox, case, queue, statistics; Khmer and English): the stack
# with realistic cases, Debian's chromium driven by Playwright.
console-png: install
	$(PY) -m bench.console_png

clean:
	rm -rf .run

# Benchmarks start their own servers, print one table and write bench-results/<name>.json.
bench: $(BENCHES)

$(BENCHES): bench-%: install
	$(PY) -m bench.$*
