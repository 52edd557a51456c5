# Wegwijs: `make demo` and `make test` work on a fresh clone (see README).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

NODE_STAMP := node_modules/.installed-stamp

.PHONY: test demo install lint postgres chromium assets bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "Python-pakketten installeren in $(VENV) …"
	@$(BIN)/python -m pip install --quiet --upgrade pip 2>&1 | grep -v 'is ignored' || true
	@# setuptools says "Editable installation" on every editable install (information, no problem)
	@PYTHONWARNINGS='ignore:Editable installation' \
		$(BIN)/python -m pip install --quiet -e '.[dev]' 2>&1 | grep -v 'is ignored' || true
	@$(BIN)/python -c 'import engine, workflows, webui, SpiffWorkflow, RestrictedPython, psycopg'
	@touch $(STAMP)

# Browser assets from npm (bpmn-js for the diagram viewer, axe-core for the accessibility tests);
# the modeler (bpmn-js + properties panel, which ship only ES modules) is bundled with esbuild
# from npm into node_modules/.wegwijs-build (served under /vendor/wegwijs/, see webui/vendor.py)
BUILD := node_modules/.wegwijs-build
$(NODE_STAMP): package.json package-lock.json $(wildcard webui/assets/*)
	@echo "npm-pakketten installeren en de modeler bundelen …"
	@npm ci --no-audit --no-fund --loglevel=error --silent
	@mkdir -p $(BUILD)
	@node_modules/.bin/esbuild webui/assets/modeler.js --bundle --minify --format=iife \
		--target=es2020 --log-level=warning --outfile=$(BUILD)/modeler.js
	@cp node_modules/@bpmn-io/properties-panel/dist/assets/properties-panel.css $(BUILD)/
	@touch $(NODE_STAMP)

assets: $(NODE_STAMP)

install: $(STAMP) $(NODE_STAMP)

chromium:
	@bash .ci/ensure-chromium.sh

postgres:
	@bash .ci/ensure-postgres.sh

lint: $(STAMP)
	$(BIN)/ruff check engine workflows webui tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

test: install postgres chromium lint
	$(BIN)/pytest
	@echo "Once more with every cache off: cases loaded from the database must run as in memory."
	WEGWIJS_CACHES=off $(BIN)/pytest -m cold
	@echo "Once more without the speed-ups of engine/fast: the plain paths must give the same."
	WEGWIJS_FAST_PATHS=off $(BIN)/pytest -m plain

demo: install
	$(BIN)/wegwijs demo

bench: install
	$(BIN)/python bench/bench_complete.py
	$(BIN)/python bench/bench_worklist.py
	$(BIN)/python bench/bench_dashboard.py

clean:
	rm -rf $(VENV) node_modules instance .pytest_cache .mypy_cache .ruff_cache
