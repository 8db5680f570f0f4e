# Two commands on a fresh machine: `make run` and `make test`.
PY ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: run test lint bench eval-ask screenshots install clean

$(BIN)/nervetrack: pyproject.toml
	@command -v $(PY) >/dev/null 2>&1 || { echo "python3.11 not found"; exit 1; }
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	@touch $@

install: $(BIN)/nervetrack

run: install
	$(BIN)/nervetrack serve --demo --host 127.0.0.1 --port $(PORT) --data-dir ./data

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

# Coverage of the package by the whole suite, with a floor (the server processes started by the load and
# fault tests are not measured, so the floor is a little below what they exercise).
COVERAGE_FLOOR ?= 85

test: lint
	$(BIN)/pytest -q --cov --cov-report=term --cov-fail-under=$(COVERAGE_FLOOR)

bench: install
	$(BIN)/python -m benchmarks

# How well `nervetrack ask` answers the evaluation set (benchmarks/ask_eval.toml); -v lists the misses.
eval-ask: install
	$(BIN)/python -m benchmarks.ask_eval -v

# Refresh docs/screenshots from the browser journeys (ordinary test runs write them to a temporary folder).
screenshots: install
	NERVETRACK_SCREENSHOTS=1 $(BIN)/pytest -q tests/browser/test_journeys.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
