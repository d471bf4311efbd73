"""Run a DAG of `dags/` in this process with `dag.test()`, outside a scheduler.

Used by the integration tests of single DAGs: the tasks run for real against
the warehouse, and Airflow records the run and its asset events.
"""

from __future__ import annotations

import logging
from typing import Any

from sinergi.orchestration.airflow_home import configure_environment
from sinergi.paths import project_dir

log = logging.getLogger(__name__)


class DagRunFailed(RuntimeError):
    """A DAG run ended in a state other than success."""


def load_dags() -> dict[str, Any]:
    """Every DAG of `dags/`, by id; import errors raise, naming the file."""
    configure_environment()
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(project_dir() / "dags"))
    if bag.import_errors:
        details = "; ".join(f"{path}: {error}" for path, error in bag.import_errors.items())
        raise RuntimeError(f"DAG import errors: {details}")
    return dict(bag.dags)


def run_dag(dag_id: str, conf: dict[str, Any] | None = None) -> str:
    """Run one DAG to completion; returns the run's state, raises when it failed."""
    dags = load_dags()
    if dag_id not in dags:
        raise KeyError(f"no DAG {dag_id!r} in dags/ (have: {', '.join(sorted(dags))})")
    log.info("running DAG %s", dag_id)
    dag_run = dags[dag_id].test(run_conf=conf)
    state = str(dag_run.state)
    if state != "success":
        failed = [ti.task_id for ti in dag_run.get_task_instances() if ti.state == "failed"]
        raise DagRunFailed(f"DAG {dag_id} ended {state}; failed tasks: {failed}")
    return state
