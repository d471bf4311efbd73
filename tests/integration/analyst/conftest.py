"""The analyst's view, tested on a small published world.

The dbt tests' handwritten world (`transform_raw`, `transform_handwritten`:
Jawa Timur, Kalimantan Tengah, Papua Pegunungan, Kemendagri; 2023 and
2024) is loaded, built by real dbt and published by the real publisher,
once for the whole folder: every test here only reads it (or works in a
role of its own).
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "transform"))

from committed_expectations import copy_to
from server_roles import drop_roles
from transform_handwritten import FIRST_BATCH, SECOND_BATCH
from transform_raw import create_raw_tables, load_batch

from sinergi.publish.publisher import audited_marts, publish
from sinergi.quality.config import EXPECTATIONS_DIR_VARIABLE
from sinergi.quality.results import RunSummary
from sinergi.transform.dbt import run_dbt
from sinergi.warehouse.bootstrap import init_warehouse
from sinergi.warehouse.connection import WarehouseTarget

HMAC_KEY = "analyst-view-test-key"


@pytest.fixture(scope="package")
def published_world(
    warehouse_server: WarehouseTarget, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[WarehouseTarget]:
    """A warehouse of its own holding the handwritten world, built and published.

    GX is tested elsewhere: the publish gets a passing quality run, so what
    is checked here is what the publisher and the marts give analysts.
    """
    target = warehouse_server.with_database(f"sinergi_test_{uuid.uuid4().hex[:12]}")
    work = tmp_path_factory.mktemp("analyst-world")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("SINERGI_WAREHOUSE_URL", target.url)
        env.setenv("SINERGI_NIP_HMAC_KEY", HMAC_KEY)
        env.setenv("DBT_TARGET_PATH", str(work / "dbt-target"))
        env.setenv("DBT_LOG_PATH", str(work / "dbt-logs"))
        expectations = copy_to(work / "expectations")
        env.setenv(EXPECTATIONS_DIR_VARIABLE, str(expectations))
        try:
            init_warehouse(target)
            create_raw_tables(target)
            load_batch(target, FIRST_BATCH)
            load_batch(target, SECOND_BATCH)
            run_dbt(["build"], target)
            outcome = publish(target, RunSummary("analyst", 1, 1, 0, [], []), audited_marts(target))
            assert outcome.status == "published", outcome
            yield target
        finally:
            with psycopg.connect(
                target.with_database("postgres").conninfo, autocommit=True
            ) as conn:
                conn.execute(
                    sql.SQL("drop database if exists {} with (force)").format(
                        sql.Identifier(target.dbname)
                    )
                )


@pytest.fixture(scope="package")
def analyst_login(published_world: WarehouseTarget) -> Iterator[WarehouseTarget]:
    """A login role granted sinergi_analyst, as a deployment makes one for an analyst.

    It is granted after the warehouse was initialised, then `init_warehouse`
    runs again (as every deploy does), which gives it the analysts' search
    path in this database. Roles are cluster-wide: the name is unique and the
    role is dropped afterwards.
    """
    name = f"analyst_{uuid.uuid4().hex[:12]}"
    password = uuid.uuid4().hex  # whatever the server's authentication, the login can connect
    with psycopg.connect(published_world.conninfo, autocommit=True) as conn:
        conn.execute(
            sql.SQL("create role {} login password {} in role sinergi_analyst").format(
                sql.Identifier(name), sql.Literal(password)
            )
        )
    try:
        init_warehouse(published_world)
        yield WarehouseTarget(
            published_world.host, published_world.port, name, password, published_world.dbname
        )
    finally:
        drop_roles(published_world.conninfo, [name])
