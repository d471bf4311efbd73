"""What an ingest DAG's tasks do inside Airflow, kept out of the DAG file.

- `require_connection`: a source whose Connection is missing is skipped, with
  one alert naming the variable to set, instead of failing every entity task
  and its retries.
- `load_entity`: one entity's batch, narrowed by the run's pushed events
  (entities they ask for) and, in a backfill run, by the run's day.
"""

from __future__ import annotations

from typing import Any

from sinergi.alerts import alert
from sinergi.events import requested_entities
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
    return ingest_entity_task(source_name, entity_name, full_refresh=full_refresh, window=window)
