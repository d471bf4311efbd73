"""The quality_publish DAG runs the workflow's steps in the order the workflow defines."""

from __future__ import annotations

from sinergi.orchestration import quality_publish as workflow
from sinergi.orchestration.dag_runs import load_dags


def test_steps_are_listed_after_the_steps_they_follow() -> None:
    seen: set[str] = set()
    for step, after in workflow.STEPS.items():
        assert set(after) <= seen, f"{step} is listed before {sorted(set(after) - seen)}"
        seen.add(step)
    assert set(workflow.CHECKS) < set(workflow.STEPS)


def test_the_dag_wires_its_tasks_as_the_steps_say() -> None:
    dag = load_dags()["quality_publish"]
    for step, after in workflow.STEPS.items():
        upstream = dag.get_task(step).upstream_task_ids - {"start_run"}
        assert upstream == set(after), f"{step} runs after {sorted(upstream)}"
    report = dag.get_task("run_report")
    assert report.is_teardown and "publish" in report.upstream_task_ids
