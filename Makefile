# The two commands a new user runs (README.md): `make demo` and `make test`.
# Everything installs into .venv from pyproject.toml; nothing depends on what the machine has.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test fuzz lint typecheck unit check-generated install install-test clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

demo: install
	$(BIN)/reec check examples/01-dy-oxide-from-china.yaml
	$(BIN)/reec check examples/02-motor-with-tb-magnets-to-defence.yaml --as-of 2026-11-20

lint: install-test
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports

typecheck: install-test
	$(BIN)/mypy
	$(BIN)/mypy --explicit-package-bases tests

# Generated docs match the data and code they are generated from.
check-generated: install-test
	$(BIN)/reec coverage --check
	$(BIN)/reec docs settings --check
	$(BIN)/reec docs trace --check

# Two pytest-xdist workers: CI has 2 cores, and the suite keeps both busy (tests/conftest.py
# gives each worker its own PostgreSQL database).
unit: install-test check-generated
	scripts/test-env.sh $(BIN)/pytest -n 2

test: lint typecheck unit

# A deeper schemathesis run than the default suite's (200 random examples per operation).
fuzz: install-test
	REEC_FUZZ_EXAMPLES=200 scripts/test-env.sh $(BIN)/pytest tests/api/test_api_fuzz.py

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
