# Lantian Registry — two commands on a fresh Debian machine: `make run` and `make test`.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
FLASK := FLASK_APP=wsgi $(VENV)/bin/flask
PYTEST := $(VENV)/bin/pytest
HOST ?= 127.0.0.1
PORT ?= 5000
# The suites that touch the database run twice: SQLite file, then a throwaway PostgreSQL.
DB_SUITES ?= $(wildcard tests/integration tests/api tests/web)

.PHONY: run test test-fast install system-deps translations migrate seed bench load clean lint lock

# requirements.txt pins the direct dependencies; constraints.txt (scripts/lock.sh) locks every transitive one.
$(VENV)/.installed: requirements.txt constraints.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt -c constraints.txt
	touch $@

install: $(VENV)/.installed translations

translations: $(VENV)/.installed
	@$(VENV)/bin/pybabel compile -d registry/translations >/dev/null

# PostgreSQL, Chromium, CJK fonts (sans for pages, serif for notices) and WeasyPrint's Pango from Debian
# packages, only when missing.
system-deps:
	@missing=""; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || missing="$$missing fonts-noto-cjk"; \
	fc-list 2>/dev/null | grep -qi "Noto Serif CJK" || missing="$$missing fonts-noto-cjk"; \
	/sbin/ldconfig -p 2>/dev/null | grep -q "libpangoft2-1.0.so.0" || missing="$$missing libpango-1.0-0 libpangoft2-1.0-0"; \
	/sbin/ldconfig -p 2>/dev/null | grep -q "libharfbuzz-subset.so.0" || missing="$$missing libharfbuzz-subset0"; \
	if [ -n "$$missing" ]; then \
	  echo "installing system packages:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

migrate: install
	$(FLASK) db upgrade

seed: migrate
	$(FLASK) seed

run: seed
	@echo "Lantian Registry at http://$(HOST):$(PORT)/  (Ctrl-C to stop)"
	$(FLASK) run --host $(HOST) --port $(PORT)

# Both passes at once, one per core (TEST_PASSES=serial: one after the other). Each pass writes its own log,
# shown live with a [sqlite]/[postgresql] prefix; the target fails if either pass fails.
TEST_PASSES ?= parallel
test: install system-deps
	@echo "=== static checks (make lint) ==="
	@$(MAKE) --no-print-directory lint
	@echo "=== test suite on SQLite (file database) | database suites on PostgreSQL (throwaway cluster) ==="
	@pgdir=$$(mktemp -d)/pg; \
	url=$$(scripts/pg_throwaway.sh start $$pgdir) || exit 1; \
	trap "scripts/pg_throwaway.sh stop $$pgdir" EXIT; \
	logs=$$(dirname $$pgdir); \
	sqlite_pass() { $(PYTEST) -q -p no:cacheprovider 2>&1 | tee $$logs/sqlite.log | sed -u 's/^/[sqlite] /'; \
	                return $${PIPESTATUS[0]}; }; \
	pg_pass() { TEST_DATABASE_URL=$$url $(PYTEST) -q -p no:cacheprovider $(DB_SUITES) 2>&1 | tee $$logs/postgresql.log \
	            | sed -u 's/^/[postgresql] /'; return $${PIPESTATUS[0]}; }; \
	if [ "$(TEST_PASSES)" = serial ]; then sqlite_pass; sq=$$?; pg_pass; pg=$$?; \
	else sqlite_pass & sqlite=$$!; pg_pass; pg=$$?; wait $$sqlite; sq=$$?; fi; \
	echo "=== SQLite pass: exit $$sq; PostgreSQL pass: exit $$pg ==="; \
	$(PY) scripts/test_summary.py $$logs/sqlite.log $$logs/postgresql.log; \
	[ $$sq = 0 ] && [ $$pg = 0 ]

# The inner loop (issue 15 §6), under 2 minutes: no PostgreSQL, no Chromium, nothing marked slow (pytest.ini);
# unit tests, the scenarios, the authorization matrix's one-actor-per-route sample and a few quick database suites.
FAST_SUITES ?= tests/unit tests/scenarios tests/api/test_authorization_matrix.py tests/api/test_auth_api.py \
	tests/api/test_validation_api.py tests/integration/test_registration_workflow.py tests/integration/test_accounts.py \
	tests/integration/test_pages.py tests/integration/security/test_authentication.py \
	tests/integration/security/test_admin_roles.py tests/integration/grades/test_approval_levels.py \
	tests/integration/emergency/test_totals.py tests/integration/exchange/test_row_problems.py \
	tests/integration/test_rollback_isolation.py
test-fast: install
	$(PYTEST) -q -p no:cacheprovider -m "not slow and not web" $(FAST_SUITES)

# Static checks (issue 9), run first by `make test`: ruff with the bandit (S) rules, then bandit itself
# (any finding fails; config in pyproject.toml), then the import contracts (lint-imports), then every requirement pinned with == and agreeing with the lock.
lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/bandit -q -c pyproject.toml -r registry grading config.py
	$(VENV)/bin/lint-imports --no-cache  # the layer contracts, [tool.importlinter] in pyproject.toml (issue 15 item 4)
	@scripts/lock.sh check

# Regenerate constraints.txt from the venv after adding a package (the integrator runs this last).
lock:
	scripts/lock.sh

bench: install
	$(PY) bench/evaluate.py

# Load test (issue 9 §8): gunicorn + throwaway PostgreSQL + synthetic province, 200 people, figures to bench/results/load-*.
# Its short form (20 people, 30 s, fails only on errors) runs inside `make test` as tests/load/test_load_smoke.py.
load: install system-deps
	$(PY) bench/load/run.py --users 200 --duration 300 --scale 1.0

clean:
	rm -rf $(VENV) instance .pytest_cache
