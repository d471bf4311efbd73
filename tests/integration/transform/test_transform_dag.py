"""The Cosmos transform DAG runs for real (dag.test) and emits one Asset per model."""

from __future__ import annotations

import pytest
from transform_handwritten import FIRST_BATCH
from transform_raw import load_batch

from sinergi.assets import warehouse_table_uri
from sinergi.orchestration.dag_runs import load_dags
from sinergi.warehouse.connection import WarehouseTarget, connect

pytestmark = pytest.mark.integration

# int_asns_resolved and everything it needs: seeds, stg_siasn__asns, the institution resolver.
MODEL = "int_asns_resolved_model_build"


def test_transform_dag_builds_a_model_and_emits_its_asset(
    warehouse: WarehouseTarget, airflow_db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SINERGI_WAREHOUSE_URL", warehouse.url)
    load_batch(warehouse, {"siasn__asn": FIRST_BATCH["siasn__asn"]})
    dag = load_dags()["transform"]
    subset = dag.partial_subset(task_ids=[MODEL], include_upstream=True)
    assert len(subset.tasks) < len(dag.tasks)

    dag_run = subset.test()

    assert str(dag_run.state) == "success"
    with connect(warehouse) as conn:
        asns = conn.execute("select count(*) from intermediate.int_asns_resolved").fetchone()
    assert asns == (4,)  # the four valid ASN of the handwritten world
    emitted = {
        event.asset.uri
        for ti in dag_run.get_task_instances()
        if ti.task_id == MODEL
        for event in _asset_events(ti)
    }
    assert warehouse_table_uri("intermediate", "int_asns_resolved") in emitted


def _asset_events(ti):  # type: ignore[no-untyped-def]
    from airflow.models.asset import AssetEvent
    from airflow.utils.session import create_session

    with create_session() as session:
        events = (
            session.query(AssetEvent)
            .filter(
                AssetEvent.source_dag_id == ti.dag_id,
                AssetEvent.source_run_id == ti.run_id,
                AssetEvent.source_task_id == ti.task_id,
            )
            .all()
        )
        for event in events:
            _ = event.asset.uri  # load while the session is open
        return events
