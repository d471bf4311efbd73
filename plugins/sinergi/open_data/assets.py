"""The Assets the `open_data` DAG waits for: the published marts it exports.

From dbt's manifest at DAG-parse time, like the publish's outlets
(`sinergi.publish.assets`), so both name the same URIs. Without a manifest
there are none and the DAG runs only when triggered.
"""

from __future__ import annotations

import logging

from airflow.sdk import Asset

from sinergi.assets import warehouse_table_asset
from sinergi.open_data import config
from sinergi.open_data.export import load_manifest_file
from sinergi.open_data.marts import ManifestMissing, exportable_marts

log = logging.getLogger(__name__)


def exported_mart_assets() -> list[Asset]:
    """One Asset per published mart the export writes."""
    try:
        manifest = load_manifest_file(config.default_manifest_path())
    except (ManifestMissing, ValueError) as error:
        log.warning("open data: %s: no mart Assets", error)
        return []
    return [warehouse_table_asset(config.PUBLISHED_SCHEMA, n) for n in exportable_marts(manifest)]
