"""`sinergi notify SOURCE`: tell the pipeline a source has new data, as a source system would.

Two ways, as the running pipeline listens (see `sinergi.events`):
- `rest` (default): `POST /api/v2/assets/events` on the Airflow API server
  (`SINERGI_AIRFLOW_API_URL`, default the local one; `SINERGI_AIRFLOW_USER` /
  `SINERGI_AIRFLOW_PASSWORD`, default the local admin);
- `redis`: a message on the pub/sub channel `sinergi.events.<source>` of the
  Redis in `AIRFLOW_CONN_SINERGI_EVENTS_REDIS`. Pub/sub keeps nothing: with
  no watcher subscribed the message is lost, and this says so.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from typing import Any

from sinergi.events import REDIS_CONN_VARIABLE, channel, event_uri
from sinergi.ingestion.registry import load_registry
from sinergi.orchestration.airflow_api import AirflowApi
from sinergi.orchestration.airflow_home import api_url


class NotifyError(RuntimeError):
    """The event could not be sent; the message says why and what to check."""


def event_extra(source: str, entities: list[str] | None) -> dict[str, Any]:
    registry = load_registry()
    known = registry.source(source)  # raises naming the known sources
    if known.kind == "file_drop":
        raise NotifyError(f"{source} is a file drop: its files are its events")
    unknown = sorted(set(entities or []) - {entity.name for entity in known.entities})
    if unknown:
        raise NotifyError(f"{source} has no entities {unknown}")
    extra: dict[str, Any] = {"source": source, "sent_at": datetime.now(UTC).isoformat()}
    if entities:
        extra["entities"] = sorted(set(entities))
    return extra


def notify_rest(
    source: str, entities: list[str] | None = None, api: AirflowApi | None = None
) -> int:
    """Post the event; returns the asset event's id."""
    api = api or AirflowApi(os.environ.get("SINERGI_AIRFLOW_API_URL") or api_url())
    event = api.create_asset_event(event_uri(source), event_extra(source, entities))
    return int(event["id"])


def notify_redis(source: str, entities: list[str] | None = None, url: str | None = None) -> int:
    """Publish the event; returns how many subscribers received it (0 = lost)."""
    import redis

    url = url or os.environ.get(REDIS_CONN_VARIABLE)
    if not url:
        raise NotifyError(f"no Redis configured: set {REDIS_CONN_VARIABLE}=redis://host:6379/0")
    client = redis.Redis.from_url(url)
    try:
        return int(client.publish(channel(source), json.dumps(event_extra(source, entities))))
    finally:
        client.close()
