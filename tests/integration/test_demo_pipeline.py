"""The demo's pipeline, small: every DAG run for real with dag.test(), in order.

Simulator → ingest DAGs (four API sources and the file drops) → transform
(Cosmos, dbt into `audit`) → quality_publish (GX, quarantine, publish). The
marts analysts see must be published, hold rows, and carry no NIP.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sinergi.orchestration.demo import ingest_dag_ids, run_demo
from sinergi.warehouse.connection import WarehouseTarget, connect

pytestmark = pytest.mark.integration


def test_the_demo_pipeline_publishes_marts(
    fresh_database: WarehouseTarget,
    airflow_db: None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SINERGI_WAREHOUSE_URL", fresh_database.url)
    monkeypatch.setenv("SINERGI_LANDING_DIR", str(tmp_path / "landing"))

    result = run_demo(seed=7, asn=400)

    ran = [dag_id for dag_id, _ in result.dag_runs]
    assert ran == ["warehouse_bootstrap", *ingest_dag_ids(), "transform", "quality_publish"]
    assert {state for _, state in result.dag_runs} == {"success"}
    assert result.mart_rows, "nothing was published to marts"
    assert all(rows > 0 for rows in result.mart_rows.values()), result.mart_rows
    assert any(line.startswith("publish: published") for line in result.quality_lines)
    with connect(fresh_database) as conn:
        nip_columns = conn.execute(
            "select table_name, column_name from information_schema.columns"
            " where table_schema = 'marts' and column_name ilike '%%nip%%'"
        ).fetchall()
        # Raw NIPs are 18 digits; none may appear in any published text column.
        text_columns = conn.execute(
            "select table_name, column_name from information_schema.columns"
            " where table_schema = 'marts' and data_type = 'text'"
        ).fetchall()
        leaked = [
            (table, column)
            for table, column in text_columns
            if conn.execute(
                f'select 1 from marts."{table}" where "{column}" ~ %s limit 1',  # type: ignore[arg-type]
                (r"^\d{18}$",),
            ).fetchone()
        ]
    assert nip_columns == [], nip_columns
    assert leaked == [], leaked
