"""Every DAG in dags/ imports cleanly and follows the house rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from sinergi.orchestration.dag_runs import load_dags
from sinergi.paths import project_dir

DAGS = load_dags()


def test_every_dag_file_yields_a_dag() -> None:
    files = {p.name for p in (project_dir() / "dags").glob("*.py") if p.name != "__init__.py"}
    defining = {Path(dag.fileloc).name for dag in DAGS.values()}
    assert files, "no DAG files found"
    assert files == defining, f"files without a DAG: {sorted(files - defining)}"


@pytest.mark.parametrize("dag_id", sorted(DAGS))
def test_dag_has_tags_owner_and_retries(dag_id: str) -> None:
    dag = DAGS[dag_id]
    assert dag.tags, f"{dag_id} has no tags"
    assert dag.doc_md, f"{dag_id} has no doc_md"
    for task in dag.tasks:
        assert task.owner not in (None, "", "airflow"), f"{dag_id}.{task.task_id}: no owner"
        assert task.retries >= 2, f"{dag_id}.{task.task_id}: retries={task.retries}"
