"""The published marts to export: their rows (as text) and dbt's documentation of them.

Titles and column definitions come from dbt's manifest, the same descriptions
the publish leaves as table and column comments; a mart's key from its dbt
unique tests; ratios from `config.meta.ratio` (what suppression follows).
Values are read as PostgreSQL's text (`true`, `12.50`), so a file is the same
bytes whoever reads the same rows; rows are sorted in Python, not by the
server's collation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import sql

from sinergi.open_data import config
from sinergi.transform.manifest import mart_models, model_key

Row = dict[str, str | None]


@dataclass(frozen=True)
class Column:
    name: str
    data_type: str  # information_schema's: integer, numeric, text, boolean, date, ...
    description: str = ""
    ratio: tuple[str, str] | None = None  # (numerator, denominator)

    @property
    def is_count(self) -> bool:
        return config.is_count_column(self.name, self.data_type)


@dataclass
class MartTable:
    name: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    rows: list[Row] = field(default_factory=list)

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)

    @property
    def count_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.is_count)


class ManifestMissing(LookupError):
    """No dbt manifest (nothing says which tables are marts nor what they mean), or no
    exportable mart published yet."""


def exclusion_reason(name: str, columns: list[str]) -> str | None:
    """Why a mart is never exported, or None when it may be."""
    if name in config.EXCLUDED_MARTS:
        return config.EXCLUDED_MARTS[name]
    pseudonyms = [c for c in columns if config.matches(c, config.PSEUDONYM_COLUMNS)]
    if pseudonyms:
        return f"carries a NIP or pseudonym ({', '.join(pseudonyms)})"
    return None


def exportable_marts(manifest: dict[str, Any]) -> list[str]:
    """The manifest's marts that may be exported, by name and documented columns."""
    names = []
    for name, node_id in sorted(mart_models(manifest).items()):
        columns = list(manifest["nodes"][node_id].get("columns", {}))
        if exclusion_reason(name, columns) is None:
            names.append(name)
    return names


def _ratio(column: dict[str, Any]) -> tuple[str, str] | None:
    meta = (column.get("config") or {}).get("meta") or column.get("meta") or {}
    ratio = meta.get("ratio")
    if isinstance(ratio, list) and len(ratio) == 2:
        return str(ratio[0]), str(ratio[1])
    return None


def read_marts(
    conn: psycopg.Connection,
    manifest: dict[str, Any],
    schema: str = config.PUBLISHED_SCHEMA,
) -> list[MartTable]:
    """Every exportable mart present in `schema`, documented from the manifest."""
    node_ids = mart_models(manifest)
    types = _column_types(conn, schema)
    tables = []
    for name in exportable_marts(manifest):
        if name not in types:
            continue  # in the manifest, never published (yet)
        # the published table's own columns decide: a pseudonym added to the SQL
        # before its documentation must not slip out
        if exclusion_reason(name, [c for c, _ in types[name]]) is not None:
            continue
        node = manifest["nodes"][node_ids[name]]
        documented = node.get("columns", {})
        columns = tuple(
            Column(
                column,
                data_type,
                str((documented.get(column) or {}).get("description") or ""),
                _ratio(documented.get(column) or {}),
            )
            for column, data_type in types[name]
        )
        names = [c.name for c in columns]
        key = tuple(k for k in model_key(manifest, node_ids[name]) if k in names)
        table = MartTable(name, str(node.get("description") or ""), columns, key or tuple(names))
        table.rows = _rows(conn, schema, table)
        tables.append(table)
    return tables


def _column_types(conn: psycopg.Connection, schema: str) -> dict[str, list[tuple[str, str]]]:
    rows = conn.execute(
        "select c.table_name, c.column_name, c.data_type from information_schema.columns c"
        " join information_schema.tables t using (table_schema, table_name)"
        " where c.table_schema = %s and t.table_type = 'BASE TABLE'"
        " order by c.table_name, c.ordinal_position",
        (schema,),
    ).fetchall()
    found: dict[str, list[tuple[str, str]]] = {}
    for table, column, data_type in rows:
        found.setdefault(table, []).append((column, data_type))
    return found


def _rows(conn: psycopg.Connection, schema: str, table: MartTable) -> list[Row]:
    names = [c.name for c in table.columns]
    query = sql.SQL("select {} from {}").format(
        sql.SQL(", ").join(sql.SQL("{}::text").format(sql.Identifier(n)) for n in names),
        sql.Identifier(schema, table.name),
    )
    rows = [dict(zip(names, row, strict=True)) for row in conn.execute(query).fetchall()]
    return sorted(rows, key=lambda row: sort_key(row, table))


def sort_key(row: Row, table: MartTable) -> tuple[tuple[int, Any], ...]:
    """Key order: integers as numbers, nulls first, text by code point."""
    parts: list[tuple[int, Any]] = []
    for name in table.key:
        value = row.get(name)
        column = table.column(name)
        if value is None:
            parts.append((0, ""))
        elif column is not None and column.data_type in ("integer", "bigint", "smallint"):
            parts.append((1, int(value)))
        else:
            parts.append((2, value))
    return tuple(parts)
