PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install browser graphiql-assets run test lint fuzz schema clean bench

install: $(STAMP) browser

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

# Debian's Chromium for the browser tests (tests/browser/), installed when missing, as root
# with apt-get; elsewhere those tests are skipped, saying why. (Test tools' own browser
# downloads do not work on these machines; Playwright drives the system's Chromium.)
browser:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing Debian's chromium for the browser tests"; \
		apt-get install -y -qq chromium >/dev/null 2>&1 || \
		{ apt-get update -qq && apt-get install -y -qq chromium; }; \
	else echo "no /usr/bin/chromium and no root apt-get: the browser tests will be skipped"; fi

# Refresh GraphiQL's vendored assets from the versions pinned in web/graphiql/package.json
# (needs npm and the registry; the result is committed, so installs need neither).
graphiql-assets:
	web/graphiql/vendor.sh

# `make run PORT=8080`, `make run DATABASE_URL=postgres://postgres@127.0.0.1:5432/motcua`
# (the database is created when it does not exist yet).
HOST ?= 127.0.0.1
PORT ?= 8000
DOSSIERS ?= 2000
ifdef DATABASE_URL
export DATABASE_URL
endif

run: install
	$(BIN)/python app.py migrate
	$(BIN)/python app.py seed --demo --dossiers $(DOSSIERS)
	$(BIN)/python app.py serve --host $(HOST) --port $(PORT)

# SQLite always; PostgreSQL as well when TEST_DATABASE_URL names a server database
# (the suite creates and drops a database of its own there).
test: install
	MOTCUA_TEST_BACKEND=sqlite $(BIN)/python -m pytest -q $(PYTEST_ARGS)
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		MOTCUA_TEST_BACKEND=postgres $(BIN)/python -m pytest -q $(PYTEST_ARGS); \
	else echo "TEST_DATABASE_URL not set: PostgreSQL run skipped"; fi

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy

# A short schemathesis run against a live server on a throwaway database.
fuzz: install
	bash .ci/fuzz

# Not in CI (minutes, and needs a quiet machine): motcua against the hand-written baseline and
# PostGraphile at a million dossiers; see benchmarks/bench.py. BENCH_ARGS=--help for options.
BENCH_STAMP := $(VENV)/.bench-installed

$(BENCH_STAMP): $(STAMP) pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	@touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)
	$(BIN)/python -m benchmarks.bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var

schema: install
	$(BIN)/python -c "from schema import schema; open('schema.graphql','w').write(schema.as_str()+'\n')"
