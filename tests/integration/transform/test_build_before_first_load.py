"""A transform before most sources' first load: their raw tables do not exist yet.

`source_or_empty` reads a raw table that does not exist as an empty relation
of the raw layout (a subquery, which PostgreSQL before 16 accepts only with
an alias), so the build succeeds on every supported PostgreSQL: the loaded
source flows through, the others' staging tables are empty. When the other
sources load, the next incremental build reads all their batches.
"""

from __future__ import annotations

import pytest
from psycopg import sql
from transform_handwritten import FIRST_BATCH
from transform_raw import create_raw_tables, load_batch

from sinergi.ingestion.raw_loader import ensure_raw_table
from sinergi.transform.dbt import run_dbt
from sinergi.warehouse.bootstrap import init_warehouse
from sinergi.warehouse.connection import WarehouseTarget, connect

pytestmark = pytest.mark.integration


def _count(target: WarehouseTarget, relation: str) -> int:
    query = sql.SQL("select count(*) from {}").format(sql.Identifier(*relation.split(".")))
    with connect(target) as conn:
        row = conn.execute(query).fetchone()
    assert row is not None
    return int(row[0])


def test_build_before_the_first_load_of_most_sources(
    fresh_database: WarehouseTarget, hmac_key: str
) -> None:
    target = fresh_database
    init_warehouse(target)
    with connect(target) as conn:
        ensure_raw_table(conn, "siasn__asn")
    load_batch(target, {"siasn__asn": FIRST_BATCH["siasn__asn"]})

    run_dbt(["build"], target)

    with connect(target) as conn:
        raw = [
            t for (t,) in conn.execute("select tablename from pg_tables where schemaname = 'raw'")
        ]
    assert raw == ["siasn__asn"]  # the others were read as empty, not created
    assert _count(target, "intermediate.int_asns_resolved") == 4
    assert _count(target, "staging.stg_bpsdm_daerah__participations") == 0
    assert _count(target, "audit.fct_participations") == 0

    create_raw_tables(target)
    load_batch(target, {t: rows for t, rows in FIRST_BATCH.items() if t != "siasn__asn"})
    run_dbt(["build"], target)

    assert _count(target, "staging.stg_bpsdm_daerah__participations") > 0
    assert _count(target, "audit.fct_participations") > 0
