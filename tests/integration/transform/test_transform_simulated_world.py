"""End to end: a simulated world, ingested for real, built by dbt, checked against its truth.

1. The simulator serves a small world up to a clock; the ingestion's Python
   API loads every API source and every regional file into raw.
2. `dbt build`; every figure of the truth manifest is read back from the
   marts and compared exactly (counts, rupiah, JP).
3. The clock moves on; a second ingest appends the new batches; an
   incremental `dbt build` must equal a full refresh, table for table, and
   match the new truth.

The world has the default messiness, schema drift included: a regional file
that drops its optional Status column reports completed trainings, which the
truth counts as lulus and staging reads as lulus.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from dbt_args import FULL_REFRESH
from psycopg import sql
from transform_truth import compare

from sinergi.ingestion.file_drop import ingest_file
from sinergi.ingestion.http import HttpSettings
from sinergi.ingestion.runner import ingest_source
from sinergi.transform.dbt import run_dbt
from sinergi.warehouse.connection import WarehouseTarget, connect
from sinergi_simulator.api import SimulatorHandle, start_simulator
from sinergi_simulator.files import write_files

pytestmark = pytest.mark.integration

SEED, ASN = 23, 400
FIRST_CLOCK = "2024-03-20T00:00:00Z"
API_SOURCES = ("siasn", "bpsdm_kemendagri", "kemnaker_corpu", "satudata")
FAST_HTTP = HttpSettings(read_timeout_s=5.0, backoff_base_s=0.02, backoff_max_s=0.1)


@pytest.fixture
def simulator(monkeypatch: pytest.MonkeyPatch) -> Iterator[SimulatorHandle]:
    with start_simulator(seed=SEED, asn=ASN, clock=FIRST_CLOCK) as handle:
        creds = handle.credentials

        def uri(source: str, login: str, password: str) -> str:
            host = handle.urls[source].split("://", 1)[1]
            return f"http://{quote(login, safe='')}:{quote(password, safe='')}@{host}"

        monkeypatch.setenv(
            "AIRFLOW_CONN_SINERGI_SIASN",
            uri("siasn", creds.siasn_client_id, creds.siasn_client_secret),
        )
        monkeypatch.setenv(
            "AIRFLOW_CONN_SINERGI_BPSDM_KEMENDAGRI",
            uri("bpsdm_kemendagri", "", creds.kemendagri_api_key),
        )
        monkeypatch.setenv(
            "AIRFLOW_CONN_SINERGI_KEMNAKER_CORPU", uri("kemnaker_corpu", "", creds.corpu_token)
        )
        monkeypatch.setenv(
            "AIRFLOW_CONN_SINERGI_SATUDATA", uri("satudata", "", creds.satudata_api_key)
        )
        yield handle


def ingest(sim: SimulatorHandle, target: WarehouseTarget, landing: Path) -> None:
    """Everything the world served up to its clock, into raw (files already loaded skip)."""
    for source in API_SOURCES:
        ingest_source(source, target=target, settings=FAST_HTTP, progress_bar=False)
    write_files(sim.sources, landing, until_ms=sim.clock.now_ms)
    for path in sorted(p for p in landing.rglob("*") if p.is_file()):
        ingest_file(path, path.relative_to(landing).parts[0], target=target)


# dbt's own bookkeeping (which batches each incremental model has seen, which
# run wrote a row), not data: it differs between incremental runs and a full refresh
BOOKKEEPING = {("staging", "dbt_processed_batches")}
BOOKKEEPING_COLUMNS = {"_rebuilt_in_batch"}


def built_tables(target: WarehouseTarget) -> dict[str, list[tuple]]:
    """Every table dbt builds (staging, intermediate, audit marts), rows sorted."""
    with connect(target) as conn:
        columns: dict[tuple[str, str], list[str]] = {}
        for schema, table, column in conn.execute(
            "select table_schema, table_name, column_name from information_schema.columns"
            " join information_schema.tables using (table_schema, table_name)"
            " where table_schema in ('staging', 'intermediate', 'audit')"
            " and table_type = 'BASE TABLE' order by ordinal_position"
        ):
            if (schema, table) not in BOOKKEEPING and column not in BOOKKEEPING_COLUMNS:
                columns.setdefault((schema, table), []).append(column)
        return {
            f"{schema}.{table}": sorted(
                (
                    tuple(row)
                    for row in conn.execute(
                        sql.SQL("select {} from {}.{}").format(
                            sql.SQL(", ").join(map(sql.Identifier, names)),
                            sql.Identifier(schema),
                            sql.Identifier(table),
                        )
                    )
                ),
                key=repr,
            )
            for (schema, table), names in columns.items()
        }


def test_marts_match_the_truth_and_incremental_equals_full_refresh(
    simulator: SimulatorHandle, warehouse: WarehouseTarget, tmp_path: Path
) -> None:
    ingest(simulator, warehouse, tmp_path / "landing")
    run_dbt(["build"], warehouse)
    assert compare(warehouse, simulator.truth()) == []

    simulator.set_clock("2024-12-31T23:59:59Z")
    ingest(simulator, warehouse, tmp_path / "landing")
    result = run_dbt(["build"], warehouse)  # incremental: only the new batches
    incremental = built_tables(warehouse)
    assert compare(warehouse, simulator.truth()) == []
    # staging rewrote only the groups the new batches touched, not every row
    staged = {
        r.node.name: r.adapter_response.get("rows_affected")
        for r in result.results
        if r.node.resource_type == "model" and r.node.name.startswith("stg_")
    }
    assert len(staged) == 11 and all(n is not None for n in staged.values())
    rows_now = sum(len(rows) for name, rows in incremental.items() if name.startswith("staging."))
    assert 0 < sum(staged.values()) < rows_now

    run_dbt(FULL_REFRESH, warehouse)
    full = built_tables(warehouse)
    assert "staging.stg_bpsdm_kemendagri__participations" in full  # staging is tables now
    assert full.keys() == incremental.keys()
    for table in full:
        assert full[table] == incremental[table], f"{table}: incremental != full refresh"
