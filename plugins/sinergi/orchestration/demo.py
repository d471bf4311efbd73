"""`make demo`: the pipeline end to end on the embedded defaults.

Each step is a real DAG run; the demo grows as the pipeline does.
"""

from __future__ import annotations

import logging

from sinergi.orchestration.dag_runs import run_dag

log = logging.getLogger(__name__)

DEMO_DAGS = ("warehouse_bootstrap",)


def run_demo() -> list[tuple[str, str]]:
    """Run the demo's DAGs in order; returns (dag_id, state) per run."""
    results = []
    for dag_id in DEMO_DAGS:
        results.append((dag_id, run_dag(dag_id)))
    return results
