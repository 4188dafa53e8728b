# ITA Tracker developer tasks.  make run | make test [ARGS="-k foo"] | make lint | make lock | make load [DB=sqlite] | make bench [ARGS=--quick] | make postgres | make clean
# Python is found by scripts/find-python (>= 3.12); override with make PYTHON=/path/to/python.
# PYTHON only matters when .venv is (re)created: make clean first to switch interpreters.

# VENV=path puts the environment elsewhere (for example to try a new lock beside the usual .venv).
VENV  ?= .venv
VPY   := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# axe-core, which the browser tests inject into each page (package.json pins it, package-lock.json its hash).
NODE_STAMP := node_modules/.installed
LOCK  := requirements.lock
ARGS  ?=
DB    ?= sqlite postgres

.PHONY: help run test suite lint lock test-dates load bench postgres system-deps venv node-deps clean FORCE
.DEFAULT_GOAL := help

help:
	@echo "make run       set up, load frameworks and demo data, serve on http://127.0.0.1:8000 (with the worker)"
	@echo "make test      lint, then run the tests (ARGS=\"-k foo\" passes options to pytest)"
	@echo "make lint      ruff check, ruff format --check and mypy (configured in pyproject.toml)"
	@echo "make lock      upgrade $(LOCK) to the newest versions pyproject.toml allows"
	@echo "make test-dates  run them on SQLite with the clock at other dates (TEST_DATES=\"2027-10-01T10:00 ...\")"
	@echo "make load      50 users for 60 s against gunicorn on SQLite, then PostgreSQL (DB=sqlite or DB=postgres for one)"
	@echo "make bench     the national benchmark at 10, 1,000 and 8,323 agencies: one table of figures beside their floors"
	@echo "make venv      only create .venv and install the project with its test extra"
	@echo "make postgres  start a local PostgreSQL and print its DATABASE_URL"
	@echo "make clean     remove .venv and db.sqlite3"

system-deps:
	@scripts/system-deps

venv: $(STAMP)

# A .venv left by an older Python (e.g. Debian 12's 3.11, where pip only offers
# Django 5.2) or whose interpreter is gone must be rebuilt whatever the stamp says.
ifneq ($(shell $(VPY) -c 'import sys; print(sys.version_info >= (3, 12))' 2>/dev/null),True)
$(STAMP): FORCE
endif

# Exact versions from the lock, checked against its hashes; the project itself without
# dependencies, so nothing unlocked comes in through it.
$(STAMP): pyproject.toml $(LOCK)
	@$(VPY) -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null || { \
	    py=$$(PYTHON="$(PYTHON)" scripts/find-python) && \
	    echo "Creating $(VENV) with $$py" && \
	    rm -rf $(VENV) && "$$py" -m venv $(VENV); }
	$(VPY) -m pip install -q --upgrade pip
	$(VPY) -m pip install -q --require-hashes -r $(LOCK)
	$(VPY) -m pip install -q --no-deps -e .
	@touch $@

node-deps: $(NODE_STAMP)

$(NODE_STAMP): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch $@

run: export DJANGO_DEBUG := 1
run: system-deps $(STAMP)
	$(VPY) manage.py migrate --noinput
	$(VPY) manage.py load_frameworks
	$(VPY) manage.py load_demo
	$(VPY) manage.py load_measure_templates
	@# The background worker builds the year-end bundles; it stops with the server.
	$(VPY) manage.py db_worker --interval 2 & worker=$$!; \
	    trap 'kill $$worker' EXIT INT TERM; \
	    $(VPY) manage.py runserver 127.0.0.1:8000

test: lint suite

# DATABASE_URL comes from the caller's environment (SQLite when unset).
# The browser tests print where their screenshots are: screenshots/ under pytest's base temporary
# folder (ARGS="--basetemp=artifacts/local" puts it in the repository once artifacts/ exists; .ci/run does so).
suite: $(STAMP)
	@scripts/system-deps --test
	@$(MAKE) --no-print-directory $(NODE_STAMP)
	$(VPY) -m pytest $(ARGS)

# The files mypy checks are listed in pyproject.toml ([tool.mypy] files).
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

# Re-resolves pyproject.toml (with the test extra) to the newest versions it allows, for every
# platform and Python >= 3.12, with hashes; the next make run/test installs them.
lock: $(STAMP)
	$(VPY) -m pip install -q uv
	$(VENV)/bin/uv pip compile pyproject.toml --extra test --universal --python-version 3.12 \
	    --generate-hashes --upgrade --quiet -o $(LOCK)

# The dated runs (scripts/test-dates): UTC times, Bangkok is 7 hours ahead. 24 December 2026:
# the first quarter of 2570 enters the reminder window; 1 October 2027: a new fiscal year;
# 28 February 2028 17:30 UTC: past midnight in Bangkok on a leap day while UTC is a day behind.
# The browser tests are left out: they drive Chromium, whose clock no Python pin moves, and pin their
# own day where the pages depend on it; so are the import-limit tests, which read hostile files in
# memory-capped subprocesses (a minute or more) and never look at the clock; and so are the modules
# that read source files or start-up settings only (layers, access rules, the CSP scan, production
# settings, error pages, the health URL), which have no date in them; and so are the modules whose
# every test stops the clock itself (`pytestmark = pinned(...)`, no module-scoped fixture), in which
# the dated runs' clock is never read (tests/test_dated_runs.py checks this list). The other modules
# are dealt out between the dates, each running at one of them.
TEST_DATES ?= 2026-12-24T10:00 2027-10-01T10:00 2028-02-28T17:30
UNDATED := test_browser test_browser_dates test_accessibility test_journeys test_import_limits test_layers test_access_rules test_csp test_production_settings \
           test_error_pages test_health test_dated_runs
PINNED := test_dashboard test_demo_measures test_locked_reports test_my_updates test_notifications test_people \
          test_progress_rule test_review_queue test_withdraw_measure test_pdf_typography test_reports_progress_period \
          test_docx test_reports_signoff

# Dealt out between the dates by scripts/test-dates: each module runs at one of them.
DATED = $(filter-out $(foreach module,$(UNDATED) $(PINNED),tests/$(module).py),$(sort $(wildcard tests/test_*.py)))

test-dates: $(STAMP)
	@scripts/system-deps --test
	@VENV=$(VENV) scripts/test-dates $(TEST_DATES) -- -q $(DATED) $(ARGS)

# A few minutes, in throw-away databases; fails on any server error or lost update.
load: system-deps $(STAMP)
	@case " $(DB) " in *" postgres "*) scripts/start-postgres >/dev/null ;; esac
	$(VPY) benchmarks/load.py $(DB)

# The national dataset (generate_demo) at each size in throw-away databases: SQLite, and PostgreSQL
# too when DATABASE_URL points to one. ARGS="--quick" for a tiny run, ARGS="--sizes 10,1000" for others.
bench: system-deps $(STAMP)
	$(VPY) benchmarks/bench.py $(ARGS)

postgres:
	@url=$$(scripts/start-postgres) && echo "PostgreSQL is up. Use it with:" && \
	    echo "  export DATABASE_URL=$$url"

clean:
	rm -rf $(VENV) db.sqlite3 node_modules

FORCE:
