# OmniCRM developer tasks. `make help` lists them; `make run` is all a newcomer needs.
#
# Everything runs through .venv/bin and frontend/node_modules: no global pip, no npx downloads.
# `setup` is idempotent and fast once done: it reinstalls Python packages only when
# pyproject.toml's content changed, and runs `npm ci` only when package-lock.json (or the Node
# version) changed and node_modules does not already match it (after an `npm install`); the
# hashes live in stamp files inside .venv and node_modules.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:
MAKEFLAGS += --no-print-directory

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
OMNICRM := $(VENV)/bin/omnicrm
PYTEST := $(PY) -m pytest
PY_STAMP := $(VENV)/.omnicrm-deps
NODE_STAMP := frontend/node_modules/.omnicrm-deps
# Vite 8 (frontend/package.json "engines") needs Node 20.19 or newer.
NODE_MIN := 20.19
CHROMIUM := /usr/bin/chromium

HOST ?= 127.0.0.1
PORT ?= 5000
# Extra pytest arguments, e.g. `make test PYTEST_ARGS="-k login -x"`.
PYTEST_ARGS ?=
# Arguments for bench/api_latency.py, e.g. `make bench BENCH_ARGS="--duration 30"`.
BENCH_ARGS ?=

# The front end is rebuilt when any of these (or a directory listing under src/) changes.
UI_SOURCES := $(shell find frontend/src frontend/public -path '*/node_modules' -prune -o -print 2>/dev/null) \
	$(wildcard frontend/index.html frontend/vite.config.ts frontend/tsconfig*.json \
	frontend/postcss.config.* frontend/package.json)

.PHONY: help setup ui run test test-pg e2e lint fmt typecheck migrate openapi openapi-check contract \
	bench bench-contracts bench-provisioning bench-rating bench-billing bench-payments bench-import clean distclean

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | \
		awk 'BEGIN {FS = ":.*## "}; {printf "  make %-14s %s\n", $$1, $$2}'
	@echo "  Variables: HOST=$(HOST) PORT=$(PORT) PYTHON=$(PYTHON) PYTEST_ARGS= BENCH_ARGS="

# ---------------------------------------------------------------------------------- setup ---

setup: $(PY_STAMP) $(NODE_STAMP) ## Create .venv, install Python and npm packages (fast when done)
	@echo "setup: ok ($$($(PY) --version), Node $$(node --version))"

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
		echo "error: OmniCRM needs Python >= 3.11, but '$(PYTHON)' is" \
			"$$($(PYTHON) --version 2>/dev/null || echo 'not found')." >&2; \
		echo "       Install Python 3.11+ and run e.g. 'make setup PYTHON=python3.11'." >&2; \
		exit 1; }
	@$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || { \
		echo "error: '$(PYTHON)' cannot create virtual environments;" \
			"on Debian/Ubuntu: sudo apt-get install python3-venv" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)

# Re-runs when pyproject.toml is newer than the stamp, but installs only if its content changed.
$(PY_STAMP): pyproject.toml | $(PY)
	@hash=$$(sha256sum pyproject.toml | cut -d' ' -f1); \
	if [ "$$(cat $@ 2>/dev/null)" = "$$hash" ]; then touch $@; else \
		echo "pip install -e '.[dev]' (pyproject.toml changed)"; \
		$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'; \
		echo "$$hash" > $@; fi

$(NODE_STAMP): frontend/package-lock.json frontend/package.json
	@command -v node >/dev/null || { \
		echo "error: Node.js >= $(NODE_MIN) is required for the web UI (https://nodejs.org/)" >&2; \
		exit 1; }
	@node -e 'const [a, b] = process.versions.node.split(".").map(Number), [x, y] = "$(NODE_MIN)".split(".").map(Number); process.exit(a > x || (a === x && b >= y) ? 0 : 1)' || { \
		echo "error: the web UI needs Node.js >= $(NODE_MIN); found $$(node --version)." >&2; \
		echo "       Install Node 20 LTS or newer (e.g. 'nvm install 20')." >&2; exit 1; }
	@hash=$$(cat frontend/package-lock.json <(node --version) | sha256sum | cut -d' ' -f1); \
	if [ -d frontend/node_modules ] && [ "$$(cat $@ 2>/dev/null)" = "$$hash" ]; then touch $@; \
	elif node scripts/npm_tree_in_sync.mjs frontend; then \
		echo "frontend/node_modules already matches package-lock.json"; echo "$$hash" > $@; \
	else \
		echo "npm ci (package-lock.json or Node version changed)"; \
		(cd frontend && npm ci --no-audit --no-fund --loglevel=error); \
		echo "$$hash" > $@; fi

# ------------------------------------------------------------------------------- the app ---

ui: frontend/dist/index.html ## Build the web UI into frontend/dist (when its sources changed)

frontend/dist/index.html: $(UI_SOURCES) $(NODE_STAMP)
	cd frontend && npm run build
	@touch $@

run: setup ui ## Migrate, seed demo data and serve on http://$HOST:$PORT (default 127.0.0.1:5000)
	@$(PY) -c 'import socket; s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("$(HOST)", $(PORT)))' 2>/dev/null || { \
		echo "error: cannot listen on $(HOST):$(PORT) (in use?); try 'make run PORT=5001'" >&2; \
		exit 1; }
	$(OMNICRM) db upgrade
	$(OMNICRM) seed-demo
	@url_host=$$([ "$(HOST)" = 0.0.0.0 ] || [ "$(HOST)" = "::" ] && echo localhost || echo "$(HOST)"); \
	echo ""; \
	echo "  OmniCRM: http://$$url_host:$(PORT)/   (API docs: http://$$url_host:$(PORT)/crm/docs/)"; \
	echo "  Mode: $$([ -n "$${REDIS_URL:-}" ] && echo 'production (REDIS_URL set)' || echo 'embedded (SQLite + in-process Redis and worker, data in instance/)'). Ctrl-C stops."; \
	echo ""
	$(OMNICRM) run --host $(HOST) --port $(PORT)

migrate: setup ## Apply database migrations (omnicrm db upgrade)
	$(OMNICRM) db upgrade

# --------------------------------------------------------------------------------- tests ---

# With /usr/bin/chromium present the browser tests run, and they drive the built UI. A failed UI
# build is reported and fails the target, but pytest and vitest still run, so one broken layer
# does not hide the state of the others.
define BUILD_UI_FOR_BROWSER_TESTS
if [ -x $(CHROMIUM) ]; then \
	echo "browser tests: using $(CHROMIUM); building the UI they drive (make ui)"; \
	$(MAKE) ui || { status=1; echo "ERROR: the UI build failed; browser tests will fail or skip"; }; \
else \
	echo "NOTE: $(CHROMIUM) not found: browser tests (tests/e2e) will be SKIPPED." \
		"Install it with 'sudo apt-get install chromium'."; \
fi
endef

test: setup ## Whole suite: pytest (+ browser tests) and vitest
	@status=0; \
	$(BUILD_UI_FOR_BROWSER_TESTS); \
	if [ -n "$${DATABASE_URL:-}" ]; then echo "pytest on DATABASE_URL / REDIS_URL from the environment"; \
	else echo "pytest on SQLite + fakeredis (set DATABASE_URL and REDIS_URL, or use make test-pg)"; fi; \
	echo "$(PYTEST) $(PYTEST_ARGS)"; \
	$(PYTEST) $(PYTEST_ARGS) || status=$$?; \
	echo "cd frontend && npm test"; \
	(cd frontend && npm test) || status=1; \
	exit $$status

# A throwaway database omnicrm_test_<random> on PG_ADMIN_URL (default: postgres@127.0.0.1:5432),
# Redis db 15; the database is dropped afterwards, even on failure or Ctrl-C.
test-pg: setup ## pytest on PostgreSQL + Redis (throwaway database)
	@status=0; \
	$(BUILD_UI_FOR_BROWSER_TESTS); \
	$(PY) scripts/with_test_db.py --prefix omnicrm_test --redis-url redis://127.0.0.1:6379/15 -- \
		$(PYTEST) $(PYTEST_ARGS) || status=$$?; \
	exit $$status

e2e: setup ui ## Browser tests only (Playwright driving /usr/bin/chromium)
	@[ -x $(CHROMIUM) ] || { echo "error: $(CHROMIUM) not found; install it with" \
		"'sudo apt-get install chromium' (Playwright's own browser downloads are not used)" >&2; \
		exit 1; }
	$(PYTEST) -m e2e tests/e2e $(PYTEST_ARGS)

# ------------------------------------------------------------------------------- quality ---

lint: setup ## ruff + import-linter (domain layers) + ESLint (feature boundaries)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	cd frontend && npm run --silent lint

fmt: setup ## Format and autofix (ruff)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

typecheck: setup ## mypy on the package + tsc on the front end
	$(VENV)/bin/mypy
	cd frontend && npm run typecheck

openapi: setup ## Write openapi/openapi.json and regenerate the TypeScript client from it
	$(OMNICRM) openapi
	cd frontend && npm run gen:api

contract: setup ## Boot a throwaway app and run `st run --checks all` on it (ST_EXAMPLES=10)
	$(PY) scripts/validate_served_spec.py

openapi-check: setup ## Fail if openapi/openapi.json or frontend/src/api/schema.d.ts is stale
	$(OMNICRM) openapi --check
	@cd frontend && npm run --silent check:api || { \
		echo "error: frontend/src/api/schema.d.ts is stale: run 'make openapi'" >&2; exit 1; }
	@echo "frontend/src/api/schema.d.ts is up to date"

bench: setup ## API latency vs a bare Flask app on PostgreSQL + Redis (bench/api_latency.py)
	$(PY) bench/api_latency.py $(BENCH_ARGS)

bench-contracts: setup ## GetSim sales/s vs bare SQL (bench/contracts.py)
	$(PY) bench/contracts.py $(BENCH_ARGS)

bench-rating: setup ## 1,000,000 usage records rated through the API vs a bare COPY (bench/rating.py)
	$(PY) bench/rating.py $(BENCH_ARGS)

bench-provisioning: setup ## 200 jobs through 4 workers vs bare ansible-playbook (bench/provisioning.py)
	$(PY) bench/provisioning.py $(BENCH_ARGS)

bench-billing: setup ## Billing run for 100,000 active services vs bare INSERT…SELECT (bench/billing_run.py)
	$(PY) bench/billing_run.py $(BENCH_ARGS)

bench-payments: setup ## 2,000 invoices paid through POST /crm/payment/ vs bare SQL (bench/payments.py)
	$(PY) bench/payments.py $(BENCH_ARGS)

bench-import: setup ## 100,000 subscribers (and 10,000 sales) imported from CSV vs bare COPY (bench/import.py)
	$(PY) bench/import.py $(BENCH_ARGS)

# ------------------------------------------------------------------------------- cleanup ---

clean: ## Remove build output and caches (keeps .venv, node_modules and instance/ data)
	rm -rf frontend/dist frontend/node_modules/.vite frontend/node_modules/.tmp \
		.pytest_cache .mypy_cache .ruff_cache .hypothesis tests/e2e/artifacts
	find . -path ./.venv -prune -o -path ./frontend/node_modules -prune -o \
		-name __pycache__ -type d -exec rm -rf {} +

distclean: clean ## clean + remove .venv and frontend/node_modules (instance/ data is kept)
	rm -rf $(VENV) frontend/node_modules
