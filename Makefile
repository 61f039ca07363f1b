# Two commands do all set-up on a fresh machine with Python 3.11+ and make:
#   make run   — the embedded demo (SQLite, sample portfolio, web chat)
#   make test  — ruff, mypy and every test (on SQLite, then on PostgreSQL when COBRANCA_TESTE_DB names a server);
#                the multi-process fault tests run as their own step (make test-processos)
#   make bench — the benchmark (not part of make test)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALADO := $(VENV)/.instalado
PROCESSOS := $(BIN)/python -m pytest -m processos

.PHONY: run test test-processos test-pg bench lint check diagram lock clean

$(INSTALADO): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(INSTALADO)

run: $(INSTALADO)
	$(BIN)/python -m bot demo

lint: $(INSTALADO)
	$(BIN)/ruff check bot tests scripts
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

test: lint
	$(BIN)/python -m bot check
	COBRANCA_TESTE_DB= $(BIN)/python -m pytest -m "not processos"
	COBRANCA_TESTE_DB= $(PROCESSOS)
ifneq ($(COBRANCA_TESTE_DB),)
	$(MAKE) test-pg
endif

# Several real `serve` processes under faults (SIGKILL, provider errors, a database restart): minutes, so a step
# of its own; on SQLite, or on the PostgreSQL server named by COBRANCA_TESTE_DB.
test-processos: $(INSTALADO)
	$(PROCESSOS)

# The whole suite again, each test on a fresh database of the PostgreSQL server named by COBRANCA_TESTE_DB,
# e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/postgres (.ci/run starts one and sets it).
test-pg: $(INSTALADO)
	@test -n "$(COBRANCA_TESTE_DB)" || { echo "test-pg: defina COBRANCA_TESTE_DB=postgresql+asyncpg://..." >&2; exit 1; }
	$(BIN)/python -m pytest -m "not processos"
	$(PROCESSOS)

# Throughput and latency figures for the README (several minutes; see scripts/bench.py --help).
bench: $(INSTALADO)
	$(BIN)/python scripts/bench.py

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
