"""
### Transform: dbt staging, intermediate and marts

Started by data: a run starts when raw tables are updated by the ingest DAGs
(their Assets, `postgres://<SINERGI_ASSET_AUTHORITY>/raw/<source>__<entity>`),
and builds with one `dbt build` what is downstream of the raw tables its
events name (`source:<source>.<entity>+`, plus the seeds): one regional file
rebuilds the file-drop chain and the marts it feeds, not the whole project.
A manual run builds everything. `dbt build` runs each model's data tests
right after it, so a failing test stops what depends on it (dbt's unit tests
check the code, not the data: CI runs them, this build leaves them out); the
marts land in `audit`. On success it emits `sinergi://audit/marts`, listing the
marts it rebuilt, which starts the quality-and-publish DAG.

One task, not one per model: Cosmos' per-model tasks cost ~18 s of Airflow
overhead each (67 tasks, 5.5 min for what dbt does in 21 s); the measured
alternatives are in `docs/orchestration.md`. dbt's own log is in the task
log and in `dbt_project/logs/dbt.log`. The warehouse is resolved when the
task starts (`SINERGI_WAREHOUSE_URL`, else the embedded PostgreSQL); NIPs are
pseudonymised with `SINERGI_NIP_HMAC_KEY`. The same build runs outside Airflow
as `sinergi transform build [--select ...]`.
"""

from __future__ import annotations

from typing import Any

from airflow.sdk import AssetAny, dag, get_current_context, task

from sinergi.assets import RAW_ASSETS
from sinergi.orchestration.dag_defaults import DEFAULT_ARGS, START_DATE
from sinergi.publish.assets import audit_built_asset

AUDIT_BUILT = audit_built_asset()


@dag(
    dag_id="transform",
    doc_md=__doc__,
    schedule=AssetAny(*RAW_ASSETS.values()),
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["sinergi", "dbt", "transform"],
)
def transform() -> None:
    @task(outlets=[AUDIT_BUILT])
    def dbt_build() -> dict[str, Any]:
        from airflow.sdk.exceptions import AirflowFailException

        from sinergi.transform.airflow_build import build_triggered
        from sinergi.transform.dbt import MissingHmacKey

        context = get_current_context()
        try:
            summary = build_triggered(context)
        except MissingHmacKey as missing:
            # A retry cannot conjure the key: fail now, without the retries.
            raise AirflowFailException(str(missing)) from None
        context["outlet_events"][AUDIT_BUILT].extra = {
            "marts": summary["marts"],
            "raw_tables": summary["raw_tables"],
        }
        return summary

    dbt_build()


transform()
