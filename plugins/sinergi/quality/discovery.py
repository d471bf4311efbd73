"""What to check: the audited marts and the staging models, found rather than listed.

The dbt models change faster than this package: the marts are the models
under `models/marts/` of dbt's manifest (their unique tests give the keys),
and without a manifest every table dbt left in the audit schema. Staging
models are matched to their raw table through the manifest's sources, or by
name (`stg_<source>__<entity>s` reads `raw.<source>__<entity>`).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

from sinergi.quality.config import QualitySettings

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


def load_manifest(path: Path) -> dict[str, Any] | None:
    if not path.exists():
        return None
    try:
        return dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, json.JSONDecodeError) as exc:
        log.warning("dbt manifest %s unreadable (%s); discovering from the warehouse", path, exc)
        return None


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


def manifest_marts(manifest: dict[str, Any], prefix: str) -> dict[str, str]:
    """{relation name: node id} of the manifest's mart models."""
    marts = {}
    for node_id, node in manifest.get("nodes", {}).items():
        if node.get("resource_type") != "model":
            continue
        if not str(node.get("original_file_path", "")).startswith(prefix):
            continue
        if node.get("config", {}).get("materialized") in ("view", "ephemeral"):
            continue
        marts[node.get("alias") or node["name"]] = node_id
    return marts


def _manifest_keys(manifest: dict[str, Any], node_id: str) -> tuple[str, ...]:
    """A model's key as its dbt tests or contract state it (first one found)."""
    node = manifest["nodes"][node_id]
    for constraint in node.get("constraints", []):
        if constraint.get("type") == "primary_key" and constraint.get("columns"):
            return tuple(constraint["columns"])
    for column in node.get("columns", {}).values():
        for constraint in column.get("constraints", []):
            if constraint.get("type") == "primary_key":
                return (column["name"],)
    unique_columns: list[tuple[str, ...]] = []
    for test in manifest.get("nodes", {}).values():
        if test.get("resource_type") != "test" or test.get("attached_node") != node_id:
            continue
        meta = test.get("test_metadata") or {}
        kwargs = meta.get("kwargs") or {}
        if meta.get("name") == "unique_combination_of_columns":
            return tuple(kwargs.get("combination_of_columns") or ())
        if meta.get("name") == "unique" and (test.get("column_name") or kwargs.get("column_name")):
            unique_columns.append((str(test.get("column_name") or kwargs["column_name"]),))
    return unique_columns[0] if unique_columns else ()


def discover_marts(conn: psycopg.Connection, config: QualitySettings) -> list[MartTable]:
    """The marts to audit: manifest marts present in the audit schema, else all its tables."""
    columns = relation_columns(conn, config.audit_schema)
    numeric = numeric_columns(conn, config.audit_schema)
    present = set(base_tables(conn, config.audit_schema))
    manifest = load_manifest(config.manifest_path)
    node_ids = manifest_marts(manifest, config.mart_path_prefix) if manifest else {}
    names = sorted(n for n in node_ids if n in present) if node_ids else sorted(present)
    missing = sorted(set(node_ids) - present)
    if missing:
        log.warning("mart models not built in %s: %s", config.audit_schema, missing)
    marts = []
    for name in names:
        key = tuple(config.keys.get(name) or ())
        if not key and manifest and name in node_ids:
            key = _manifest_keys(manifest, node_ids[name])
        marts.append(MartTable(name, columns.get(name, ()), key, numeric.get(name, ())))
    return marts


def _manifest_staging(manifest: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """{relation name: (schema, raw table)} of staging models reading exactly one source."""
    found = {}
    sources = manifest.get("sources", {})
    for node in manifest.get("nodes", {}).values():
        if node.get("resource_type") != "model":
            continue
        if not str(node.get("original_file_path", "")).startswith("models/staging/"):
            continue
        upstream = [sources[n] for n in node.get("depends_on", {}).get("nodes", []) if n in sources]
        if len(upstream) == 1:
            raw_table = upstream[0].get("identifier") or upstream[0]["name"]
            found[node.get("alias") or node["name"]] = (node["schema"], raw_table)
    return found


def _by_name(model: str, raw_tables: list[str]) -> str | None:
    """`stg_siasn__asns` reads `siasn__asn`: the longest raw table name the model extends."""
    stem = model.removeprefix("stg_")
    candidates = [t for t in raw_tables if stem.startswith(t)]
    return max(candidates, key=len) if candidates else None


def discover_staging(conn: psycopg.Connection, config: QualitySettings) -> list[StagingModel]:
    """Staging relations that flag invalid rows (`invalid_reason`) with their raw table."""
    raw_tables = base_tables(conn, "raw")
    manifest = load_manifest(config.manifest_path)
    mapped = _manifest_staging(manifest) if manifest else {}
    schemas = {schema for schema, _ in mapped.values()} | {config.staging_schema}
    models = []
    for schema in sorted(schemas):
        for name, columns in relation_columns(conn, schema).items():
            if "invalid_reason" not in columns:
                continue
            raw_table = mapped[name][1] if name in mapped else _by_name(name, raw_tables)
            if raw_table is None or raw_table not in raw_tables:
                log.warning("staging %s.%s: no raw table found; not reconciled", schema, name)
                continue
            models.append(StagingModel(name, schema, raw_table, columns))
    return models
