# One command to run the app with demo data, one to run every test. `make help` lists targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
HOST ?= 127.0.0.1
PORT ?= 5000

.DEFAULT_GOAL := help
.PHONY: help run test test-fast lint fmt typecheck bench migrate seed chromium axe validator infra-lint load clean lock translations
VALIDATOR := .venv-validator
INFRA := .venv-infra
LOAD := .venv-load
AXE := .node-axe
AXE_VERSION := 4.14.1

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed-dev: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install -q -c constraints.txt -e '.[dev]'
	touch $@

lock: $(VENV)/.installed-dev ## pin what the venv resolved (after changing pyproject.toml) in constraints.txt
	@{ echo "# Exact versions the test suite ran with (pip constraints, used by make for .venv)."; \
	   echo "# Regenerate after changing pyproject.toml: make lock"; \
	   $(BIN)/pip freeze --exclude-editable | grep -v '^-e'; } > constraints.txt

# English and Spanish (app/i18n.py). Catalogues: app/translations/<lang>/LC_MESSAGES/messages.po,
# compiled to .mo (not committed) before the app runs or is tested.
CATALOGUES := $(wildcard app/translations/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGUES:.po=.mo)

%.mo: %.po $(VENV)/.installed-dev
	$(BIN)/pybabel compile -i $< -o $@ -f --statistics

translations: $(VENV)/.installed-dev ## after marking strings with _(): extract them into every catalogue (then translate the new msgstr "")
	$(BIN)/pybabel extract -F babel.cfg -k _l -o $(VENV)/messages.pot --no-location --sort-output --project microcred .
	$(BIN)/pybabel update -i $(VENV)/messages.pot -d app/translations --no-wrap --no-fuzzy-matching --ignore-obsolete
	$(MAKE) $(COMPILED)

# Links and badge ids name the address the app is served on (PUBLIC_BASE_URL wins if set).
BASE_URL = $(or $(PUBLIC_BASE_URL),http://$(HOST):$(PORT))

run: $(VENV)/.installed-dev $(COMPILED) ## set up, migrate, seed demo data and serve on http://127.0.0.1:5000 (SQLite; PORT=, HOST=)
	$(FLASK) db upgrade
	PUBLIC_BASE_URL=$(BASE_URL) $(FLASK) seed-demo
	PUBLIC_BASE_URL=$(BASE_URL) $(FLASK) run --host $(HOST) --port $(PORT)

migrate: $(VENV)/.installed-dev ## apply database migrations (DATABASE_URL or the SQLite default)
	$(FLASK) db upgrade

seed: migrate ## create the demo issuer, credentials, district and accounts (idempotent)
	$(FLASK) seed-demo

chromium: ## install Debian's chromium for the browser tests (needs root or sudo)
	@command -v chromium >/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; }

# axe-core (the accessibility rules engine the browser tests inject into each page), pinned,
# from npm into a folder of its own; tests/browser.py reads $(AXE)/node_modules/axe-core/axe.min.js.
axe: $(AXE)/.installed-$(AXE_VERSION) ## axe-core from npm for the accessibility browser tests (needs node and npm)

$(AXE)/.installed-$(AXE_VERSION):
	@command -v npm >/dev/null || { echo "npm is needed for axe-core: apt-get install npm"; exit 1; }
	npm install --prefix $(AXE) --no-audit --no-fund --save-exact axe-core@$(AXE_VERSION)
	touch $@

validator: $(VALIDATOR)/.installed ## the 1EdTech Open Badges 2.0 reference validator, in a venv of its own

# The reference validator (PyPI openbadges 1.1.2) pins 2017-era packages. Its pinned
# pycryptodome 3.6.6 has Python 2 syntax that 3.11 cannot compile, so a current pycryptodome
# replaces it; tests/validator/run_validator.py gives the pinned python-jose and pytz the
# `collections` names they import. Its own venv, because it pins Click 6 (Flask 3 needs 8).
$(VALIDATOR)/.installed:
	$(PYTHON) -m venv $(VALIDATOR)
	$(VALIDATOR)/bin/pip install -q --upgrade pip
	$(VALIDATOR)/bin/pip install -q openbadges==1.1.2
	$(VALIDATOR)/bin/pip install -q --upgrade "pycryptodome>=3.19" 2>&1 | grep -v "dependency conflicts\|openbadges 1.1.2 requires\|resolver does not" || true
	$(VALIDATOR)/bin/python tests/validator/run_validator.py --check
	touch $@

# cfn-lint and checkov pin many packages of their own: a venv of their own too.
$(INFRA)/.installed:
	$(PYTHON) -m venv $(INFRA)
	$(INFRA)/bin/pip install -q --upgrade pip
	$(INFRA)/bin/pip install -q "cfn-lint>=1.20" "checkov>=3.2"
	touch $@

infra-lint: $(INFRA)/.installed ## cfn-lint and checkov on infra/ (CloudFormation, Dockerfile)
	$(INFRA)/bin/cfn-lint infra/aws/*.yaml
	$(INFRA)/bin/checkov -d infra --framework cloudformation dockerfile --compact --quiet --skip-download

# locust (and gevent) stay out of the app's venv too.
$(LOAD)/.installed:
	$(PYTHON) -m venv $(LOAD)
	$(LOAD)/bin/pip install -q --upgrade pip
	$(LOAD)/bin/pip install -q "locust>=2.30"
	touch $@

load: $(VENV)/.installed-dev $(LOAD)/.installed ## two gunicorn instances under locust for 30 s: throughput, p50/p99, errors (PostgreSQL)
	$(BIN)/python tests/load/run_load.py

lint: $(VENV)/.installed-dev ## ruff lint and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.installed-dev ## mypy on the whole project (strict on badges/ and app/; see [tool.mypy])
	$(BIN)/mypy

fmt: $(VENV)/.installed-dev ## format and autofix
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: $(VENV)/.installed-dev $(COMPILED) $(LOAD)/.installed chromium axe validator lint infra-lint typecheck ## lint, type-check and run the whole suite (SQLite; PostgreSQL when DATABASE_URL is set)
	$(BIN)/pytest

test-fast: $(VENV)/.installed-dev $(COMPILED) ## the suite without lint and browser set-up
	$(BIN)/pytest -x -q

bench: $(VENV)/.installed-dev ## benchmarks: print figures against a baseline measured in the same run
	$(BIN)/python tests/bench/bench_badges.py
	$(BIN)/python tests/bench/bench_verify.py
	$(BIN)/python tests/bench/bench_upload.py
	$(BIN)/python tests/bench/bench_routing.py
	$(BIN)/python tests/bench/bench_credit.py
	$(BIN)/python tests/bench/bench_lists.py
	$(BIN)/python tests/bench/bench_recommendations.py
	$(BIN)/python tests/bench/bench_bulk.py
	$(BIN)/python tests/bench/bench_http.py

clean: ## remove the virtualenv and local data
	rm -rf $(VENV) $(VALIDATOR) $(INFRA) $(LOAD) instance .pytest_cache .mypy_cache .ruff_cache
