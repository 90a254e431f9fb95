# Two commands: `make run` starts the bot, `make test` runs every check. Both install what they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint browser bench bench-quick catalogues catalogues-update clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

catalogues: $(STAMP)
	$(BIN)/pybabel compile --statistics -d locales -D messages 2>&1 | tail -n 2

catalogues-update: $(STAMP)
	$(BIN)/pybabel extract -F locales/babel.cfg -k _ -k gettext -o locales/messages.pot --no-location --omit-header --no-wrap .
	$(BIN)/pybabel update -i locales/messages.pot -d locales -D messages --no-fuzzy-matching --ignore-obsolete --no-wrap

run: $(STAMP) catalogues
	$(BIN)/python bot.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Browser tests drive Debian's Chromium (no browser download); fonts so Chinese text and emoji render.
browser:
	@command -v chromium >/dev/null && fc-list | grep -qi wqy && fc-list | grep -qi emoji || \
	  { command -v apt-get >/dev/null && { apt-get install -y -q chromium fonts-wqy-microhei fonts-noto-color-emoji \
	    >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q chromium fonts-wqy-microhei \
	    fonts-noto-color-emoji >/dev/null; }; } || echo "apt-get not available: browser tests will be skipped"; }

# The Redis and PostgreSQL legs run when those servers answer here (or when the variables are set, as .ci/run
# does); otherwise pytest's summary says the leg was skipped and why.
TEST_REDIS_HERE := redis://127.0.0.1:6379/0
TEST_DATABASE_HERE := postgresql://postgres@127.0.0.1:5432/test

test: $(STAMP) catalogues lint browser
	TEST_REDIS_URL="$${TEST_REDIS_URL-$$($(BIN)/python -m tests.servers redis $(TEST_REDIS_HERE))}" \
	TEST_DATABASE_URL="$${TEST_DATABASE_URL-$$($(BIN)/python -m tests.servers postgres $(TEST_DATABASE_HERE))}" \
	$(BIN)/python -m pytest

bench: $(STAMP) catalogues
	$(BIN)/python -m benchmarks

bench-quick: $(STAMP) catalogues
	$(BIN)/python -m benchmarks --quick

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache artifacts benchmarks/results
