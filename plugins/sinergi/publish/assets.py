"""The Assets of the marts: built into `audit` by dbt, published into `marts` by Sinergi.

Known at DAG-parse time from dbt's manifest (the models under
`models/marts/`), so the publish can emit one Asset per published mart. Without a manifest
(before the first `dbt parse`) the publish emits none.
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


def published_mart_assets() -> list[Asset]:
    """What the publish emits: each mart as analysts see it."""
    schema = quality_config.settings().published_schema
    return [warehouse_table_asset(schema, name) for name in mart_names()]


AUDIT_BUILT_URI = "sinergi://audit/marts"


def audit_built_asset() -> Asset:
    """Emitted by each transform run that built the audit marts; starts quality-and-publish.

    Its event's extra lists the marts the run rebuilt (`marts`) and the raw
    tables that caused it (`raw_tables`), so the checks look at what changed.
    """
    return Asset(name="audit_marts_built", uri=AUDIT_BUILT_URI)
