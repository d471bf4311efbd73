"""Shared fixtures: a real warehouse (embedded or SINERGI_WAREHOUSE_URL) and Airflow."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from committed_expectations import copy_to
from psycopg import sql

from sinergi.orchestration.airflow_home import (
    METADATA_DB_VARIABLE,
    PORT_VARIABLE,
    configure_environment,
    migrate_metadata_db,
)
from sinergi.paths import state_dir
from sinergi.quality.config import EXPECTATIONS_DIR_VARIABLE
from sinergi.transform.manifest import dbt_project_dir, manifest_path
from sinergi.warehouse import embedded
from sinergi.warehouse.connection import WarehouseTarget, resolve_target

# The tests' Airflow has its own home, metadata database and port, so their
# runs never mix with the demo's or an operator's. Airflow reads its
# configuration at import: point it there first.
os.environ["AIRFLOW_HOME"] = str(state_dir() / "airflow-tests")
os.environ[METADATA_DB_VARIABLE] = "airflow_tests"
os.environ[PORT_VARIABLE] = "28090"
# Run reports the tests' runs write stay out of the operator's `.sinergi/reports`.
os.environ.setdefault("SINERGI_REPORTS_DIR", str(state_dir() / "reports-tests"))
# dbt's output too (`make test` gives each group its own): never the repository's
# dbt_project/target.
os.environ.setdefault("DBT_TARGET_PATH", str(state_dir() / "dbt-target-tests"))
os.environ.setdefault("DBT_LOG_PATH", str(state_dir() / "logs" / "dbt-tests"))
configure_environment()


def _seed_manifest() -> None:
    """The DAGs read the marts (their Assets) from the manifest in the tests' target
    folder: start it from the project's parse (`make test` runs `sinergi transform
    manifest` first) until a test's own dbt run rewrites it."""
    ours = manifest_path()
    project = dbt_project_dir() / "target" / "manifest.json"
    if not ours.exists() and project.exists():
        ours.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(project, ours)


_seed_manifest()


@pytest.fixture(scope="session")
def warehouse_server() -> Iterator[WarehouseTarget]:
    """The PostgreSQL server the tests use; an embedded one started here is stopped after."""
    was_running = embedded.is_running()
    target = resolve_target()
    yield target
    if not was_running:
        embedded.stop()


@pytest.fixture
def fresh_database(warehouse_server: WarehouseTarget) -> Iterator[WarehouseTarget]:
    """A database of its own for one test, dropped afterwards."""
    target = warehouse_server.with_database(f"sinergi_test_{uuid.uuid4().hex[:12]}")
    yield target
    with psycopg.connect(target.with_database("postgres").conninfo, autocommit=True) as conn:
        conn.execute(
            sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(target.dbname))
        )


@pytest.fixture(scope="session")
def airflow_db() -> None:
    """Airflow's metadata database, migrated once per session."""
    migrate_metadata_db()


@pytest.fixture
def committed_expectations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The committed GX context as is, copied out of the repository."""
    root = copy_to(tmp_path / "expectations")
    monkeypatch.setenv(EXPECTATIONS_DIR_VARIABLE, str(root))
    return root
