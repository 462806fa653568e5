# Every target sets itself up: a fresh clone needs only python3 and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check -q

.PHONY: run test lint bench bench-quick openapi demo lock clean

# The locks carry every file's hash: pip refuses whatever differs from what was locked.
# requirements-dev.lock is everything a checkout runs (the embedded PostgreSQL, the tests, the
# linters); requirements.lock is the production set alone (deploy/Containerfile).
$(VENV)/.runtime: requirements-dev.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --require-hashes -r requirements-dev.lock
	$(PIP) install --no-deps -e .
	touch $@

$(VENV)/.dev: $(VENV)/.runtime
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
	$(BIN)/python -m benchmarks.bundles
	$(BIN)/python -m benchmarks.export --events 1000000
	$(BIN)/python -m benchmarks.console --events 1000000

bench-quick: $(VENV)/.dev
	$(BIN)/python -m benchmarks.rebuild --events 60000
	$(BIN)/python -m benchmarks.register --events 60000 --requests 50
	$(BIN)/python -m benchmarks.api --studios 200 --requests 2000 --commands 200 --rounds 1 --seconds 3
	$(BIN)/python -m benchmarks.reconcile --rows 20000
	$(BIN)/python -m benchmarks.bundles --sizes 1000 100000
	$(BIN)/python -m benchmarks.export --events 60000 --seed-studios 200
	$(BIN)/python -m benchmarks.console --events 60000 --requests 50 --rounds 2

openapi: $(VENV)/.runtime
	$(BIN)/casework openapi --output api/openapi.json

demo: $(VENV)/.runtime
	$(BIN)/casework demo

# Regenerates both locks from requirements.in / requirements-dev.in, keeping the versions they
# pin unless an input asks for another (UPGRADE=1: the newest the inputs allow). The hashes are
# those of every file of each version the indexes offer (other platforms', the sdist), so the
# locks install beyond this machine. polyfactory (and its Faker) come with litestar for OpenAPI
# examples, which casework does not make: the production lock leaves them out, and the image
# installs it with --no-deps.
LOCKING := .venv-lock
COMPILE := $(LOCKING)/bin/pip-compile --quiet --generate-hashes --strip-extras --no-emit-index-url \
	--no-emit-find-links $(if $(UPGRADE),--upgrade)
lock:
	$(PYTHON) -m venv $(LOCKING)
	$(LOCKING)/bin/python -m pip --disable-pip-version-check -q install pip-tools==7.6.2
	CUSTOM_COMPILE_COMMAND="make lock" $(COMPILE) --unsafe-package polyfactory --unsafe-package faker \
		--output-file requirements.lock requirements.in
	CUSTOM_COMPILE_COMMAND="make lock" $(COMPILE) --constraint requirements.lock \
		--output-file requirements-dev.lock requirements-dev.in

clean:
	rm -rf $(VENV) $(LOCKING) .casework .pytest_cache .mypy_cache .ruff_cache
