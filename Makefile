# Quick start: `make demo` and `make test` on a fresh machine (they create .venv themselves).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck bench schema clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev,eval]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/mammocalc demo --out demo-output

test: $(STAMP)
	$(BIN)/python -m pytest -q -n 2 --dist loadfile

lint: $(STAMP)
	$(BIN)/ruff check src tests scripts
	$(BIN)/ruff format --check src tests scripts
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python scripts/make_bench.py

schema: $(STAMP)
	$(BIN)/python -m mammocalc.report.schema docs/report.schema.json

clean:
	rm -rf $(VENV) demo-output .pytest_cache .mypy_cache .ruff_cache
