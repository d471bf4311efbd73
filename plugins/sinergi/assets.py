"""The Airflow Assets of the warehouse's tables, defined once for producers and consumers.

Airflow matches assets by URI, so the ingest DAGs (producers) and the dbt DAG
(consumer) must build exactly the same strings: both import them from here.
URIs follow the form Cosmos gives dbt models,
`postgres://<host>:<port>/<db>/<schema>/<table>`, with `<host>:<port>/<db>`
taken from one setting, `SINERGI_ASSET_AUTHORITY`. It names the warehouse
logically (the embedded server has only a socket) and must be the same on
every Airflow component.

`RAW_ASSETS` has one Asset per registry entity (`sources.yml`), keyed
`"<source>__<entity>"`, e.g. `RAW_ASSETS["siasn__asn"]`.
"""

from __future__ import annotations

import os

from airflow.sdk import Asset

from sinergi.ingestion.registry import load_registry
from sinergi.warehouse import schemas

AUTHORITY_VARIABLE = "SINERGI_ASSET_AUTHORITY"
DEFAULT_AUTHORITY = "sinergi-warehouse:5432/sinergi"


def asset_authority() -> str:
    """`<host>:<port>/<db>` of every warehouse Asset URI."""
    return os.environ.get(AUTHORITY_VARIABLE, DEFAULT_AUTHORITY).strip("/")


def warehouse_table_uri(schema: str, table: str) -> str:
    return f"postgres://{asset_authority()}/{schema}/{table}"


def warehouse_table_asset(schema: str, table: str) -> Asset:
    """The Asset of one warehouse table (any layer: raw, staging, marts, ...)."""
    return Asset(warehouse_table_uri(schema, table))


def _raw_assets() -> dict[str, Asset]:
    return {
        entity.table: warehouse_table_asset(schemas.RAW, entity.table)
        for entity in load_registry().entities()
    }


RAW_ASSETS: dict[str, Asset] = _raw_assets()
