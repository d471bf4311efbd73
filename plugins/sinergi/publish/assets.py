"""The Assets of the marts: built into `audit` by dbt, published into `marts` by Sinergi.

Known at DAG-parse time from dbt's manifest (the models under
`models/marts/`), so the publish can emit one Asset per published mart. Without a manifest
(before the first `dbt parse`) the publish emits none.
"""

from __future__ import annotations

import logging

from airflow.sdk import Asset

from sinergi.assets import warehouse_table_asset
from sinergi.transform.manifest import load_manifest, manifest_path, mart_models
from sinergi.warehouse import schemas

log = logging.getLogger(__name__)


def mart_names() -> list[str]:
    """Relation names of the mart models in dbt's manifest (empty when it is missing)."""
    manifest = load_manifest()
    if manifest is None:
        log.warning("no dbt manifest at %s: no mart Assets", manifest_path())
        return []
    return sorted(mart_models(manifest))


def published_mart_assets() -> list[Asset]:
    """What the publish emits: each mart as analysts see it."""
    return [warehouse_table_asset(schemas.MARTS, name) for name in mart_names()]


AUDIT_BUILT_URI = "sinergi://audit/marts"


def audit_built_asset() -> Asset:
    """Emitted by each transform run that built the audit marts; starts quality-and-publish.

    Its event's extra lists the marts the run rebuilt (`marts`) and the raw
    tables that caused it (`raw_tables`), so the checks look at what changed.
    """
    return Asset(name="audit_marts_built", uri=AUDIT_BUILT_URI)
