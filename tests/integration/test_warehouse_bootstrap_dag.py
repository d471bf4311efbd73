"""The warehouse_bootstrap DAG runs for real with dag.test()."""

from __future__ import annotations

import pytest

from sinergi.orchestration.dag_runs import run_dag
from sinergi.warehouse.connection import WarehouseTarget, connect

pytestmark = pytest.mark.integration


def test_bootstrap_dag_initialises_the_warehouse(
    fresh_database: WarehouseTarget, airflow_db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SINERGI_WAREHOUSE_URL", fresh_database.url)
    run_dag("warehouse_bootstrap")  # raises DagRunFailed unless it succeeded
    with connect(fresh_database) as conn:
        found = conn.execute("select to_regclass('meta.load_batches')").fetchone()
    assert found == ("meta.load_batches",)
