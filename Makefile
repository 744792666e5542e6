# The two commands: `make run` and `make test`. Everything else is here for them and for CI.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/test

.PHONY: run test install install-test test-sqlite test-postgres lint check messages bench lock clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit("Ayni needs Python 3.11 or newer") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Installs come from the lock files (exact versions with their hashes), then Ayni itself
# without dependencies; `pip check` fails if the lock no longer satisfies pyproject.toml.
$(VENV)/.installed: requirements/base.txt pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements/base.txt
	$(BIN)/pip install --quiet --no-deps -e .
	$(BIN)/pip check
	touch $@

$(VENV)/.installed-test: requirements/test.txt pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements/test.txt
	$(BIN)/pip install --quiet --no-deps -e .
	$(BIN)/pip check
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

## make run: install, migrate the SQLite database, load Peru's programme data, serve.
run: install
	$(BIN)/ayni migrate --no-input -v0
	$(BIN)/ayni demo
	@echo "Ayni is at http://$(HOST):$(PORT)/  (API docs: http://$(HOST):$(PORT)/api/docs/)"
	$(BIN)/ayni runserver $(HOST):$(PORT)

## make test: the whole suite on SQLite (browser tests included), then on PostgreSQL.
test: install-test test-sqlite test-postgres

# The production set-up test makes its own PostgreSQL database: it runs in the PostgreSQL pass.
test-sqlite:
	$(BIN)/pytest -p no:cacheprovider -m "not production"

# The PostgreSQL run repeats every test but the browser ones against a real server. Where no
# server answers it says why and stops; CI sets AYNI_REQUIRE_POSTGRES=1 so that this fails.
test-postgres:
	@if $(BIN)/python -c "import psycopg, sys; psycopg.connect('$(PG_TEST_URL)', connect_timeout=3).close()" 2>/dev/null; then \
		DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest -p no:cacheprovider -m "not browser"; \
	elif [ "$$AYNI_REQUIRE_POSTGRES" = "1" ]; then \
		echo "PostgreSQL tests required but no server answers at $(PG_TEST_URL)"; exit 1; \
	else \
		echo "SKIPPED PostgreSQL tests: no server answers at $(PG_TEST_URL)"; \
	fi

lint: install-test
	$(BIN)/ruff check src
	$(BIN)/ruff format --check src
	$(BIN)/mypy src/ayni
	$(BIN)/lint-imports

# The gates that are not tests: deployment settings, migrations and translations up to date.
check: install-test
	AYNI_ENV=production SECRET_KEY=check-only-$$(date +%s)-not-a-real-secret-key-0123456789abcdef \
		ALLOWED_HOSTS=ayni.example.org $(BIN)/ayni check --deploy --fail-level WARNING
	$(BIN)/ayni makemigrations --check --dry-run
	$(BIN)/python scripts/check_messages.py

## make bench: the benchmarks of bench/ (results go to docs/benchmarks.md by hand).
bench: install-test
	$(BIN)/python bench/analytics_bench.py
	$(BIN)/python bench/import_bench.py
	$(BIN)/python bench/export_bench.py
	$(BIN)/python bench/backup_bench.py
	$(BIN)/python bench/token_auth_bench.py

## make messages: refresh the translation files after changing user-facing text.
messages: install-test
	cd src/ayni && ../../$(BIN)/ayni makemessages -l es --no-location --no-obsolete -i "*/tests/*"
	cd src/ayni && ../../$(BIN)/ayni compilemessages

## make lock: pin every dependency again (after a change to pyproject.toml), with hashes.
LOCK_FLAGS := --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links
lock: | $(BIN)/python
	$(BIN)/pip install --quiet "pip-tools>=7.4"
	$(BIN)/pip-compile $(LOCK_FLAGS) --extra test -o requirements/test.txt pyproject.toml
	$(BIN)/pip-compile $(LOCK_FLAGS) -c requirements/test.txt -o requirements/base.txt pyproject.toml

clean:
	rm -rf $(VENV) var
