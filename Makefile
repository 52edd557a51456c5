# Wegwijs: `make demo` and `make test` work on a fresh clone (see README).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: test demo install lint postgres bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip 2>&1 | grep -v 'is ignored' || true
	$(BIN)/python -m pip install --quiet -e '.[dev]' 2>&1 | grep -v 'is ignored' || true
	$(BIN)/python -c 'import engine, workflows, webui, SpiffWorkflow, RestrictedPython, psycopg'
	@touch $(STAMP)

install: $(STAMP)

postgres:
	@bash .ci/ensure-postgres.sh

lint: $(STAMP)
	$(BIN)/ruff check engine workflows webui tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

test: $(STAMP) postgres lint
	$(BIN)/pytest

demo: $(STAMP)
	$(BIN)/wegwijs demo

bench: $(STAMP)
	$(BIN)/python bench/bench_complete.py

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache .ruff_cache
