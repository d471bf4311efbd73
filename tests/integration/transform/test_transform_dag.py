"""The transform DAG runs for real (dag.test): one dbt build, and the audit Asset it emits.

A run with no triggering raw Asset (a manual run, as here) builds everything;
the Asset's extra names the marts it rebuilt, which the quality DAG checks.
Selection by triggering Assets is covered by the unit tests of
`sinergi.transform.selection` and by the scheduler-driven chains.
"""

from __future__ import annotations

from collections import Counter

import pytest
from transform_handwritten import FIRST_BATCH
from transform_raw import load_batch

from sinergi.orchestration.dag_runs import load_dags
from sinergi.transform.manifest import require_manifest
from sinergi.warehouse.connection import WarehouseTarget, connect

pytestmark = pytest.mark.integration


def test_transform_dag_builds_and_emits_the_audit_asset(
    warehouse: WarehouseTarget, airflow_db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SINERGI_WAREHOUSE_URL", warehouse.url)
    load_batch(warehouse, {"siasn__asn": FIRST_BATCH["siasn__asn"]})

    dag_run = load_dags()["transform"].test()

    assert str(dag_run.state) == "success"
    with connect(warehouse) as conn:
        asns = conn.execute("select count(*) from intermediate.int_asns_resolved").fetchone()
        audit = conn.execute(
            "select table_name from information_schema.tables"
            " where table_schema = 'audit' and table_type = 'BASE TABLE' order by 1"
        ).fetchall()
    assert asns == (4,)  # the four valid ASN of the handwritten world
    events = _asset_events(dag_run.dag_id, dag_run.run_id)
    assert [uri for uri, _ in events] == ["sinergi://audit/marts"]
    assert sorted(events[0][1]["marts"]) == [name for (name,) in audit]  # every mart it built
    assert events[0][1]["raw_tables"] == []
    # every seed, model, snapshot, data test and on-run hook of the project, and no unit test
    manifest = require_manifest()
    kinds = Counter(node["resource_type"] for node in manifest["nodes"].values())
    summary = _return_value(dag_run.dag_id, dag_run.run_id, "dbt_build")
    assert manifest["unit_tests"]  # the project has unit tests to leave out
    assert summary["tests"] == kinds["test"]
    built = ("seed", "model", "snapshot", "test", "operation")
    assert summary["nodes"] == sum(kinds[kind] for kind in built)


def _return_value(dag_id: str, run_id: str, task_id: str) -> dict:
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    with create_session() as session:
        [row] = (
            session.query(XComModel)
            .filter_by(dag_id=dag_id, run_id=run_id, task_id=task_id, key="return_value")
            .all()
        )
        return XComModel.deserialize_value(row)


def _asset_events(dag_id: str, run_id: str) -> list[tuple[str, dict]]:
    from airflow.models.asset import AssetEvent
    from airflow.utils.session import create_session

    with create_session() as session:
        events = (
            session.query(AssetEvent)
            .filter(AssetEvent.source_dag_id == dag_id, AssetEvent.source_run_id == run_id)
            .all()
        )
        return [(event.asset.uri, dict(event.extra or {})) for event in events]


def test_transform_dag_without_the_hmac_key_fails_at_once_without_retries(
    fresh_database: WarehouseTarget, airflow_db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SINERGI_WAREHOUSE_URL", fresh_database.url)
    monkeypatch.delenv("SINERGI_NIP_HMAC_KEY", raising=False)

    dag_run = load_dags()["transform"].test()

    assert str(dag_run.state) == "failed"
    [task] = dag_run.get_task_instances()
    # failed, not up_for_retry: a retry cannot bring the key
    assert (task.task_id, str(task.state), task.try_number) == ("dbt_build", "failed", 1)
