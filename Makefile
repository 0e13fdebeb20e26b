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

test: $(VENV)/.test-extras
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -q

lint: $(VENV)/.test-extras
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.test-extras
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(BIN)/podium
	$(BIN)/podium bench --viewers 1000 --commands 20 --baseline

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info server/*.egg-info
