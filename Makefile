# Two commands on a fresh machine (python3 and the package registries only):
#   make run    set up, migrate, load the demo once, serve on http://127.0.0.1:8000
#   make test   set up, lint (ruff check, ruff format --check, mypy), run the whole suite on
#               SQLite and PostgreSQL
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup run test lint bench bench-load lock messages clean

# The exact versions come from the lock; the project itself is installed on top, without
# resolving anything, and `pip check` stops a lock that no longer satisfies pyproject.toml.
$(BIN)/vdo: pyproject.toml requirements-dev.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.lock
	$(BIN)/pip install --quiet --no-deps -e .
	$(BIN)/pip check
	touch $(BIN)/vdo

setup: $(BIN)/vdo

run: setup
	$(BIN)/vdo db upgrade
	if $(BIN)/vdo db is-empty; then $(BIN)/vdo demo; fi
	$(BIN)/vdo serve --host $(HOST) --port $(PORT)

test: lint
	$(BIN)/pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check service tests bench alembic
	$(BIN)/ruff format --check service tests bench alembic
	$(BIN)/mypy service

bench: setup
	$(BIN)/python bench/planner.py
	$(BIN)/python bench/feeds.py
	$(BIN)/python bench/circulars.py
	$(BIN)/python bench/delivery.py

# wrk against the service on PostgreSQL, beside a bare ceiling; writes bench/RESULTS.md.
bench-load: setup
	$(BIN)/python bench/load.py

# Renew the locks after changing dependencies in pyproject.toml; versions already pinned stay
# unless asked: make lock UPGRADE=--upgrade (everything) or UPGRADE="--upgrade-package NAME".
LOCK := $(BIN)/uv pip compile --quiet --universal --python-version 3.11 --generate-hashes
lock:
	test -x $(BIN)/pip || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet 'uv>=0.5,<1'
	$(LOCK) $(UPGRADE) pyproject.toml -o requirements.lock
	$(LOCK) $(UPGRADE) --extra dev -c requirements.lock pyproject.toml -o requirements-dev.lock

# Extract the interface's text into the Thai catalogue: new messages arrive untranslated (and
# tests/integration/test_interface_language.py fails until they are translated).
LOCALE := service/rendering/locale
messages: setup
	$(BIN)/pybabel --quiet extract -F babel.cfg -k N_ --no-location --sort-output --width=100 \
		--project="ASEAN Pubs VDO-Conference Service" --copyright-holder="ASEAN Pubs Secretariat" \
		-o $(LOCALE)/messages.pot .
	$(BIN)/pybabel --quiet update -i $(LOCALE)/messages.pot -d $(LOCALE) -l th --no-fuzzy-matching \
		--width=100

clean:
	rm -rf $(VENV) var .pytest_cache
