"""The GX suites of the marts, generated from their columns and `quality.yml`.

Every mart dbt built into the audit schema gets a suite `marts__<table>`;
which checks apply follows from column names (see the conventions in
`quality.yml`), so a new mart is covered without code and a renamed column
drops out of a check visibly (the suite in Data Docs lists what ran).
Each expectation carries `meta.check` (the name stored in `meta.dq_results`)
and `meta.blocking` (whether a failure stops the publish).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql

from sinergi.quality.config import QualitySettings, matching_columns
from sinergi.quality.discovery import MartTable
from sinergi.quality.results import CheckResult
from sinergi.warehouse import schemas

log = logging.getLogger(__name__)


def suite_name(table: str) -> str:
    return f"marts__{table}"


@dataclass(frozen=True)
class MartContext:
    """Facts from the warehouse the suites need: previous row counts, province codes."""

    previous_rows: dict[str, int]
    province_codes: tuple[str, ...] | None


def previous_row_counts(conn: psycopg.Connection) -> dict[str, int]:
    """Row counts of the marts in the last successful publish (empty before the first)."""
    row = conn.execute(
        "select row_counts from meta.publish_runs where status = 'published'"
        " order by publish_id desc limit 1"
    ).fetchone()
    return {k: int(v) for k, v in (row[0] if row else {}).items()}


def province_codes(conn: psycopg.Connection, config: QualitySettings) -> tuple[str, ...] | None:
    """Province codes of the region seed; None when the seed is not (yet) in the warehouse."""
    spec = config.check("provinces_present")
    table = sql.Identifier(schemas.INTERMEDIATE, spec["seed_table"])  # where dbt seeds
    found = conn.execute(
        "select to_regclass(%s)", (f"{schemas.INTERMEDIATE}.{spec['seed_table']}",)
    ).fetchone()
    if not found or found[0] is None:
        return None
    rows = conn.execute(
        sql.SQL("select distinct {code}::text from {table} where {level} = %s order by 1").format(
            code=sql.Identifier(spec["seed_code_column"]),
            table=table,
            level=sql.Identifier(spec["seed_level_column"]),
        ),
        (spec["seed_province_level"],),
    ).fetchall()
    return tuple(code for (code,) in rows)


def mart_context(conn: psycopg.Connection, config: QualitySettings) -> MartContext:
    return MartContext(previous_row_counts(conn), province_codes(conn, config))


def row_count_parameters(
    marts: list[MartTable], previous: dict[str, int], config: QualitySettings
) -> dict[str, Any]:
    """GX expectation parameters: each mart's row band around its last published count."""
    band = config.check("row_count_band")
    parameters: dict[str, Any] = {}
    for mart in marts:
        before = previous.get(mart.name)
        if before is None:
            low, high = 0, None  # first publish of this mart: nothing to compare with
        else:
            low = int(before * float(band["min_ratio"]))
            high = int(before * float(band["max_ratio"])) + 1
        parameters[f"min_rows__{mart.name}"] = low
        parameters[f"max_rows__{mart.name}"] = high
    return parameters


def _meta(config: QualitySettings, check: str, **extra: Any) -> dict[str, Any]:
    return {"check": check, "blocking": config.is_blocking(check), **extra}


def _quoted(column: str) -> str:
    return '"' + column.replace('"', '""') + '"'


def mart_expectations(
    mart: MartTable, config: QualitySettings, facts: MartContext
) -> tuple[list[Any], list[CheckResult]]:
    """GX expectations for one mart, plus results of checks that could not be built."""
    import great_expectations as gx

    ex = gx.expectations
    columns = list(mart.columns)
    found: list[Any] = []
    unbuilt: list[CheckResult] = []
    if len(mart.key) == 1:
        found.append(
            ex.ExpectColumnValuesToBeUnique(
                column=mart.key[0], meta=_meta(config, "keys_unique"), description="key unique"
            )
        )
    elif mart.key:
        found.append(
            ex.ExpectCompoundColumnsToBeUnique(
                column_list=list(mart.key),
                meta=_meta(config, "keys_unique"),
                description=f"key ({', '.join(mart.key)}) unique",
            )
        )
    else:
        unbuilt.append(
            CheckResult(
                suite_name(mart.name),
                "keys_unique",
                False,
                False,
                details={"reason": "no key declared (dbt unique test or quality.yml keys)"},
            )
        )
    share_patterns = config.check("shares_in_unit_interval")["column_patterns"]
    for column in matching_columns(list(mart.numeric_columns), share_patterns):
        found.append(
            ex.ExpectColumnValuesToBeBetween(
                column=column,
                min_value=0,
                max_value=1,
                meta=_meta(config, "shares_in_unit_interval"),
            )
        )
    for check in ("jp_non_negative", "amounts_non_negative"):
        patterns = config.check(check)["column_patterns"]
        for column in matching_columns(list(mart.numeric_columns), patterns):
            found.append(
                ex.ExpectColumnValuesToBeBetween(
                    column=column, min_value=0, meta=_meta(config, check)
                )
            )
    realisation = config.check("realisation_within_allocation")
    multiple = float(realisation["max_multiple"])
    for spent, allocated in realisation.get("pairs", []):
        if spent in columns and allocated in columns:
            shown = ", ".join(_quoted(c) for c in (*mart.key, allocated, spent))
            found.append(
                ex.UnexpectedRowsExpectation(
                    unexpected_rows_query=(
                        f"select {shown} from {{batch}} where {_quoted(spent)}"
                        f" > {multiple} * coalesce({_quoted(allocated)}, 0)"
                    ),
                    description=f"{spent} at most {multiple} x {allocated}",
                    meta=_meta(config, "realisation_within_allocation", column=spent),
                )
            )
    found.append(
        ex.ExpectTableRowCountToBeBetween(
            min_value={"$PARAMETER": f"min_rows__{mart.name}"},
            max_value={"$PARAMETER": f"max_rows__{mart.name}"},
            meta=_meta(config, "row_count_band"),
            description="row count within the band of the last published run",
        )
    )
    for column in matching_columns(columns, config.check("provinces_present")["columns"]):
        if facts.province_codes is None:
            unbuilt.append(
                CheckResult(
                    suite_name(mart.name),
                    "provinces_present",
                    False,
                    False,
                    column,
                    details={"reason": "region seed not found in the warehouse"},
                )
            )
            continue
        found.append(
            ex.ExpectColumnDistinctValuesToContainSet(
                column=column,
                value_set=list(facts.province_codes),
                meta=_meta(config, "provinces_present"),
                description=f"all {len(facts.province_codes)} provinces present",
            )
        )
    for column in matching_columns(columns, config.check("dob_rows_present")["columns"]):
        found.append(
            ex.ExpectColumnDistinctValuesToContainSet(
                column=column,
                value_set=[True],
                meta=_meta(config, "dob_rows_present"),
                description="rows of the new Papua provinces (DOB) present",
            )
        )
    return found, unbuilt
