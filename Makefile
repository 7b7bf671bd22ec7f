# The two commands of the README: `make demo` and `make test`.
VENV ?= .venv
BIN := $(VENV)/bin
PYTHON ?= python3
PORT ?= 8000

.PHONY: demo test install chromium compiler lint bench bench-quick

demo: install
	$(BIN)/cssnet serve --demo --port $(PORT)

test: install chromium
	$(BIN)/ruff check network tests bench seed
	$(BIN)/lint-imports
	$(BIN)/pytest

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml network/graph/_projection.c network/analysis/_in_force.c | compiler
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# The SQLite store's projection is built in C (network/graph/_projection.c): a C compiler and SQLite's header;
# install them when they are missing (needs root or sudo).
compiler:
	@{ command -v cc >/dev/null && [ -f /usr/include/sqlite3.h ]; } || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq gcc libsqlite3-dev; }

# Browser tests drive Debian's Chromium; install it when it is missing (needs root or sudo).
chromium:
	@command -v chromium >/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium; }

# Every benchmark, one table of figures (long: 10k and 50k networks); `make bench-quick` for small sizes.
bench: install chromium
	$(BIN)/pip install --quiet -e '.[test,bench]'
	$(BIN)/python -m bench.run

bench-quick: install chromium
	$(BIN)/pip install --quiet -e '.[test,bench]'
	$(BIN)/python -m bench.run --quick
