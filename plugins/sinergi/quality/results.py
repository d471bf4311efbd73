"""Check results: one shape for GX expectations and Sinergi's own checks, stored in meta.

Whatever ran the check (a GX checkpoint, the reconciliation, the staging
quarantine copy), its outcome lands in `meta.dq_results` in the same form,
so the publish gate, the report and the alerts read one table.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check (one expectation of one suite)."""

    suite: str
    expectation: str
    success: bool
    is_blocking: bool
    column: str | None = None
    observed_value: Any = None
    unexpected_count: int | None = None
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def blocks(self) -> bool:
        return self.is_blocking and not self.success


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value) if value != value.to_integral_value() else int(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    return str(value)


def to_json(value: Any) -> Any:
    """A JSON-safe copy (GX results carry Decimals, dates and its own types)."""
    return json.loads(json.dumps(value, default=_json_default))


def store_results(conn: psycopg.Connection, run_id: str, results: Iterable[CheckResult]) -> int:
    """Append results to `meta.dq_results` under `run_id`; returns how many."""
    results = list(results)
    rows = [
        (
            run_id,
            r.suite,
            r.expectation,
            r.column,
            r.success,
            r.is_blocking,
            Jsonb(to_json(r.observed_value)),
            r.unexpected_count,
            Jsonb(to_json(r.details)),
        )
        for r in results
    ]
    with conn.cursor() as cur:
        cur.executemany(
            "insert into meta.dq_results (run_id, suite, expectation, column_name, success,"
            " is_blocking, observed_value, unexpected_count, details)"
            " values (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
            rows,
        )
    for r in (r for r in results if not r.success):
        log.log(
            logging.ERROR if r.is_blocking else logging.WARNING,
            "%s check failed: %s %s%s (observed %s, unexpected %s)",
            "blocking" if r.is_blocking else "warning",
            r.suite,
            r.expectation,
            f" on {r.column}" if r.column else "",
            r.observed_value,
            r.unexpected_count,
        )
    return len(rows)


@dataclass(frozen=True)
class RunSummary:
    """Counts of one quality run, for the CLI report and the publish gate."""

    run_id: str
    checks: int
    passed: int
    failed: int
    blocking_failures: list[dict[str, Any]]
    warnings: list[dict[str, Any]]

    @property
    def alertable_warnings(self) -> list[dict[str, Any]]:
        """Warnings worth a message: not raw-contract rows, which are already quarantined."""
        return [w for w in self.warnings if not w.get("quarantines")]

    @property
    def may_publish(self) -> bool:
        return self.checks > 0 and not self.blocking_failures


def summarise_run(conn: psycopg.Connection, run_id: str) -> RunSummary:
    """What `meta.dq_results` says about one run."""
    rows = conn.execute(
        "select suite, expectation, column_name, success, is_blocking, observed_value,"
        " unexpected_count, coalesce((details ->> 'quarantines')::boolean, false)"
        " from meta.dq_results where run_id = %s order by result_id",
        (run_id,),
    ).fetchall()
    failures: list[dict[str, Any]] = []
    warnings: list[dict[str, Any]] = []
    for suite, expectation, column, ok, blocking, observed, unexpected, quarantines in rows:
        if ok:
            continue
        item = {
            "suite": suite,
            "expectation": expectation,
            "column": column,
            "observed_value": observed,
            "unexpected_count": unexpected,
            "quarantines": quarantines,
        }
        (failures if blocking else warnings).append(item)
    passed = sum(1 for row in rows if row[3])
    return RunSummary(run_id, len(rows), passed, len(rows) - passed, failures, warnings)
