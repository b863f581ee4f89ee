# Two entry points: `make run` (install and start the demo hub) and `make test` (install and pass the tests).
VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON ?= python3
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run serve test lint check-services catalogs

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

run: $(VENV)/.installed
	$(VENV)/bin/hub demo --host $(HOST) --port $(PORT)

serve: $(VENV)/.installed
	$(VENV)/bin/hub serve --host $(HOST) --port $(PORT)

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

catalogs: $(VENV)/.installed
	$(PY) -m web.catalogs update
	$(PY) -m web.catalogs check

check-services:
	sh tests/ensure_services.sh

test: $(VENV)/.installed-test check-services lint
	$(PY) -m pytest
