"""What one publish attempt did, read from `meta` and `quarantine`.

A publish attempt's batches are the load batches it was the first to see:
those above the previous published attempt's high-water batch id, up to its
own (`meta.publish_runs.batch_high_water`, recorded as the publish starts).
Everything here is per attempt, so a blocked night and the night that
publishes after it each get their own account.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg
from psycopg.rows import dict_row

from sinergi.quality import config as quality_config
from sinergi.transform.manifest import ManifestMissing

Row = dict[str, Any]


@dataclass(frozen=True)
class RunFacts:
    publish: Row
    previous: Row | None
    loads: list[Row] = field(default_factory=list)
    quarantine: list[Row] = field(default_factory=list)
    checks: list[Row] = field(default_factory=list)
    failed_checks: list[Row] = field(default_factory=list)
    freshness: list[Row] = field(default_factory=list)
    trigger: Row | None = None
    mart_changes: list[Row] = field(default_factory=list)
    movements: list[Row] = field(default_factory=list)

    @property
    def run_id(self) -> str:
        return str(self.publish["run_id"])

    @property
    def seconds_to_publish(self) -> float | None:
        """From the earliest event behind this attempt's batches to its end."""
        if not self.trigger or not self.publish.get("finished_at"):
            return None
        at = self.trigger.get("at")
        finished: datetime = self.publish["finished_at"]
        return (finished - at).total_seconds() if isinstance(at, datetime) else None


class PublishNotFound(LookupError):
    """No publish attempt matches the run asked for."""


def _all(conn: psycopg.Connection, query: str, *params: Any) -> list[Row]:
    with conn.cursor(row_factory=dict_row) as cur:
        return list(cur.execute(query, params).fetchall())  # type: ignore[arg-type]


def _has_column(conn: psycopg.Connection, schema: str, table: str, column: str) -> bool:
    row = conn.execute(
        "select 1 from information_schema.columns"
        " where table_schema = %s and table_name = %s and column_name = %s",
        (schema, table, column),
    ).fetchone()
    return row is not None


def find_publish(conn: psycopg.Connection, run_id: str | None = None) -> Row:
    """The latest finished attempt of quality run `run_id` (default: of any run)."""
    where = "status <> 'running'" + (" and run_id = %s" if run_id else "")
    rows = _all(
        conn,
        f"select * from meta.publish_runs where {where} order by publish_id desc limit 1",
        *([run_id] if run_id else []),
    )
    if not rows:
        raise PublishNotFound(
            f"no finished publish attempt for quality run {run_id!r}"
            if run_id
            else "no publish attempt yet: run the pipeline first"
        )
    return rows[0]


def recent_publishes(conn: psycopg.Connection, limit: int = 30) -> list[Row]:
    return _all(
        conn,
        "select publish_id, run_id, status, reason, started_at, finished_at from meta.publish_runs"
        " where status <> 'running' order by publish_id desc limit %s",
        limit,
    )


def _previous_published(conn: psycopg.Connection, publish_id: int) -> Row | None:
    rows = _all(
        conn,
        "select * from meta.publish_runs where status = 'published' and publish_id < %s"
        " order by publish_id desc limit 1",
        publish_id,
    )
    return rows[0] if rows else None


def _batch_window(publish: Row, previous: Row | None) -> tuple[int, int | None]:
    """(exclusive low, inclusive high) batch ids; no high before high water was recorded."""
    low = int((previous or {}).get("batch_high_water") or 0)
    high = publish.get("batch_high_water")
    return low, int(high) if high is not None else None


def _loads(conn: psycopg.Connection, low: int, high: int | None) -> list[Row]:
    return _all(
        conn,
        "select source, entity, count(*) as batches,"
        " count(*) filter (where status = 'failed') as failed_batches,"
        " sum(rows_read) as rows_read, sum(rows_loaded) as rows_loaded,"
        " sum(rows_quarantined) as rows_quarantined, max(finished_at) as last_finished_at"
        " from meta.load_batches where batch_id > %s and (%s::bigint is null or batch_id <= %s)"
        " group by source, entity order by source, entity",
        low,
        high,
        high,
    )


def _quarantine(conn: psycopg.Connection, low: int, high: int | None) -> list[Row]:
    return _all(
        conn,
        "select source, entity, reason, detected_by, count(*) as rows"
        " from quarantine.records where released_at is null"
        " and batch_id > %s and (%s::bigint is null or batch_id <= %s)"
        " group by source, entity, reason, detected_by order by source, entity, rows desc",
        low,
        high,
        high,
    )


def _checks(conn: psycopg.Connection, run_id: str) -> tuple[list[Row], list[Row]]:
    by_suite = _all(
        conn,
        "select suite, count(*) as checks, count(*) filter (where success) as passed,"
        " count(*) filter (where not success and not is_blocking) as warned,"
        " count(*) filter (where not success and is_blocking) as failed"
        " from meta.dq_results where run_id = %s group by suite order by suite",
        run_id,
    )
    failed = _all(
        conn,
        "select suite, expectation, column_name, is_blocking, unexpected_count, observed_value"
        " from meta.dq_results where run_id = %s and not success"
        " order by is_blocking desc, suite, expectation",
        run_id,
    )
    return by_suite, failed


def _freshness(conn: psycopg.Connection, as_of: datetime) -> list[Row]:
    from sinergi.ingestion.registry import load_registry

    try:
        limits = quality_config.stale_limits()
    except ManifestMissing:  # the report still shows the loads; the limits are unknown
        limits = {}
    last = {
        (r["source"], r["entity"]): r["last_success_at"]
        for r in _all(
            conn,
            "select source, entity, max(finished_at) as last_success_at from meta.load_batches"
            " where status = 'succeeded' and finished_at <= %s group by source, entity",
            as_of,
        )
    }
    rows = []
    for entity in load_registry().entities():
        at = last.get((entity.source, entity.name))
        limit = limits.get(entity.table)
        limit_h = limit.total_seconds() / 3600 if limit else None
        age_h = (as_of - at).total_seconds() / 3600 if at else None
        rows.append(
            {
                "source": entity.source,
                "entity": entity.name,
                "last_success_at": at,
                "age_hours": age_h,
                "threshold_hours": limit_h,
                "is_stale": age_h is None or (limit_h is not None and age_h > limit_h),
            }
        )
    return rows


def _trigger(conn: psycopg.Connection, low: int, high: int | None) -> Row | None:
    """The earliest recorded trigger among the attempt's batches."""
    if not _has_column(conn, "meta", "load_batches", "trigger"):
        return None
    rows = _all(
        conn,
        "select batch_id, source, entity, trigger, (trigger ->> 'at')::timestamptz as at"
        " from meta.load_batches where trigger is not null and batch_id > %s"
        " and (%s::bigint is null or batch_id <= %s)"
        " order by at nulls last, batch_id limit 1",
        low,
        high,
        high,
    )
    return rows[0] if rows else None


def _changes(conn: psycopg.Connection, publish_id: int) -> tuple[list[Row], list[Row]]:
    if conn.execute("select to_regclass('meta.mart_changes')").fetchone() == (None,):
        return [], []
    marts = _all(
        conn, "select * from meta.mart_changes where publish_id = %s order by mart", publish_id
    )
    movements = _all(
        conn,
        "select * from meta.headline_movements where publish_id = %s"
        " order by figure, abs(delta) desc nulls last",
        publish_id,
    )
    return marts, movements


def read_run_facts(conn: psycopg.Connection, run_id: str | None = None) -> RunFacts:
    publish = find_publish(conn, run_id)
    previous = _previous_published(conn, int(publish["publish_id"]))
    low, high = _batch_window(publish, previous)
    checks, failed = _checks(conn, str(publish["run_id"]))
    marts, movements = _changes(conn, int(publish["publish_id"]))
    return RunFacts(
        publish=publish,
        previous=previous,
        loads=_loads(conn, low, high),
        quarantine=_quarantine(conn, low, high),
        checks=checks,
        failed_checks=failed,
        freshness=_freshness(conn, publish["finished_at"] or publish["started_at"]),
        trigger=_trigger(conn, low, high),
        mart_changes=marts,
        movements=movements,
    )


def data_docs_pages(site: Path, run_id: str) -> dict[str, Path]:
    """Each suite's Data Docs validation page for the run (GX names folders after both)."""
    pages: dict[str, Path] = {}
    for page in sorted((site / "validations").glob(f"*/{run_id}/*/*.html")):
        pages[page.parents[2].name] = page  # the latest validation of a suite wins
    return pages
