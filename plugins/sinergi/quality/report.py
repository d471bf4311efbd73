"""What a quality run did, as figures: checks run, passed, failed; quarantine by reason.

`make demo` and the CLI print it; the numbers come from `meta.dq_results`,
`meta.publish_runs` and `quarantine.records` only, so the report is the same
whether the run happened in Airflow or on the command line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import psycopg


@dataclass(frozen=True)
class QualityReport:
    run_id: str | None
    checks: int = 0
    passed: int = 0
    failed_blocking: list[dict[str, Any]] = field(default_factory=list)
    failed_warning: list[dict[str, Any]] = field(default_factory=list)
    by_suite: list[tuple[str, int, int]] = field(default_factory=list)  # suite, run, failed
    quarantine_by_reason: list[tuple[str, str, str, int]] = field(default_factory=list)
    publish: dict[str, Any] | None = None


def latest_run_id(conn: psycopg.Connection) -> str | None:
    row = conn.execute(
        "select run_id from meta.dq_results order by result_id desc limit 1"
    ).fetchone()
    return str(row[0]) if row else None


def build_report(conn: psycopg.Connection, run_id: str | None = None) -> QualityReport:
    """The report of `run_id` (default: the latest run)."""
    run_id = run_id or latest_run_id(conn)
    quarantine = [
        (str(s), str(e), str(r), int(n))
        for s, e, r, n in conn.execute(
            "select source, entity, reason, count(*) from quarantine.records"
            " where released_at is null group by 1, 2, 3 order by 1, 2, 4 desc, 3"
        ).fetchall()
    ]
    if run_id is None:
        return QualityReport(None, quarantine_by_reason=quarantine)
    rows = conn.execute(
        "select suite, expectation, column_name, success, is_blocking, observed_value,"
        " unexpected_count from meta.dq_results where run_id = %s order by result_id",
        (run_id,),
    ).fetchall()
    suites: dict[str, list[int]] = {}
    blocking: list[dict[str, Any]] = []
    warning: list[dict[str, Any]] = []
    for suite, expectation, column, success, is_blocking, observed, unexpected in rows:
        counts = suites.setdefault(suite, [0, 0])
        counts[0] += 1
        if success:
            continue
        counts[1] += 1
        item = {
            "suite": suite,
            "expectation": expectation,
            "column": column,
            "observed_value": observed,
            "unexpected_count": unexpected,
        }
        (blocking if is_blocking else warning).append(item)
    publish = conn.execute(
        "select status, tables, row_counts, reason, finished_at from meta.publish_runs"
        " where run_id = %s order by publish_id desc limit 1",
        (run_id,),
    ).fetchone()
    return QualityReport(
        run_id=run_id,
        checks=len(rows),
        passed=sum(1 for r in rows if r[3]),
        failed_blocking=blocking,
        failed_warning=warning,
        by_suite=[(s, c[0], c[1]) for s, c in sorted(suites.items())],
        quarantine_by_reason=quarantine,
        publish=dict(
            zip(("status", "tables", "row_counts", "reason", "finished_at"), publish, strict=True)
        )
        if publish
        else None,
    )


def render(report: QualityReport) -> list[str]:
    """The report as text lines, for terminals and logs."""
    lines = [f"quality run {report.run_id or '(none yet)'}"]
    failed = len(report.failed_blocking) + len(report.failed_warning)
    lines.append(
        f"checks run: {report.checks}  passed: {report.passed}  failed: {failed}"
        f" ({len(report.failed_blocking)} blocking, {len(report.failed_warning)} warnings)"
    )
    for suite, run, bad in report.by_suite:
        lines.append(f"  {suite}: {run} checks, {bad} failed")
    for label, items in (("BLOCKING", report.failed_blocking), ("warning", report.failed_warning)):
        for item in items:
            column = f" [{item['column']}]" if item["column"] else ""
            lines.append(
                f"  {label}: {item['suite']} {item['expectation']}{column}"
                f" unexpected={item['unexpected_count']} observed={item['observed_value']}"
            )
    total = sum(n for *_, n in report.quarantine_by_reason)
    lines.append(f"quarantined rows: {total}")
    for source, entity, reason, count in report.quarantine_by_reason:
        lines.append(f"  {source}.{entity} {reason}: {count}")
    if report.publish:
        p = report.publish
        lines.append(f"publish: {p['status']}" + (f" ({p['reason']})" if p["reason"] else ""))
        for table, rows in sorted((p["row_counts"] or {}).items()):
            lines.append(f"  marts.{table}: {rows} rows")
    return lines
