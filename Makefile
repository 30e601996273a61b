# The documented way in: `make run` to try Rapport, `make test` to check it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export PORT


.PHONY: run test lint format typecheck test-sqlite test-postgres bench bench-search bench-outreach bench-imports bench-rediscovery bench-semantic screenshots install dev clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.dev-installed: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

install: $(VENV)/.installed

dev: $(VENV)/.dev-installed

run: install
	$(BIN)/rapport setup
	$(BIN)/rapport serve --port $(PORT)

lint: dev
	$(BIN)/ruff check src tests bench tools
	$(BIN)/ruff format --check src tests bench tools

format: dev
	$(BIN)/ruff format src tests bench tools
	$(BIN)/ruff check --fix src tests bench tools

typecheck: dev
	$(BIN)/mypy

test-sqlite: dev
	$(BIN)/pytest -p no:cacheprovider

test-postgres: dev
	$(BIN)/python tests/postgres.py -- $(BIN)/pytest -p no:cacheprovider

test: lint typecheck test-sqlite test-postgres

bench: dev
	$(BIN)/python bench/pages.py

bench-search: dev
	$(BIN)/python bench/search.py

bench-outreach: dev
	$(BIN)/python bench/outreach.py

bench-imports: dev
	$(BIN)/python bench/imports.py

bench-rediscovery: dev
	$(BIN)/python bench/rediscovery.py

bench-semantic: dev
	$(BIN)/python bench/semantic.py

screenshots: dev
	$(BIN)/python tools/screenshots.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
