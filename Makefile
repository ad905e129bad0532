# Everything installs itself: a fresh machine needs only Python 3.11+.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 3000

.PHONY: install serve test lint unit bench fuzz mutate build clean browser

$(STAMP): pyproject.toml layers/requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

serve: $(STAMP)
	PORT=$(PORT) $(BIN)/ringbridge serve

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/cfn-lint template.yaml
	$(BIN)/mypy

# sam build, the artifact's test and the bench need a python3.13 on PATH (pyenv's, where there is one):
# the layers/ and functions/ Makefiles compile the artifact's bytecode with Lambda's Python version.
PY313 := $(shell pyenv prefix 3.13 2>/dev/null || pyenv prefix 3.13.0 2>/dev/null)
WITH_PY313 := PATH="$(if $(PY313),$(PY313)/bin:)$$PATH"

test: lint
	$(WITH_PY313) $(BIN)/pytest --ignore=tests/browser
	$(MAKE) fuzz
	$(MAKE) browser

# schemathesis over the local stack's /openapi.json (rw and ro tokens); about 4 minutes. See tests/fuzz.py.
fuzz: $(STAMP)
	$(BIN)/python -m tests.fuzz

# Web pages in a real headless Chromium: Debian's chromium at /usr/bin/chromium (.ci/run installs it).
browser: $(STAMP)
	$(BIN)/pytest tests/browser

bench: $(STAMP)
	$(WITH_PY313) $(BIN)/python -m tests.bench

# Mutation testing of the modules listed in pyproject.toml's [tool.mutmut] (slow; not part of `make test`).
# MUTANTS picks some by name, e.g. make mutate MUTANTS='ringbridge.auth.*'; the score is in README.md.
MUTATE_DIR := .mutate
mutate: $(STAMP)
	mkdir -p $(MUTATE_DIR)
	cd $(MUTATE_DIR) && ln -sfn ../layers src && for f in pyproject.toml tests functions events template.yaml; do ln -sfn ../$$f $$f; done
	cd $(MUTATE_DIR) && PATH=$(abspath $(BIN)):$$PATH MYPYPATH=src ../$(BIN)/mutmut run $(MUTANTS) && ../$(BIN)/mutmut results

# The SAM CLI in its own venv.
SAM_VENV := .venv-sam
build:
	test -x $(SAM_VENV)/bin/sam || ($(PYTHON) -m venv $(SAM_VENV) && $(SAM_VENV)/bin/pip install --quiet aws-sam-cli)
	SAM_CLI_TELEMETRY=0 $(WITH_PY313) $(SAM_VENV)/bin/sam build

clean:
	rm -rf $(VENV) $(SAM_VENV) .aws-sam .pytest_cache .ruff_cache .mutate
