# Every target sets itself up: a fresh clone needs only python3 and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check -q

.PHONY: run test lint bench bench-quick openapi demo clean

$(VENV)/.runtime: requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -r requirements.lock
	$(PIP) install --no-deps -e .
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.lock
	$(PIP) install -r requirements-dev.lock
	touch $@

run: $(VENV)/.runtime
	$(BIN)/casework serve --console-link

test: $(VENV)/.dev
	$(BIN)/pytest

lint: $(VENV)/.dev
	$(BIN)/ruff check src projections api tests benchmarks
	$(BIN)/ruff format --check src projections api tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: $(VENV)/.dev
	@command -v wrk >/dev/null || echo "wrk is not installed (apt-get install wrk): GET figures use the Python load generator"
	$(BIN)/python -m benchmarks.rebuild --events 1000000
	$(BIN)/python -m benchmarks.register --events 1000000
	$(BIN)/python -m benchmarks.api --studios 1000 --requests 5000 --commands 600
	$(BIN)/python -m benchmarks.reconcile --rows 100000
	$(BIN)/python -m benchmarks.console --events 1000000

bench-quick: $(VENV)/.dev
	$(BIN)/python -m benchmarks.rebuild --events 60000
	$(BIN)/python -m benchmarks.register --events 60000 --requests 50
	$(BIN)/python -m benchmarks.api --studios 200 --requests 2000 --commands 200 --rounds 1 --seconds 3
	$(BIN)/python -m benchmarks.reconcile --rows 20000
	$(BIN)/python -m benchmarks.console --events 60000 --requests 50 --rounds 2

openapi: $(VENV)/.runtime
	$(BIN)/casework openapi --output api/openapi.json

demo: $(VENV)/.runtime
	$(BIN)/casework demo

clean:
	rm -rf $(VENV) .casework .pytest_cache .mypy_cache .ruff_cache
