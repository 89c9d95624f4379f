# Territoires — the single entry point: `make run` and `make test` (see README.md).
SHELL := /bin/bash
.DEFAULT_GOAL := help

PORT ?= 8000
export TERRITOIRES_DATA_DIR ?= $(CURDIR)/var
PYENV_ROOT ?= $(HOME)/.pyenv
UV_VERSION := 0.13.9
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv

# python3.13 or python3.12 from PATH, else from pyenv's versions folder.
PYTHON ?= $(shell for v in 3.13 3.12; do \
	  p=$$(command -v python$$v 2>/dev/null) && $$p -c '' 2>/dev/null && { echo $$p; exit; }; \
	  for c in $(PYENV_ROOT)/versions/$$v*/bin/python$$v; do [ -x "$$c" ] && { echo $$c; exit; }; done; \
	done)

.PHONY: help install install-test run test test-sqlite test-postgres test-deps lock bench clean

help:
	@echo "make run      installe, prépare la base SQLite et lance la plateforme sur http://127.0.0.1:$(PORT)"
	@echo "make test     lance toute la suite sur SQLite puis sur PostgreSQL"
	@echo "make install  crée .venv avec le paquet et la commande territoires"

$(PY):
	@test -n "$(PYTHON)" || { echo "Python 3.13 ou 3.12 introuvable (PATH ou pyenv)."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q uv==$(UV_VERSION)

$(VENV)/.installed: $(PY) requirements/base.txt pyproject.toml
	$(UV) pip install -q --python $(PY) -r requirements/base.txt
	$(UV) pip install -q --python $(PY) --no-deps -e .
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed requirements/test.txt
	$(UV) pip install -q --python $(PY) -r requirements/test.txt
	@touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test test-deps

# Debian packages and npm modules the tests drive, installed if missing:
# Chromium (browser tests), node (OpenID provider), poppler's pdfsig (an
# independent check of our PDF signatures), dovecot (a real IMAP server for
# the ministry's return mailbox).
test-deps:
	@command -v pdfsig >/dev/null || { echo "Installation de poppler-utils (Debian)…"; \
	  apt-get update -qq && apt-get install -y -qq poppler-utils >/dev/null; }
	@command -v dovecot >/dev/null || { echo "Installation de dovecot (Debian)…"; \
	  apt-get update -qq && apt-get install -y -qq dovecot-imapd >/dev/null; }
	@command -v chromium >/dev/null || { echo "Installation de chromium (Debian)…"; \
	  apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }
	@command -v node >/dev/null || { apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null; }
	@[ -d tests/oidc_provider/node_modules ] || (cd tests/oidc_provider && npm ci --silent --no-audit --no-fund)
	@[ -d tests/browser/node_modules ] || (cd tests/browser && npm ci --silent --no-audit --no-fund)

run: install
	$(VENV)/bin/territoires demo-setup
	$(VENV)/bin/territoires embedded --port $(PORT)

test: install-test
	@$(MAKE) --no-print-directory test-sqlite
	@$(MAKE) --no-print-directory test-postgres

test-sqlite:
	@echo "=== Suite complète sur SQLite ==="
	env -u DATABASE_URL $(VENV)/bin/pytest $(PYTEST_ARGS)

# PostgreSQL from DATABASE_URL, else 127.0.0.1:5432 when it answers.
test-postgres:
	@url="$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"; \
	if $(PY) -m territoires.config.pgcheck "$$url"; then \
	  echo "=== Suite complète sur PostgreSQL ($$url) ==="; \
	  DATABASE_URL="$$url" $(VENV)/bin/pytest $(PYTEST_ARGS); \
	else \
	  echo "PostgreSQL injoignable ($$url) : la suite n'a PAS été lancée sur PostgreSQL."; \
	  [ -z "$$REQUIRE_POSTGRES" ] || exit 1; \
	fi

lock: $(PY)
	$(UV) pip compile -q pyproject.toml --universal --python-version 3.12 -o requirements/base.txt
	$(UV) pip compile -q pyproject.toml --universal --python-version 3.12 --extra test -o requirements/test.txt

bench: install-test
	$(PY) bench/pages.py
	$(PY) bench/actes.py
	$(PY) bench/notices.py

clean:
	rm -rf $(VENV) var/*.sqlite3 tests/oidc_provider/node_modules tests/browser/node_modules
