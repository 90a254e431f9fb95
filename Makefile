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

test: $(STAMP) catalogues lint browser
	$(BIN)/python -m pytest

bench: $(STAMP) catalogues
	$(BIN)/python -m benchmarks

bench-quick: $(STAMP) catalogues
	$(BIN)/python -m benchmarks --quick

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache artifacts benchmarks/results
