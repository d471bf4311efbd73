"""
### Ingest API sources into `raw`

One DAG per API source of the source registry (`sources.yml`), generated:
`ingest_<source>`. Each entity is one task and one batch: it pulls the
records changed since the entity's watermark, COPYs them into
`raw.<source>__<entity>` and commits rows, batch record and watermark in one
transaction, so a failed or killed task leaves nothing and a retry resumes
from the last good watermark. Each task produces the Asset of its raw table,
which schedules the transformations.

Started three ways: nightly at 01:00 Asia/Jakarta; by an event the source
pushes (its Asset `sinergi://events/<source>`, through Airflow's REST API or
Redis pub/sub: `sinergi notify <source>`), which pulls everything new since
the watermark; and by a backfill (`sinergi backfill <source> --from --to`),
whose runs each re-read the records of their own day. A source without its
Connection is skipped with one alert, not failed and retried. Trigger with
`{"full_refresh": true}` to re-read a source from the beginning (rows already
loaded are skipped by `_record_hash`). Credentials: the Airflow Connection
named in the registry (`connection:`). The same work runs outside Airflow as
`sinergi ingest <source>`.
"""

from __future__ import annotations

from typing import Any

from airflow.sdk import AssetOrTimeSchedule, Param, dag, task

from sinergi.assets import RAW_ASSETS
from sinergi.events import source_event_asset
from sinergi.ingestion.registry import Source, load_registry
from sinergi.orchestration.dag_defaults import DEFAULT_ARGS, nightly_timetable


def _entity_task(source: Source, entity_name: str) -> Any:
    table = source.entity(entity_name).table

    @task(task_id=f"load_{entity_name}", outlets=[RAW_ASSETS[table]])
    def load() -> dict[str, Any]:
        from sinergi.orchestration.ingest_tasks import load_entity

        return load_entity(source.name, entity_name)

    return load()


def build_dag(source: Source) -> Any:
    @dag(
        dag_id=f"ingest_{source.name}",
        doc_md=f"{__doc__}\n**{source.name}**: {source.description} ({source.kind}).",
        schedule=AssetOrTimeSchedule(
            timetable=nightly_timetable(), assets=source_event_asset(source.name)
        ),
        catchup=False,
        max_active_runs=1,
        default_args=DEFAULT_ARGS,
        params={"full_refresh": Param(False, type="boolean")},
        tags=["sinergi", "ingestion", source.name],
    )
    def ingest() -> None:
        @task
        def check_connection() -> None:
            from sinergi.orchestration.ingest_tasks import require_connection

            require_connection(source.name)

        ready = check_connection()
        for entity in source.entities:
            ready >> _entity_task(source, entity.name)

    return ingest()


for _source in load_registry().sources.values():
    if _source.kind != "file_drop":
        globals()[f"ingest_{_source.name}"] = build_dag(_source)
