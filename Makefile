# gonghui — two commands: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint e2e install migrate clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## install, migrate, load the demo and serve on http://127.0.0.1:8000
run: $(STAMP)
	$(BIN)/gonghui demo

migrate: $(STAMP)
	$(BIN)/gonghui migrate --noinput

## the whole test suite (browser tests run when /usr/bin/chromium is installed)
test: $(STAMP)
	$(BIN)/pytest -q

e2e: $(STAMP)
	$(BIN)/pytest -q tests/e2e

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) var build src/*.egg-info
