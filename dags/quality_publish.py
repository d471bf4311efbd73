"""
### Quality checks and write-audit-publish of the marts

dbt builds the marts into the `audit` schema (the transform DAG); this DAG
checks them and only then shows them to analysts:

1. `raw_contracts`: the Great Expectations raw suites (source contracts as
   SQL predicates; schema drift reported); bad raw rows go to
   `quarantine.records` with the suite and expectation that caught them.
2. `quarantine_and_reconcile`: rows dbt staging flags invalid are
   quarantined too; then, per source entity, raw = staged + quarantined is
   checked (blocking).
3. `mart_suites`: the GX mart suites on the marts the transform rebuilt
   (all of them on a manual run, or when the last publish was blocked) in
   `audit` (keys unique, shares in
   [0, 1], realisation within a multiple of allocation, JP and amounts not
   negative, row counts within a band of the last publish, all provinces and
   DOB rows present).
4. `publish`: when no blocking check failed, every `marts.<t>` is replaced by
   `audit.<t>` in one transaction; otherwise `marts` is untouched, the
   reason is recorded in `meta.publish_runs` and an alert is sent, and the
   task fails. Emits the published marts' Assets.

5. `run_report`: the run's HTML report (`.sinergi/reports/<run>/index.html`),
   written after a published and after a blocked publish alike.

`stale_sources` alerts on sources without a successful load within their
dbt source freshness (`warn_after`). Results: `meta.dq_results`;
Data Docs: `expectations/uncommitted/data_docs/local_site/index.html`.
Scheduled by the transform's `sinergi://audit/marts` Asset, whose events
name the marts each build rebuilt. Each task runs one step of
`sinergi.orchestration.quality_publish`, wired in the order its `STEPS`
gives; `sinergi quality check` / `publish` / `report` run the same steps
outside Airflow.
"""

from __future__ import annotations

import logging
from typing import Any

from airflow.sdk import dag, get_current_context, task

from sinergi.orchestration import quality_publish as workflow
from sinergi.orchestration.dag_defaults import DEFAULT_ARGS, START_DATE
from sinergi.publish.assets import audit_built_asset, published_mart_assets

log = logging.getLogger(__name__)

AUDIT_BUILT = audit_built_asset()
PUBLISHED_MARTS = published_mart_assets()


@dag(
    dag_id="quality_publish",
    doc_md=__doc__,
    schedule=AUDIT_BUILT,
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["sinergi", "quality", "publish"],
)
def quality_publish() -> None:
    @task
    def start_run() -> str:
        """One quality run id per DAG run: every task records its results under it."""
        return workflow.run_id_of_dag_run(str(get_current_context()["run_id"]))

    @task
    def stale_sources() -> list[dict[str, object]]:
        from sinergi.warehouse.connection import resolve_target

        return workflow.stale_sources(resolve_target())

    @task
    def raw_contracts(quality_run: str) -> dict[str, Any]:
        from sinergi.warehouse.connection import resolve_target

        return workflow.raw_contracts(resolve_target(), quality_run).as_dict()

    @task
    def quarantine_and_reconcile(quality_run: str) -> dict[str, Any]:
        from sinergi.warehouse.connection import resolve_target

        return workflow.quarantine_and_reconcile(resolve_target(), quality_run).as_dict()

    @task
    def mart_suites(quality_run: str) -> dict[str, Any]:
        from sinergi.transform.selection import rebuilt_marts
        from sinergi.warehouse.connection import resolve_target

        rebuilt = rebuilt_marts(get_current_context())
        return workflow.mart_suites(resolve_target(), quality_run, rebuilt=rebuilt).as_dict()

    @task(outlets=PUBLISHED_MARTS)
    def publish(quality_run: str) -> dict[str, Any]:
        from airflow.sdk.exceptions import AirflowFailException

        from sinergi.warehouse.connection import resolve_target

        target = resolve_target()
        outcome = workflow.publish(target, quality_run)
        for line in workflow.report_lines(target, quality_run):
            log.info("%s", line)
        if outcome.status != "published":
            # no retry can fix a failed audit; the publisher has recorded and alerted it
            raise AirflowFailException(f"marts not published: {outcome.reason}")
        return {"status": outcome.status, "row_counts": outcome.row_counts}

    @task
    def run_report(quality_run: str) -> str:
        """The run's HTML report, published or blocked (a teardown: it runs either way)."""
        from sinergi.warehouse.connection import resolve_target

        return str(workflow.run_report(resolve_target(), quality_run))

    quality_run = start_run()
    steps = {
        "raw_contracts": raw_contracts(quality_run),
        "quarantine_and_reconcile": quarantine_and_reconcile(quality_run),
        "mart_suites": mart_suites(quality_run),
        "publish": publish(quality_run),
    }
    for step, after in workflow.STEPS.items():
        for upstream in after:
            steps[upstream] >> steps[step]
    # As a teardown it also follows a blocked publish, and the DAG run's state
    # stays the publish's: teardowns do not count towards it.
    steps["publish"] >> run_report(quality_run).as_teardown(setups=quality_run)
    stale_sources()


quality_publish()
