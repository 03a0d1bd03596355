# Two commands: `make run` (serve with demo data) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi

.PHONY: run test test-sqlite test-postgres bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python translations
	$(BIN)/pip install -q -e .
	touch $@

# Message catalogs: each package's messages.po compiled to a (git-ignored) .mo by Babel's CLI.
CATALOGS := $(patsubst %.po,%.mo,$(shell find webapp calendars -path '*/translations/*/LC_MESSAGES/messages.po'))
.PHONY: translations
translations: $(CATALOGS)

%/LC_MESSAGES/messages.mo: %/LC_MESSAGES/messages.po | $(BIN)/pybabel
	$(BIN)/pybabel compile -i $< -o $@

$(BIN)/pybabel: | $(BIN)/python
	$(BIN)/pip install -q babel

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install -q -e '.[test]'
	touch $@

run: $(VENV)/.installed
	$(FLASK) db upgrade
	$(FLASK) demo --if-empty
	$(FLASK) serve --host 127.0.0.1 --port 5000 --relay-port 8765

# SQLite always; PostgreSQL as well when TEST_DATABASE_URL is set (.ci/run sets it).
test: test-sqlite test-postgres

test-sqlite: $(VENV)/.installed-test node_modules/axe-core/axe.min.js
	TEST_BACKEND=sqlite $(BIN)/pytest

# axe-core (package.json) is injected into pages by the browser tests; fetched once when missing.
node_modules/axe-core/axe.min.js:
	npm ci --no-audit --no-fund

test-postgres: $(VENV)/.installed-test
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== PostgreSQL: $$TEST_DATABASE_URL"; \
		TEST_BACKEND=postgres $(BIN)/pytest -m "not browser and not soak"; \
	else echo "== TEST_DATABASE_URL not set: PostgreSQL run skipped (CI sets it)"; fi

bench: $(VENV)/.installed-test
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) instance
