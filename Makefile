# Tocsin: the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Re-install only when the declared dependencies change.
STAMP_RUN := $(VENV)/.installed-run
STAMP_DEV := $(VENV)/.installed-dev
TEST_WORKERS ?= auto

.PHONY: install run test lint typecheck unit bench eval clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Tocsin needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP_RUN): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(STAMP_DEV): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@ $(STAMP_RUN)

# Installs Tocsin into .venv (the command line is then .venv/bin/tocsin), runs nothing.
install: $(STAMP_RUN)

run: $(STAMP_RUN)
	$(BIN)/python -m bot run

lint: $(STAMP_DEV)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP_DEV)
	$(BIN)/mypy

# One test worker per core (`make test TEST_WORKERS=0` runs them all in one process); a file's
# tests stay on one worker, so its module fixtures are built once.
unit: $(STAMP_DEV)
	$(BIN)/pytest -q -n $(TEST_WORKERS) --dist loadfile

test: lint typecheck unit

bench: $(STAMP_DEV)
	$(BIN)/python bench/detect.py
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/fanout.py

eval: $(STAMP_RUN)
	$(BIN)/python -m bot eval

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
