"""What an ingest DAG's tasks do inside Airflow, kept out of the DAG file.

- `require_connection`: a source whose Connection is missing is skipped, with
  one alert naming the variable to set, instead of failing every entity task
  and its retries.
- `load_entity`: one entity's batch, narrowed by the run's pushed events
  (entities they ask for) and, in a backfill run, by the run's day.
- `sweep_landed_files`: the file-drop DAG's sweep of the landing zone.
- `run_trigger`: what started the run (`batch_trigger`), which both record
  on every batch they open.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Literal

from sinergi.alerts import alert
from sinergi.events import requested_entities
from sinergi.ingestion.batch_trigger import (
    BatchTrigger,
    TriggeringEvent,
    batch_trigger,
    event_trigger,
)
from sinergi.ingestion.connections import ConnectionNotFound, env_variable, get_connection
from sinergi.ingestion.registry import load_registry


def require_connection(source_name: str) -> None:
    from airflow.sdk.exceptions import AirflowSkipException

    source = load_registry().source(source_name)
    if not source.connection:
        return
    try:
        get_connection(source.connection, use_airflow=True)
    except ConnectionNotFound:
        message = (
            f"{source_name}: Airflow Connection {source.connection!r} is not configured, so the"
            f" run is skipped. Define it in Airflow or set {env_variable(source.connection)}"
            " on every Airflow component."
        )
        alert(
            "source_not_configured",
            f"ingest_{source_name}",
            message,
            {"source": source_name, "connection": source.connection},
        )
        raise AirflowSkipException(message) from None


def _event_extras(context: Any) -> list[dict[str, Any]]:
    events = context.get("triggering_asset_events") or {}
    return [dict(event.extra or {}) for asset_events in events.values() for event in asset_events]


def load_entity(source_name: str, entity_name: str) -> dict[str, Any]:
    from airflow.sdk import get_current_context
    from airflow.sdk.exceptions import AirflowSkipException

    from sinergi.ingestion.runner import ingest_entity_task

    context = get_current_context()
    extras = _event_extras(context)
    wanted = requested_entities(extras) if extras else None
    if wanted is not None and entity_name not in wanted:
        raise AirflowSkipException(f"this run's events ask for {sorted(wanted)} only")
    dag_run = context["dag_run"]
    window = None
    start, end = dag_run.data_interval_start, dag_run.data_interval_end
    if str(dag_run.run_type).lower().endswith("backfill") and start and end:
        window = (start.isoformat(), end.isoformat())
    full_refresh = bool(context["params"].get("full_refresh"))
    with batch_trigger(run_trigger(context)):
        return ingest_entity_task(
            source_name, entity_name, full_refresh=full_refresh, window=window
        )


def sweep_landed_files() -> dict[str, Any]:
    """Load every file in the landing zone (`sweep_landing`), each batch recording the run's
    trigger: `file` when the landing watcher started it, else the schedule or a person."""
    from airflow.sdk import get_current_context

    from sinergi.ingestion.landing import sweep_landing

    with batch_trigger(run_trigger(get_current_context())):
        return sweep_landing()


def run_trigger(context: Any) -> BatchTrigger:
    """What started this task's DAG run, for `meta.load_batches.trigger`.

    - asset-triggered: the run's asset events (the earliest gives `at` and `asset`);
      `file` when the asset is a `file://` location (the landing watcher), else `event`;
    - scheduled: `schedule` at the run's `run_after` (for the nightly trigger timetable
      the logical date: the moment the run was due, so scheduler lag counts);
    - backfill: `backfill` at the run's start. Its logical date is the historical day it
      re-reads (already in the batch's window), and the task context has no queued time;
    - anything else (a manual trigger, `dag.test()`, a TriggerDagRunOperator, an asset
      materialisation): `manual` at `run_after`, when it was asked for.
    """
    dag_run = context["dag_run"]
    run_type = str(getattr(dag_run.run_type, "value", dag_run.run_type))
    ids = {"dag_id": dag_run.dag_id, "run_id": dag_run.run_id}
    requested: datetime = dag_run.run_after or dag_run.logical_date or dag_run.start_date
    if run_type == "asset_triggered":
        events = _triggering_events(context)
        if events:
            kind: Literal["event", "file"] = (
                "file" if events[0].asset.startswith("file:") else "event"
            )
            return event_trigger(events, kind=kind, **ids)
        return BatchTrigger(kind="event", at=requested, **ids)
    if run_type == "scheduled":
        return BatchTrigger(kind="schedule", at=requested, **ids)
    if run_type == "backfill":
        return BatchTrigger(kind="backfill", at=dag_run.start_date or requested, **ids)
    return BatchTrigger(kind="manual", at=requested, **ids)


def _triggering_events(context: Any) -> list[TriggeringEvent]:
    """The run's asset events, earliest first, each once (an event reached through an asset
    alias is listed under the alias as well)."""
    found: dict[tuple[str, str, str], TriggeringEvent] = {}
    for asset_events in (context.get("triggering_asset_events") or {}).values():
        for event in asset_events:
            extra = dict(event.extra or {})
            key = (event.asset.uri, event.timestamp.isoformat(), json.dumps(extra, default=str))
            found[key] = TriggeringEvent(asset=event.asset.uri, at=event.timestamp, extra=extra)
    return sorted(found.values(), key=lambda event: event.at)
