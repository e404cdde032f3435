# Two commands on a fresh machine (python3 and the package registries only):
#   make run    set up, migrate, load the demo once, serve on http://127.0.0.1:8000
#   make test   set up and run the whole suite on SQLite and PostgreSQL
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup run test lint bench clean

$(BIN)/vdo: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(BIN)/vdo

setup: $(BIN)/vdo

run: setup
	$(BIN)/vdo db upgrade
	if $(BIN)/vdo db is-empty; then $(BIN)/vdo demo; fi
	$(BIN)/vdo serve --host $(HOST) --port $(PORT)

test: setup
	$(BIN)/ruff check service tests bench alembic
	$(BIN)/mypy service
	$(BIN)/pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check service tests bench alembic
	$(BIN)/ruff format --check service tests bench alembic
	$(BIN)/mypy service

bench: setup
	$(BIN)/python bench/planner.py
	$(BIN)/python bench/feeds.py
	$(BIN)/python bench/delivery.py

clean:
	rm -rf $(VENV) var .pytest_cache
