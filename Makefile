# Everything installs itself: a fresh machine needs only Python 3.11+.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Two installed sets, each with its stamp: `local` (the runtime requirements and the local stack's:
# what `make serve` needs) and `dev` (local, plus the tests, linters, fuzzer and mutmut). The dev install
# touches both stamps; the local one only its own, so `make test` after `make serve` still installs dev.
STAMP := $(VENV)/.installed
LOCAL_STAMP := $(VENV)/.installed-local
# uv (from PyPI, into the venv) installs in seconds what pip takes a minute and a half for.
UV := $(BIN)/uv
UV_INSTALL := $(UV) pip install --quiet --python $(BIN)/python
PORT ?= 3000

.PHONY: install serve test lint unit bench fuzz mutate mutate-report build deploy clean browser

$(UV):
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet uv

$(LOCAL_STAMP): pyproject.toml layers/requirements.txt | $(UV)
	$(UV_INSTALL) -e '.[local]'
	touch $(LOCAL_STAMP)

$(STAMP): pyproject.toml layers/requirements.txt | $(UV)
	$(UV_INSTALL) -e '.[dev]'
	# RingCloud's own client, the oracle of the fake RingCloud (tests only): its 2015 setup.py imports
	# requests, so it is built in the venv, where the dev set has put requests, setuptools and wheel.
	$(UV_INSTALL) --no-build-isolation ringcloud-pyapi==0.1.4
	touch $(STAMP) $(LOCAL_STAMP)

install: $(STAMP)

serve: $(LOCAL_STAMP)
	PORT=$(PORT) $(BIN)/ringbridge serve

# checkov, the IaC security scanner, in a venv of its own: it pins boto3 and packaging<24, which the dev set's
# pytest and wheel cannot share. Each rule that does not fit is skipped in its resource's Metadata, with why.
CHECKOV_VERSION := 3.3.30
CHECKOV_VENV := .venv-checkov
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed

# After the Makefile: a new CHECKOV_VERSION installs again.
$(CHECKOV_STAMP): Makefile | $(UV)
	test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	$(UV) pip install --quiet --python $(CHECKOV_VENV)/bin/python checkov==$(CHECKOV_VERSION)
	touch $(CHECKOV_STAMP)

lint: $(STAMP) $(CHECKOV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/cfn-lint template.yaml
	$(CHECKOV_VENV)/bin/checkov --file template.yaml --framework cloudformation --skip-download --quiet --compact
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

# sam build, the artifact's test and the bench need a python3.13 on PATH (pyenv's, where there is one):
# the layers/ and functions/ Makefiles compile the artifact's bytecode with Lambda's Python version.
PY313 := $(shell pyenv prefix 3.13 2>/dev/null || pyenv prefix 3.13.0 2>/dev/null)
WITH_PY313 := PATH="$(if $(PY313),$(PY313)/bin:)$$PATH"

test: lint
	$(WITH_PY313) $(BIN)/pytest --ignore=tests/browser -n auto
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

# Mutation testing of the modules listed in pyproject.toml's [tool.mutmut] (slow; not part of `make test`), one
# group at a time, each with its own tests (tests/mutation/groups.py), in .mutate/<group>/. GROUPS picks groups,
# e.g. make mutate GROUPS='retry settings'; MUTANTS picks mutants by name within them, e.g.
# make mutate MUTANTS='ringbridge.auth.*'; MUTATE_CHILDREN is mutmut's --max-children (its default: one per core).
# `make mutate-report` prints the per-module table of docs/testing.md, with the survivors' verdicts of VERDICTS
# (by default tests/mutation/verdicts.md: each examined survivor, killed by which test or equivalent and why).
VERDICTS ?= tests/mutation/verdicts.md
mutate: $(STAMP)
	$(BIN)/python -m tests.mutation run $(if $(GROUPS),--groups '$(GROUPS)') $(if $(MUTATE_CHILDREN),--max-children $(MUTATE_CHILDREN)) $(MUTANTS)

mutate-report: $(STAMP)
	$(BIN)/python -m tests.mutation report $(if $(GROUPS),--groups '$(GROUPS)') $(if $(VERDICTS),--verdicts $(VERDICTS))

# The SAM CLI in its own venv.
SAM_VENV := .venv-sam
build:
	test -x $(SAM_VENV)/bin/sam || ($(PYTHON) -m venv $(SAM_VENV) && $(SAM_VENV)/bin/pip install --quiet aws-sam-cli)
	SAM_CLI_TELEMETRY=0 $(WITH_PY313) $(SAM_VENV)/bin/sam build

# The first deployment asks for the region and the parameters (--guided) and saves them in samconfig.toml;
# once it holds a region, every later one deploys with what it remembers.
SAMCONFIG := samconfig.toml
DEPLOY_FLAGS = $(if $(shell grep -Es '^[[:space:]]*region[[:space:]]*=' $(SAMCONFIG)),,--guided)
deploy: build
	SAM_CLI_TELEMETRY=0 $(SAM_VENV)/bin/sam deploy $(DEPLOY_FLAGS)

clean:
	rm -rf $(VENV) $(SAM_VENV) $(CHECKOV_VENV) .aws-sam .pytest_cache .ruff_cache .mutate
