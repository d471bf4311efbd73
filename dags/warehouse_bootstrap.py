"""
### Warehouse bootstrap

Creates or upgrades the warehouse layout: the layer schemas (`raw`, `staging`,
`intermediate`, `marts`, `audit`, `quarantine`, `meta`), the roles
`sinergi_loader`, `sinergi_transformer` and `sinergi_analyst` with their grants,
and the metadata tables (load batches, watermarks, file loads, quarantine,
data-quality results, alerts).

Idempotent: trigger it after every deployment; a second run changes nothing.
The same work runs outside Airflow as `sinergi warehouse init`.
"""

from __future__ import annotations

from airflow.sdk import dag, task

from sinergi.orchestration.dag_defaults import DEFAULT_ARGS, START_DATE


@dag(
    dag_id="warehouse_bootstrap",
    doc_md=__doc__,
    schedule=None,
    start_date=START_DATE,
    catchup=False,
    default_args=DEFAULT_ARGS,
    tags=["sinergi", "warehouse"],
)
def warehouse_bootstrap() -> None:
    @task
    def init_warehouse() -> str:
        from sinergi.warehouse.bootstrap import init_warehouse
        from sinergi.warehouse.connection import resolve_target

        target = resolve_target()
        init_warehouse(target)
        return target.dbname

    init_warehouse()


warehouse_bootstrap()
