"""What a quality run did, as figures: checks run, passed, failed; quarantine by reason.

`make demo` and the CLI print it; the numbers come from `meta.dq_results`,
`meta.publish_runs` and `quarantine.records` only, so the report is the same
whether the run happened in Airflow or on the command line. Under each failed
check it prints the values behind it (the sample its result kept): a missing
province by code and name, the name read from the region seed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import sql

from sinergi.quality import config as quality_config
from sinergi.warehouse import schemas

PROVINCES_CHECK = "provinces_present"
SAMPLE_SHOWN = 10  # values of a failure's sample printed (meta.dq_results keeps 20)
SAMPLE_CHARS = 240


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
        " unexpected_count, details from meta.dq_results where run_id = %s order by result_id",
        (run_id,),
    ).fetchall()
    suites: dict[str, list[int]] = {}
    blocking: list[dict[str, Any]] = []
    warning: list[dict[str, Any]] = []
    for suite, expectation, column, success, is_blocking, observed, unexpected, details in rows:
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
            "sample": list((details or {}).get("sample") or []),
            "gx_type": (details or {}).get("gx_type"),
        }
        (blocking if is_blocking else warning).append(item)
    _name_provinces(conn, [*blocking, *warning])
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


def _name_provinces(conn: psycopg.Connection, failures: list[dict[str, Any]]) -> None:
    """Give the codes a failed `provinces_present` check found missing their names,
    from the region seed the check reads (codes alone when it is not built)."""
    wanted = [f for f in failures if f["expectation"] == PROVINCES_CHECK and f["sample"]]
    if not wanted:
        return
    spec = quality_config.settings().check(PROVINCES_CHECK)
    schema, table = schemas.INTERMEDIATE, spec["seed_table"]
    found = conn.execute("select to_regclass(%s)", (f"{schema}.{table}",)).fetchone()
    names: dict[str, str] = {}
    if found and found[0] is not None:
        query = sql.SQL("select {code}::text, {name}::text from {table}").format(
            code=sql.Identifier(spec["seed_code_column"]),
            name=sql.Identifier(spec.get("seed_name_column", "nama")),
            table=sql.Identifier(schema, table),
        )
        names = dict(conn.execute(query).fetchall())
    for failure in wanted:
        failure["sample"] = [
            f"{code} {names[str(code)]}" if str(code) in names else str(code)
            for code in failure["sample"]
        ]


def _is_contain_set(item: dict[str, Any]) -> bool:
    return item["expectation"] == PROVINCES_CHECK or "contain_set" in str(item.get("gx_type"))


def _sample_line(item: dict[str, Any]) -> str | None:
    """The values behind a failure, on one line: what is missing, or a sample of the bad."""
    sample = item.get("sample") or []
    if not sample:
        return None
    if item["expectation"] == PROVINCES_CHECK:
        label = "provinces missing"
    elif _is_contain_set(item):
        label = "missing"
    else:
        label = "sample"
    shown = [v if isinstance(v, str) else json.dumps(v, ensure_ascii=False) for v in sample]
    text = ", ".join(shown[:SAMPLE_SHOWN])
    if len(text) > SAMPLE_CHARS:
        text = text[: SAMPLE_CHARS - 1] + "…"
    more = len(shown) - SAMPLE_SHOWN
    return f"    {label}: {text}" + (f" (+{more} more)" if more > 0 else "")


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
            # a contain-set check counts the expected values it did not find
            counted = "missing" if _is_contain_set(item) else "unexpected"
            observed = item["observed_value"]
            lines.append(
                f"  {label}: {item['suite']} {item['expectation']}{column}"
                f" {counted}={item['unexpected_count']}"
                + (f" observed={observed}" if observed is not None else "")
            )
            values = _sample_line(item)
            if values:
                lines.append(values)
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
