"""The Assets the `open_data` DAG waits for: the published marts it may export.

Taken from what the publish emits (`sinergi.publish.assets`), so the two
always name the same URIs, less the marts never exported by name. Without a
dbt manifest at parse time there are none and the DAG runs only when
triggered.
"""

from __future__ import annotations

from airflow.sdk import Asset

from sinergi.open_data import config
from sinergi.publish.assets import published_mart_assets


def exported_mart_assets() -> list[Asset]:
    """One Asset per published mart, the person-level ones left out."""
    return [
        asset
        for asset in published_mart_assets()
        if asset.uri.rsplit("/", 1)[-1] not in config.EXCLUDED_MARTS
    ]
