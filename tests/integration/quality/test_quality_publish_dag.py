"""The quality_publish DAG runs for real with dag.test(): checks, then publish or block.

On a copy of the simulated world (world.py). Either way its last task
writes the run's report, and a blocked publish still fails the DAG run (the
report task is a teardown, which does not count).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sinergi.orchestration.dag_runs import load_dags
from sinergi.warehouse.connection import connect

from .world import World, table_rows

pytestmark = pytest.mark.integration

REGION = "participation_by_region_year"


def _run(dag_id: str) -> tuple[str, dict[str, str]]:
    """One DAG run with dag.test(): its state and each task's."""
    dag_run = load_dags()[dag_id].test()
    return str(dag_run.state), {ti.task_id: str(ti.state) for ti in dag_run.get_task_instances()}


def test_dag_publishes_a_clean_world_and_blocks_a_broken_one(
    world: World,
    webhook: list[dict[str, Any]],
    airflow_db: None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SINERGI_REPORTS_DIR", str(tmp_path / "reports"))
    target = world.target
    first = table_rows(target, "marts", REGION)  # what the world's first run published
    with connect(target) as conn:  # this run publishes something else: one year fewer
        conn.execute(
            f"delete from audit.{REGION} where tahun = (select min(tahun) from audit.{REGION})"
        )

    state, tasks = _run("quality_publish")

    assert state == "success", tasks
    assert set(tasks.values()) == {"success"}, tasks
    published = table_rows(target, "marts", REGION)
    assert published == table_rows(target, "audit", REGION) and published != first

    with connect(target) as conn:  # what a dbt model gone wrong would write
        conn.execute(f"update audit.{REGION} set share_reaching_20_jp = 1.7")
    state, tasks = _run("quality_publish")

    assert state == "failed"
    assert tasks["publish"] == "failed" and tasks["run_report"] == "success", tasks
    assert table_rows(target, "marts", REGION) == published
    with connect(target) as conn:
        statuses = conn.execute(
            "select run_id, status, reason from meta.publish_runs where run_id <> %s"
            " order by publish_id",
            (world.first_run,),
        ).fetchall()
    assert [s for _, s, _ in statuses] == ["published", "blocked"]
    assert "shares_in_unit_interval" in statuses[1][2]
    assert "publish_blocked" in [a["kind"] for a in webhook]
    runs = [run for run, _, _ in statuses]
    reports = {
        page.parent.name: page.read_text(encoding="utf-8")
        for page in tmp_path.glob("reports/*/index.html")
    }
    assert sorted(reports) == sorted(runs)
    assert "DIPUBLIKASIKAN" in reports[runs[0]]
    assert "DIBLOKIR" in reports[runs[1]] and "shares_in_unit_interval" in reports[runs[1]]
