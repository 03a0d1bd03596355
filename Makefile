# Two commands: `make run` (serve with demo data) and `make test` (the whole suite, tier by tier; README "Tests").
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi

.PHONY: run test lint test-sqlite test-postgres test-browser browser-then-soak soak bench clean

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

# The local demo signs admins in without a second factor (ADMIN_2FA_REQUIRED=true make run to try it).
run: $(VENV)/.installed
	$(FLASK) db upgrade
	$(FLASK) demo --if-empty
	ADMIN_2FA_REQUIRED=$${ADMIN_2FA_REQUIRED:-false} $(FLASK) serve --host 127.0.0.1 --port 5000 --relay-port 8765

# pytest with an explicit message when it collected nothing (exit 5): a tier that runs no test is a failure.
PYTEST = $(BIN)/pytest $(1) || { rc=$$?; [ $$rc -ne 5 ] || echo "== pytest collected no tests: a tier that runs nothing fails" >&2; exit $$rc; }
FAST := -n 2 --dist worksteal -m "not browser and not soak"

# Every tier; each one also runs alone. PostgreSQL only when TEST_DATABASE_URL is set (.ci/run sets it).
# Each tier waits much of its time (for relays, browsers, PostgreSQL, timers), so the three run side by side
# and keep both cores busy (one after the other they left a core idle for a third of the run); -O prints
# each one's output whole when it ends. The browser tier ends first, so the soak (under one core) follows it
# in the same lane rather than after every tier.
test: lint
	$(MAKE) --no-print-directory -j3 -O test-sqlite test-postgres browser-then-soak

browser-then-soak:
	$(MAKE) --no-print-directory test-browser
	$(MAKE) --no-print-directory soak

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .

test-sqlite: $(VENV)/.installed-test
	TEST_BACKEND=sqlite $(call PYTEST,$(FAST))

test-postgres: $(VENV)/.installed-test
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== PostgreSQL: $$TEST_DATABASE_URL"; \
		TEST_BACKEND=postgres $(call PYTEST,$(FAST)); \
	else echo "== TEST_DATABASE_URL not set: PostgreSQL run skipped (CI sets it)"; fi

# Real Chromium on SQLite: two workers, each with its own server and browser; a file's tests stay together
# and in order on one worker (--dist loadfile). Browser tests mostly wait, so two halve the time.
test-browser: $(VENV)/.installed-test node_modules/axe-core/axe.min.js
	TEST_BACKEND=sqlite $(call PYTEST,-n 2 --dist loadfile -m browser tests/browser)

# axe-core (package.json) is injected into pages by the browser tests; fetched once when missing.
node_modules/axe-core/axe.min.js:
	npm ci --no-audit --no-fund

# 2,000 websocket clients with churn: no loss, duplicate or reordering. Its rates are in `make bench` (bench/soak.py).
soak: $(VENV)/.installed-test
	TEST_BACKEND=sqlite $(call PYTEST,-n 0 -s -m soak tests/soak)

bench: $(VENV)/.installed-test
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) instance
