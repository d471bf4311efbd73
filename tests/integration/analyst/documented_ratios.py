"""What the marts' documentation says about their ratios, and a check that it holds.

A mart column that is a ratio of two other columns of the same mart says so
twice in its dbt properties (`dbt_project/models/marts/**/_*__models.yml`):
in its description, as `numerator / denominator` with the two column names,
for the analyst, and in `config.meta.ratio: [numerator, denominator]`, for
this check. `meta.null_unless: <boolean column>` adds that the ratio is null
(no data) wherever that column is false.

The check recomputes each ratio from the published mart's own columns. The
mart computed it from unrounded figures and rounded the result; its
columns hold those figures rounded too. So a row agrees when the stored
value lies within what rounding can explain: half a unit of the ratio's last
digit plus how far rounding the numerator and denominator (half a unit of
their last digits) can move the quotient. A ratio over another denominator,
such as `jp_total` where the mart divides by `jp_total_all`, lies outside.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import psycopg
import yaml
from psycopg import sql

from sinergi.transform.dbt import dbt_project_dir

# `a / b` in a description, both sides column names (checked against the mart's columns)
_STATED = re.compile(r"\b([a-z_][a-z0-9_]*) / ([a-z_][a-z0-9_]*)\b")


@dataclass(frozen=True)
class Ratio:
    mart: str
    column: str
    numerator: str
    denominator: str
    null_unless: str | None = None


@dataclass(frozen=True)
class MartDocs:
    name: str
    description: str
    columns: dict[str, dict[str, Any]]  # name -> its properties (description, config, ...)


def mart_docs() -> dict[str, MartDocs]:
    """Every mart model's properties, from the property files under models/marts."""
    docs: dict[str, MartDocs] = {}
    for path in sorted((dbt_project_dir() / "models" / "marts").rglob("_*__models.yml")):
        for model in yaml.safe_load(path.read_text(encoding="utf-8"))["models"]:
            docs[model["name"]] = MartDocs(
                model["name"],
                model.get("description", ""),
                {column["name"]: column for column in model.get("columns", [])},
            )
    return docs


def _meta(column: dict[str, Any]) -> dict[str, Any]:
    return (column.get("config") or {}).get("meta") or column.get("meta") or {}


def documented_ratios(docs: dict[str, MartDocs]) -> list[Ratio]:
    """Each column's `meta.ratio`, in file order."""
    ratios = []
    for mart in docs.values():
        for name, column in mart.columns.items():
            meta = _meta(column)
            if "ratio" in meta:
                numerator, denominator = meta["ratio"]
                ratios.append(
                    Ratio(mart.name, name, numerator, denominator, meta.get("null_unless"))
                )
    return ratios


def stated_ratios(description: str, columns: set[str]) -> set[tuple[str, str]]:
    """The `a / b` pairs of a description whose both sides are columns of the mart."""
    return {(a, b) for a, b in _STATED.findall(description or "") if a in columns and b in columns}


def _half_unit(scale: int | None) -> Decimal:
    """Half a unit of the last digit a column keeps (0 for integers: exact)."""
    return Decimal(0) if not scale else Decimal(5) / Decimal(10) ** (scale + 1)


def _scales(conn: psycopg.Connection, schema: str, mart: str) -> dict[str, int | None]:
    return {
        name: scale
        for name, scale in conn.execute(
            "select column_name, numeric_scale from information_schema.columns"
            " where table_schema = %s and table_name = %s",
            (schema, mart),
        )
    }


def check_ratio(
    conn: psycopg.Connection, ratio: Ratio, schema: str = "marts"
) -> tuple[int, list[str]]:
    """(rows where the ratio has a value to check, disagreements as readable lines)."""
    scales = _scales(conn, schema, ratio.mart)
    needed = {ratio.column, ratio.numerator, ratio.denominator, ratio.null_unless or ratio.column}
    missing = needed - set(scales)
    if missing:
        return 0, [f"{ratio.mart}.{ratio.column}: no column(s) {sorted(missing)}"]
    eps_n, eps_d = _half_unit(scales[ratio.numerator]), _half_unit(scales[ratio.denominator])
    eps_r = _half_unit(scales[ratio.column])
    columns = [ratio.column, ratio.numerator, ratio.denominator, ratio.null_unless or ratio.column]
    query = sql.SQL("select {} from {}").format(
        sql.SQL(", ").join(map(sql.Identifier, columns)), sql.Identifier(schema, ratio.mart)
    )
    checked, out = 0, []
    name = f"{ratio.mart}.{ratio.column}"
    for stored, numerator, denominator, guard in conn.execute(query):
        where = f"{name} = {stored} with {ratio.numerator} = {numerator}, "
        where += f"{ratio.denominator} = {denominator}"
        if ratio.null_unless and guard is False:
            if stored is not None:
                out.append(f"{where}, {ratio.null_unless} false: should be null")
            continue
        if numerator is None or denominator is None or denominator == 0:
            if denominator == 0 and eps_d:
                continue  # rounded to 0: the true denominator may be a sliver above
            if stored is not None:
                out.append(f"{where}: should be null")
            continue
        expected = Decimal(numerator) / Decimal(denominator)
        tolerance = eps_r + (eps_n + abs(expected) * eps_d) / (abs(Decimal(denominator)) - eps_d)
        checked += 1
        if stored is None:
            out.append(f"{where}: null, expected {expected:.6f}")
        elif abs(Decimal(stored) - expected) > tolerance:
            out.append(f"{where}: expected {expected:.6f} (within {tolerance:.6f})")
    return checked, out
