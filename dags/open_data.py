"""
### Open data out

After each publish of the marts, the published aggregate marts go out as
open data:

1. `export`: `marts.<t>` as CSV (never the ASN profile, the participation
   fact or anything with a NIP or pseudonym), counts below
   `SINERGI_OPEN_DATA_MIN_COUNT` (default 5) suppressed with their
   complements, with `metadata.json` (Satu Data Indonesia's elements) and
   `catalog.jsonld` (DCAT), into `SINERGI_OPEN_DATA_DIR` (default
   `.sinergi/open-data`). The same marts give the same bytes.
2. `publish_portal`: the export pushed to the CKAN portal of the Connection
   `sinergi_open_data_portal` (host: portal URL, password: API key;
   `extra.owner_org`): packages and resources found by name, rows upserted on
   each mart's key, so a re-run never duplicates. Without that Connection the
   task is skipped, with a log line saying how to define it.

Scheduled on the Assets of the exported marts, which `quality_publish`
emits together on every publish: one run per publish. The same steps run
outside Airflow as `sinergi open-data export` / `publish`; see
docs/open-data.md.
"""

from __future__ import annotations

import logging
from typing import Any

from airflow.sdk import dag, task

from sinergi.open_data.assets import exported_mart_assets
from sinergi.orchestration.dag_defaults import DEFAULT_ARGS, START_DATE

log = logging.getLogger(__name__)

EXPORTED_MARTS = exported_mart_assets()


@dag(
    dag_id="open_data",
    doc_md=__doc__,
    schedule=EXPORTED_MARTS or None,
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["sinergi", "open-data", "publish"],
)
def open_data() -> None:
    @task
    def export() -> dict[str, Any]:
        from pathlib import Path

        from sinergi.open_data import config
        from sinergi.open_data.export import export_open_data
        from sinergi.warehouse.connection import resolve_target

        result = export_open_data(resolve_target(), Path(config.default_out_dir()))
        return {
            "out_dir": str(result.out_dir),
            "written": result.written,
            "rows": result.rows,
            "suppressed": result.suppressed,
        }

    @task
    def publish_portal(exported: dict[str, Any]) -> dict[str, Any]:
        from pathlib import Path

        from airflow.sdk.exceptions import AirflowSkipException

        from sinergi.ingestion.connections import (
            ConnectionNotFound,
            env_variable,
            get_connection,
        )
        from sinergi.open_data import config
        from sinergi.open_data.portal import client_for, publish_export

        try:
            connection = get_connection(config.CONNECTION_ID, use_airflow=True)
        except ConnectionNotFound:
            log.warning(
                "open data: Airflow Connection %r is not configured, so nothing is pushed to a"
                " portal (the export is in %s). Define it (host: the CKAN portal's URL,"
                " password: its API key) or set %s on every Airflow component.",
                config.CONNECTION_ID,
                exported["out_dir"],
                env_variable(config.CONNECTION_ID),
            )
            raise AirflowSkipException(f"no Connection {config.CONNECTION_ID}") from None
        result = publish_export(
            client_for(connection),
            Path(exported["out_dir"]),
            owner_org=connection.extra.get("owner_org"),
        )
        return {"created": result.created, "updated": result.updated, "rows": result.rows}

    publish_portal(export())


open_data()
