"""What to check: the audited marts and the staging models, found rather than listed.

The dbt models change faster than this package: the marts are the models
under `models/marts/` of dbt's manifest (their unique tests give the keys),
and without a manifest every table dbt left in the audit schema. Staging
models are matched to their raw table through the manifest's sources, or by
name (`stg_<source>__<entity>s` reads `raw.<source>__<entity>`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import psycopg

from sinergi.quality.config import QualitySettings
from sinergi.transform.manifest import load_manifest, mart_models, model_key, staging_sources
from sinergi.warehouse import schemas

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MartTable:
    """A mart as built in the audit schema."""

    name: str
    columns: tuple[str, ...]
    key: tuple[str, ...] = ()
    numeric_columns: tuple[str, ...] = ()  # where value checks (shares, JP, amounts) apply


@dataclass(frozen=True)
class StagingModel:
    """A staging relation and the raw table it reads."""

    name: str
    schema: str
    raw_table: str
    columns: tuple[str, ...]

    @property
    def source(self) -> str:
        return self.raw_table.split("__", 1)[0]

    @property
    def entity(self) -> str:
        return self.raw_table.split("__", 1)[1]


def relation_columns(conn: psycopg.Connection, schema: str) -> dict[str, tuple[str, ...]]:
    """Columns of every table and view of a schema, in table order."""
    rows = conn.execute(
        "select table_name, column_name from information_schema.columns"
        " where table_schema = %s order by table_name, ordinal_position",
        (schema,),
    ).fetchall()
    found: dict[str, list[str]] = {}
    for table, column in rows:
        found.setdefault(table, []).append(column)
    return {t: tuple(cols) for t, cols in found.items()}


_NUMERIC_TYPES = ("smallint", "integer", "bigint", "numeric", "real", "double precision")


def numeric_columns(conn: psycopg.Connection, schema: str) -> dict[str, tuple[str, ...]]:
    """Numeric columns per table: `has_reached_20_jp` is a flag, not a JP amount."""
    rows = conn.execute(
        "select table_name, column_name from information_schema.columns"
        " where table_schema = %s and data_type = any(%s) order by table_name, ordinal_position",
        (schema, list(_NUMERIC_TYPES)),
    ).fetchall()
    found: dict[str, list[str]] = {}
    for table, column in rows:
        found.setdefault(table, []).append(column)
    return {t: tuple(cols) for t, cols in found.items()}


def base_tables(conn: psycopg.Connection, schema: str) -> list[str]:
    rows = conn.execute(
        "select table_name from information_schema.tables"
        " where table_schema = %s and table_type = 'BASE TABLE' order by table_name",
        (schema,),
    ).fetchall()
    return [name for (name,) in rows]


def discover_marts(conn: psycopg.Connection, config: QualitySettings) -> list[MartTable]:
    """The marts to audit: manifest marts present in the audit schema, else all its tables."""
    columns = relation_columns(conn, schemas.AUDIT)
    numeric = numeric_columns(conn, schemas.AUDIT)
    present = set(base_tables(conn, schemas.AUDIT))
    manifest = load_manifest()
    node_ids = mart_models(manifest) if manifest else {}
    names = sorted(n for n in node_ids if n in present) if node_ids else sorted(present)
    missing = sorted(set(node_ids) - present)
    if missing:
        log.warning("mart models not built in %s: %s", schemas.AUDIT, missing)
    marts = []
    for name in names:
        key = tuple(config.keys.get(name) or ())
        if not key and manifest and name in node_ids:
            key = model_key(manifest, node_ids[name])
        marts.append(MartTable(name, columns.get(name, ()), key, numeric.get(name, ())))
    return marts


def _by_name(model: str, raw_tables: list[str]) -> str | None:
    """`stg_siasn__asns` reads `siasn__asn`: the longest raw table name the model extends."""
    stem = model.removeprefix("stg_")
    candidates = [t for t in raw_tables if stem.startswith(t)]
    return max(candidates, key=len) if candidates else None


def discover_staging(conn: psycopg.Connection, config: QualitySettings) -> list[StagingModel]:
    """Staging relations that flag invalid rows (`invalid_reason`) with their raw table."""
    raw_tables = base_tables(conn, schemas.RAW)
    manifest = load_manifest()
    mapped = staging_sources(manifest) if manifest else {}
    models = []
    for schema in sorted({schema for schema, _ in mapped.values()} | {schemas.STAGING}):
        for name, columns in relation_columns(conn, schema).items():
            if "invalid_reason" not in columns:
                continue
            raw_table = mapped[name][1] if name in mapped else _by_name(name, raw_tables)
            if raw_table is None or raw_table not in raw_tables:
                log.warning("staging %s.%s: no raw table found; not reconciled", schema, name)
                continue
            models.append(StagingModel(name, schema, raw_table, columns))
    return models
