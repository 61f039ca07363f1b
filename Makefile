# Two commands do all set-up on a fresh machine with Python 3.11+ and make:
#   make run   — the embedded demo (SQLite, sample portfolio, web chat)
#   make test  — ruff, mypy and every test
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALADO := $(VENV)/.instalado

.PHONY: run test lint check diagram lock clean

$(INSTALADO): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(INSTALADO)

run: $(INSTALADO)
	$(BIN)/python -m bot demo

lint: $(INSTALADO)
	$(BIN)/ruff check bot tests
	$(BIN)/mypy

test: lint
	$(BIN)/python -m bot check
	$(BIN)/python -m pytest

check: $(INSTALADO)
	$(BIN)/python -m bot check

diagram: $(INSTALADO)
	$(BIN)/python -m bot diagram

# Regenerate the pinned lock file after changing dependencies in pyproject.toml.
lock: $(INSTALADO)
	$(BIN)/python -m pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --strip-extras --extra dev --output-file requirements.lock pyproject.toml

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
