PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8080

.PHONY: run test lint format bench clean

$(BIN)/podium: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.test-extras: $(BIN)/podium
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

run: $(BIN)/podium
	$(BIN)/podium serve --host $(HOST) --port $(PORT)

# Lint, then the whole suite in JOBS parallel workers (pytest-xdist; JOBS=0 runs it in one
# process); any failure makes it exit non-zero. Its last lines say what it did not test and
# how to enable that. PODIUM_REQUIRE_REDIS=1 PODIUM_REQUIRE_BROWSER=1 (as .ci/run sets) make
# a missing redis-server or Chromium a failure; PODIUM_CHROMIUM=PATH picks the browser;
# PODIUM_TEST_SEED=N replays a randomised run (every worker uses the one seed); PYTEST_ARGS
# narrows it (e.g. PYTEST_ARGS=tests/unit, or PYTEST_ARGS="-m 'not browser'"). Files are
# handed out in collection order, which puts the slow ones first (tests/conftest.py), not
# by their count of tests, so the run does not end on one long file begun last. docs/testing.md
JOBS ?= 4
test: $(VENV)/.test-extras
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -q -n $(JOBS) --dist loadfile --no-loadscope-reorder $(PYTEST_ARGS)

lint: $(VENV)/.test-extras
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(VENV)/.test-extras
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(BIN)/podium
	$(BIN)/podium bench --viewers 1000 --commands 20 --baseline

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info server/*.egg-info
