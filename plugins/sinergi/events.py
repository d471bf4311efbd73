"""Pushed events: a source system says "I have new data", and its ingest DAG pulls now.

Each API source has an event Asset, `sinergi://events/<source>`, in its ingest
DAG's schedule (beside the nightly time). Events reach it two ways:
- Airflow's REST API, `POST /api/v2/assets/events` (`sinergi notify SOURCE`);
- Redis pub/sub, channel `sinergi.events.<source>`, watched by an
  `AssetWatcher` in the triggerer when the connection `sinergi_events_redis`
  is configured (`AIRFLOW_CONN_SINERGI_EVENTS_REDIS=redis://host:6379/0`).
Neither is a queue: pub/sub drops what arrives while the watcher re-arms or
the triggerer is down, and events close together start one run. So an event
only means "pull this source now": the pull reads everything past the
watermark, and a lost event costs latency, never data. An event's extra may
name entities (`{"entities": ["participations"]}`); a run started only by such
events pulls just those, any other start pulls every entity.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # importing Airflow reads its configuration: only where it runs
    from airflow.sdk import Asset

REDIS_CONN_ID = "sinergi_events_redis"
REDIS_CONN_VARIABLE = "AIRFLOW_CONN_SINERGI_EVENTS_REDIS"
CHANNEL_PREFIX = "sinergi.events."


def event_uri(source: str) -> str:
    return f"sinergi://events/{source}"


def channel(source: str) -> str:
    return CHANNEL_PREFIX + source


def redis_configured() -> bool:
    return bool(os.environ.get(REDIS_CONN_VARIABLE))


def source_event_asset(source: str) -> Asset:
    """The source's event Asset; watched on Redis when its connection is configured."""
    from airflow.sdk import Asset, AssetWatcher

    watchers = []
    if redis_configured():
        from airflow.providers.common.messaging.triggers.msg_queue import MessageQueueTrigger

        trigger = MessageQueueTrigger(
            scheme="redis+pubsub",
            channels=[channel(source)],
            redis_conn_id=REDIS_CONN_ID,
            poll_interval=1,  # the default is 60 s
        )
        watchers.append(AssetWatcher(name=f"{source}_events_redis", trigger=trigger))
    return Asset(name=f"{source}_events", uri=event_uri(source), watchers=watchers)


def event_payload(extra: Mapping[str, Any]) -> dict[str, Any]:
    """An event's own fields: REST events carry them in `extra`, Redis ones as a JSON
    string in `extra["payload"]["data"]`."""
    payload = extra.get("payload")
    if isinstance(payload, Mapping) and "data" in payload:
        data = payload["data"]
        if isinstance(data, bytes):
            data = data.decode("utf-8", "replace")
        try:
            decoded = json.loads(data) if isinstance(data, str) else data
        except json.JSONDecodeError:
            return {"message": data}
        return dict(decoded) if isinstance(decoded, Mapping) else {"message": decoded}
    return dict(extra)


def requested_entities(extras: Iterable[Mapping[str, Any]]) -> set[str] | None:
    """The entities a run's events ask for; None (= all) if any event names none."""
    wanted: set[str] = set()
    for extra in extras:
        entities = event_payload(extra).get("entities")
        if not entities:
            return None
        wanted.update([entities] if isinstance(entities, str) else entities)
    return wanted
