"""`warehouse init` against a real PostgreSQL: layout, roles, privileges, idempotence."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from sinergi.warehouse.bootstrap import init_warehouse
from sinergi.warehouse.connection import WarehouseTarget, connect

pytestmark = pytest.mark.integration

META_TABLES = {"load_batches", "watermarks", "file_loads", "dq_results", "alerts"}
# The layout docs/ describe, written out here: not the module's own lists, which
# would pass whatever they held.
SCHEMAS = {"raw", "staging", "intermediate", "marts", "audit", "quarantine", "meta", "snapshots"}
ROLES = {"sinergi_loader", "sinergi_transformer", "sinergi_analyst"}


def _schemas(target: WarehouseTarget) -> set[str]:
    with connect(target) as conn:
        return {row[0] for row in conn.execute("select nspname from pg_namespace")}


def _as_role(target: WarehouseTarget, role: str, statement: str) -> None:
    with connect(target) as conn, conn.transaction():
        conn.execute(f"set local role {role}")
        conn.execute(statement)  # type: ignore[arg-type]


def test_init_twice_creates_the_layout_once(fresh_database: WarehouseTarget) -> None:
    init_warehouse(fresh_database)
    init_warehouse(fresh_database)

    assert _schemas(fresh_database) >= SCHEMAS
    with connect(fresh_database) as conn:
        roles = {row[0] for row in conn.execute("select rolname from pg_roles")}
        meta = {
            row[0]
            for row in conn.execute(
                "select table_name from information_schema.tables where table_schema = 'meta'"
            )
        }
        quarantine = conn.execute("select to_regclass('quarantine.records')").fetchone()
    assert roles >= ROLES
    assert meta >= META_TABLES
    assert quarantine == ("quarantine.records",)


def test_analyst_reads_marts_and_nothing_else(fresh_database: WarehouseTarget) -> None:
    init_warehouse(fresh_database)
    with connect(fresh_database) as conn:
        for schema in ("raw", "staging", "quarantine", "marts"):
            conn.execute(f"create table {schema}.probe (nip text, jp int)")  # type: ignore[arg-type]
            conn.execute(f"insert into {schema}.probe values ('199001012015011001', 20)")  # type: ignore[arg-type]

    _as_role(fresh_database, "sinergi_analyst", "select count(*) from marts.probe")
    for schema in ("raw", "staging", "quarantine", "meta"):
        table = "meta.load_batches" if schema == "meta" else f"{schema}.probe"
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            _as_role(fresh_database, "sinergi_analyst", f"select * from {table}")
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        _as_role(fresh_database, "sinergi_analyst", "insert into marts.probe values ('x', 1)")


def test_loader_writes_raw_and_transformer_reads_it(fresh_database: WarehouseTarget) -> None:
    init_warehouse(fresh_database)
    with connect(fresh_database) as conn:
        conn.execute("create table raw.probe (record jsonb)")
    _as_role(fresh_database, "sinergi_loader", """insert into raw.probe values ('{"a": 1}')""")
    _as_role(fresh_database, "sinergi_transformer", "select * from raw.probe")
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        _as_role(fresh_database, "sinergi_transformer", "insert into raw.probe values ('{}')")


def test_cli_init_creates_a_missing_database(fresh_database: WarehouseTarget) -> None:
    """The command users type, in a subprocess, against a database that does not exist yet."""
    sinergi = Path(sys.executable).with_name("sinergi")
    env = {**os.environ, "SINERGI_WAREHOUSE_URL": fresh_database.url}
    for _ in range(2):
        done = subprocess.run(
            [str(sinergi), "warehouse", "init"], env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
    assert fresh_database.dbname in done.stdout
    url = subprocess.run(
        [str(sinergi), "warehouse", "url"], env=env, capture_output=True, text=True, check=True
    )
    assert WarehouseTarget.from_url(url.stdout.strip()) == fresh_database
    assert "raw" in _schemas(fresh_database)
