"""Which dbt nodes a transform run builds: what is downstream of the raw tables that changed.

A run started by raw Assets builds `source:<source>.<entity>+` for each raw
table it was told about, so one regional file rebuilds the file-drop chain
and the marts it feeds, not the whole project. Everything is built when the
run names no known raw table (a manual run) or when any model's table is
missing from the warehouse (the first build, or after a new model): a
partial build would read tables that are not there yet.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sinergi.ingestion.registry import load_registry
from sinergi.transform.manifest import is_mart
from sinergi.warehouse import schemas


def raw_tables_of(uris: Iterable[str]) -> list[str]:
    """`raw.<table>` names in warehouse Asset URIs (`postgres://<authority>/raw/<table>`)."""
    tables = set()
    for uri in uris:
        parts = uri.rstrip("/").split("/")
        if len(parts) >= 2 and parts[-2] == schemas.RAW:
            tables.add(parts[-1])
    return sorted(tables)


def dbt_selection(raw_tables: Iterable[str]) -> str | None:
    """The `--select` of a build after these raw tables changed; None = everything."""
    by_table = {entity.table: entity for entity in load_registry().entities()}
    selectors = [
        f"source:{by_table[table].source}.{by_table[table].name}+"
        for table in sorted(set(raw_tables))
        if table in by_table
    ]
    return " ".join(selectors) if selectors else None


def built_marts(results: Any) -> list[str]:
    """Relation names of the mart models a dbt build ran successfully."""
    marts = set()
    for result in getattr(results, "results", None) or []:
        node = result.node
        status = str(getattr(result, "status", "")).lower().split(".")[-1]
        if is_mart(node) and status == "success":
            marts.add(getattr(node, "alias", None) or node.name)
    return sorted(marts)


def triggering_uris(context: Mapping[str, Any]) -> list[str]:
    """URIs of the Assets whose events started this Airflow run."""
    events = context.get("triggering_asset_events") or {}
    return [str(getattr(asset, "uri", asset)) for asset in events]


def rebuilt_marts(context: Mapping[str, Any]) -> list[str] | None:
    """The marts the triggering transform runs rebuilt; None (= all) for any other start."""
    events = context.get("triggering_asset_events") or {}
    extras = [dict(event.extra or {}) for asset_events in events.values() for event in asset_events]
    if not extras or any("marts" not in extra for extra in extras):
        return None
    return sorted({mart for extra in extras for mart in extra["marts"]})
