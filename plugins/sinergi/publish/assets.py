"""The Assets of the marts: built into `audit` by dbt, published into `marts` by Sinergi.

Known at DAG-parse time from dbt's manifest (the models under
`models/marts/`), the same source the Cosmos transform DAG parses, so the
URIs here are the ones its mart tasks emit. Without a manifest (before the
first `dbt parse`/build) there are no mart Assets and the quality DAG waits
for a manual trigger.
"""

from __future__ import annotations

import logging

from airflow.sdk import Asset

from sinergi.assets import warehouse_table_asset
from sinergi.quality import config as quality_config
from sinergi.quality.discovery import load_manifest, manifest_marts

log = logging.getLogger(__name__)


def mart_names() -> list[str]:
    """Relation names of the mart models in dbt's manifest (empty when it is missing)."""
    settings = quality_config.settings()
    manifest = load_manifest(settings.manifest_path)
    if manifest is None:
        log.warning("no dbt manifest at %s: no mart Assets", settings.manifest_path)
        return []
    return sorted(manifest_marts(manifest, settings.mart_path_prefix))


def audit_mart_assets() -> list[Asset]:
    """What the transform DAG emits: each mart built into the audit schema."""
    schema = quality_config.settings().audit_schema
    return [warehouse_table_asset(schema, name) for name in mart_names()]


def published_mart_assets() -> list[Asset]:
    """What the publish emits: each mart as analysts see it."""
    schema = quality_config.settings().published_schema
    return [warehouse_table_asset(schema, name) for name in mart_names()]
