"""The quality_publish DAG runs for real with dag.test(): checks, then publish or block.

Either way its last task writes the run's report, and a blocked publish
still fails the DAG run (the report task is a teardown, which does not count).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sinergi.orchestration.dag_runs import DagRunFailed, run_dag
from sinergi.warehouse.connection import WarehouseTarget, connect

from . import world

pytestmark = pytest.mark.integration


def test_dag_publishes_a_clean_world_and_blocks_a_broken_one(
    warehouse: WarehouseTarget,
    expectations: Path,
    webhook: list[dict[str, Any]],
    airflow_db: None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SINERGI_REPORTS_DIR", str(tmp_path / "reports"))
    world.build(warehouse)

    assert run_dag("quality_publish") == "success"

    published = world.table_contents(warehouse, "marts", "funding_by_institution")
    assert published == world.table_contents(warehouse, "audit", "funding_by_institution")

    with connect(warehouse) as conn:
        conn.execute("update audit.participation_by_region set share_20jp = 1.7")
    with pytest.raises(DagRunFailed, match="publish"):
        run_dag("quality_publish")

    assert world.table_contents(warehouse, "marts", "funding_by_institution") == published
    with connect(warehouse) as conn:
        statuses = conn.execute(
            "select status, reason from meta.publish_runs order by publish_id"
        ).fetchall()
    assert [s for s, _ in statuses] == ["published", "blocked"]
    assert "shares_in_unit_interval" in statuses[1][1]
    assert "publish_blocked" in [a["kind"] for a in webhook]
    with connect(warehouse) as conn:
        runs = [
            r for (r,) in conn.execute("select run_id from meta.publish_runs order by publish_id")
        ]
    reports = {
        page.parent.name: page.read_text(encoding="utf-8")
        for page in tmp_path.glob("reports/*/index.html")
    }
    assert sorted(reports) == sorted(runs)
    assert "DIPUBLIKASIKAN" in reports[runs[0]]
    assert "DIBLOKIR" in reports[runs[1]] and "shares_in_unit_interval" in reports[runs[1]]
