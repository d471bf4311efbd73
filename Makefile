# Sinergi — the README's two commands are `make demo` and `make test`.
# Everything else here is what they are made of.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3.11
UV_VERSION := 0.13.9
STATE := .sinergi
TOOLS := $(STATE)/tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin

# uv must use this machine's Python 3.11, never download one.
export UV_PYTHON := $(PYTHON)
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(CURDIR)/$(VENV)
# Compile the packages' bytecode once at install: where PYTHONDONTWRITEBYTECODE
# is set (as on these machines) every process otherwise compiles what it
# imports, 8 of great_expectations' 15 s and 5 of airflow.sdk's 8 s.
export UV_COMPILE_BYTECODE := 1
export AIRFLOW_HOME := $(CURDIR)/$(STATE)/airflow
export AIRFLOW__COSMOS__ENABLE_TELEMETRY := False

.PHONY: help
help: ## Show the targets
	@grep -hE '^[a-z][a-z-]+:.*## ' $(MAKEFILE_LIST) | \
		awk 'BEGIN {FS = ":.*## "}; {printf "  make %-16s %s\n", $$1, $$2}'

$(UV):
	@command -v $(PYTHON) >/dev/null || { echo "Sinergi needs $(PYTHON) on PATH (set PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# packages/simulator: the dev tools' entry points (sinergi demo, simulate, dev)
$(VENV)/.synced: $(UV) uv.lock pyproject.toml packages/simulator/pyproject.toml
	$(UV) sync --locked --all-groups
	@touch $@

.PHONY: venv
venv: $(VENV)/.synced ## Create .venv from uv.lock

.PHONY: lock
lock: $(UV) ## Re-resolve uv.lock after editing pyproject.toml
	$(UV) lock

.PHONY: manifest
manifest: venv ## Parse the dbt project into the manifest the DAGs read the marts from
	$(BIN)/sinergi transform manifest

.PHONY: setup
setup: manifest ## Bootstrap the warehouse and the local Airflow home
	$(BIN)/sinergi warehouse init
	$(BIN)/sinergi airflow init

.PHONY: demo
SCALE ?= province
demo: setup ## Run the pipeline end to end under a running Airflow (SCALE=province|<ASN>)
	$(BIN)/sinergi demo --scale $(SCALE)

.PHONY: lint
lint: manifest ## ruff, import-linter (layers), sqlfluff, dbt-score (dbt metadata) and mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/sqlfluff lint plugins/sinergi/warehouse/sql
	@# dbt-score: the dbt project's metadata (descriptions, owners, ...), on the manifest just written
	$(BIN)/dbt-score lint --fail-project-under 9.5 --manifest \
		"$$($(BIN)/python -c 'from sinergi.transform.manifest import manifest_path; print(manifest_path())')"
	@# sqlfluff's dbt templater compiles the project, which needs the warehouse database.
	$(BIN)/sinergi warehouse init
	$(BIN)/sinergi transform lint
	$(BIN)/mypy

# The scheduler-driven suites (a running Airflow each) mostly wait on Airflow;
# the end-to-end suites (the demo twice, fault injection, publish history, a
# source added by following the README, the governance scorecard's planted
# world) are long; the rest are many short ones. make test runs the groups side
# by side, each with its own dbt target folder so concurrent dbt runs share no
# files, and prints the background groups' output when all are done.
TEST_GROUPS := scheduler end-to-end
TEST_GROUP_scheduler := tests/integration/orchestration
TEST_GROUP_end-to-end := tests/integration/test_demo_pipeline.py tests/integration/reliability \
	tests/integration/publish tests/integration/new_source tests/integration/governance
# The SQL-heavy suites (dbt's models case by case, the warehouse's security,
# the simulated world audited and published) run once, in a group of their own:
# on the machine's own PostgreSQL server (15 on Debian 12) when one answers at
# SYSTEM_PG_URL, with its own state folder for its Airflow configuration, else
# on the embedded one. Every other suite builds the whole dbt project on the
# embedded 16, the major version docker-compose.yml deploys.
SYSTEM_PG_URL ?= postgresql://postgres@127.0.0.1:5432/postgres
SQL_SUITES := tests/integration/transform tests/integration/security \
	tests/integration/quality/test_end_to_end.py
SQL_LOG := $(STATE)/logs/test-sql.log
# every group lists its slowest tests: the figures to rebalance the groups by
PYTEST_REPORT := -p no:cacheprovider --durations=12

.PHONY: browser
browser: ## Debian's headless Chromium, which the browser tests open pages in
	deploy/ensure-chromium.sh

.PHONY: test
test: lint browser ## Lint, then run every test (unit, DAG integrity, integration, scheduler-driven)
	@mkdir -p $(STATE)/logs
	@# The embedded PostgreSQL is stopped after the tests, whatever their result.
	status=0; pids=""; \
	$(foreach g,$(TEST_GROUPS),\
	DBT_TARGET_PATH=$(CURDIR)/$(STATE)/dbt-target-$(g) DBT_LOG_PATH=$(CURDIR)/$(STATE)/logs/dbt-$(g) \
		$(BIN)/pytest $(TEST_GROUP_$(g)) $(PYTEST_REPORT) > $(STATE)/logs/test-$(g).log 2>&1 & \
	pids="$$pids $$!";) \
	sql_env=""; \
	if server=$$($(BIN)/python -c "import psycopg; \
		print(psycopg.connect('$(SYSTEM_PG_URL)', connect_timeout=3).info.parameter_status('server_version'))" \
		2>/dev/null); then \
		echo "on PostgreSQL $$server at $(SYSTEM_PG_URL)" > $(SQL_LOG); \
		sql_env="SINERGI_STATE_DIR=$(CURDIR)/$(STATE)/system-postgres"; \
		sql_env="$$sql_env SINERGI_WAREHOUSE_URL=$(SYSTEM_PG_URL:/postgres=/sinergi_system_pg)"; \
	else echo "on the embedded PostgreSQL (none answers at $(SYSTEM_PG_URL))" > $(SQL_LOG); fi; \
	env $$sql_env DBT_TARGET_PATH=$(CURDIR)/$(STATE)/dbt-target-sql \
		DBT_LOG_PATH=$(CURDIR)/$(STATE)/logs/dbt-sql \
		$(BIN)/pytest $(SQL_SUITES) $(PYTEST_REPORT) >> $(SQL_LOG) 2>&1 & \
	pids="$$pids $$!"; \
	$(BIN)/pytest $(foreach g,$(TEST_GROUPS),$(addprefix --ignore=,$(TEST_GROUP_$(g)))) \
		$(addprefix --ignore=,$(SQL_SUITES)) $(PYTEST_REPORT) \
		|| status=$$?; \
	for pid in $$pids; do wait $$pid || status=$$?; done; \
	$(foreach g,$(TEST_GROUPS),echo "== $(g) suites: $(TEST_GROUP_$(g)) =="; \
		cat $(STATE)/logs/test-$(g).log;) \
	echo "== SQL suites: $(SQL_SUITES) =="; cat $(SQL_LOG); \
	$(BIN)/sinergi warehouse stop; exit $$status

.PHONY: bench-simulator
bench-simulator: venv ## Benchmark: simulator rows/s and peak memory at 100k and 1M ASN
	$(BIN)/python benchmarks/bench_simulator.py

.PHONY: bench-ingest
bench-ingest: venv ## Benchmark: Sinergi ingest vs dlt vs psql \copy (1M participations)
	$(BIN)/python benchmarks/bench_ingest.py

.PHONY: bench-dbt
bench-dbt: manifest ## Benchmark: dbt build seconds, full refresh vs incremental
	$(BIN)/python benchmarks/bench_dbt.py

.PHONY: bench-latency
bench-latency: manifest ## Benchmark: file drop to published marts, event to ingest, on a running scheduler
	$(BIN)/python benchmarks/bench_latency.py

.PHONY: bench-national
bench-national: manifest ## Benchmark: the nightly pipeline at national scale (ASN=4300000), full and a day's increment
	$(BIN)/python benchmarks/bench_national.py --asn $(or $(ASN),4300000)

.PHONY: bench-file-drops
bench-file-drops: venv ## Benchmark: a landing sweep of ~2,000 regional files, files/s and rows/s
	$(BIN)/python benchmarks/bench_file_drops.py

.PHONY: docs
docs: setup ## Generate the dbt docs site (dbt_project/target/index.html)
	$(BIN)/sinergi transform docs

.PHONY: format
format: venv ## Apply ruff's formatting and fixes
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

.PHONY: stop
stop: ## Stop the local Airflow and the embedded PostgreSQL
	@if [ -x $(BIN)/sinergi ]; then $(BIN)/sinergi airflow down; $(BIN)/sinergi warehouse stop; fi

.PHONY: clean
clean: stop ## Remove local state (.sinergi) and the virtualenv
	rm -rf $(STATE) $(VENV)
