"""Publish audited marts: `audit.<t>` becomes `marts.<t>` for every mart at once.

Analysts must see the previous good state or the new one, never a mix and
never a mart that failed its checks. So the gate reads the run's results in
`meta.dq_results`. Then one transaction copies every audited table beside
its published one (`marts.<t>__next`, uncommitted, so no other session ever
sees it), drops every old table, renames every copy, re-grants SELECT to
the analyst role and records the publish. PostgreSQL DDL is transactional: a
failure anywhere leaves `marts` exactly as it was. Readers are not blocked
while the copies are written: the exclusive locks are taken only by the
final drops, moments before the commit. Every attempt, published or blocked
or failed, is a row of `meta.publish_runs`; between the copies and the swaps
the same transaction records what the publish changes (`changes`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from sinergi.alerts import alert
from sinergi.publish.changes import record_changes
from sinergi.quality import config as quality_config
from sinergi.quality.discovery import discover_marts
from sinergi.quality.results import RunSummary
from sinergi.quality.runner import run_summary
from sinergi.timings import Phases
from sinergi.warehouse import schemas
from sinergi.warehouse.connection import WarehouseTarget, connect

log = logging.getLogger(__name__)

NEXT_SUFFIX = "__next"
LOCK_TIMEOUT = "60s"  # waiting longer for analysts' queries to finish means something is stuck


class PublishBlocked(RuntimeError):
    """The audit failed: nothing was published."""


@dataclass(frozen=True)
class PublishOutcome:
    publish_id: int
    status: str  # published | blocked | failed
    tables: list[str]
    row_counts: dict[str, int] = field(default_factory=dict)
    reason: str | None = None


def _start(conn: psycopg.Connection, run_id: str, tables: Sequence[str]) -> int:
    """The attempt's row, with the batch high water that tells this publish's new batches."""
    row = conn.execute(
        "insert into meta.publish_runs (run_id, tables, batch_high_water) values (%s, %s,"
        " (select max(batch_id) from meta.load_batches where status = 'succeeded'))"
        " returning publish_id",
        (run_id, list(tables)),
    ).fetchone()
    assert row is not None
    return int(row[0])


def _finish(
    conn: psycopg.Connection,
    publish_id: int,
    status: str,
    *,
    row_counts: dict[str, int] | None = None,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    conn.execute(
        "update meta.publish_runs set status = %s, finished_at = now(), row_counts = %s,"
        " reason = %s, details = %s where publish_id = %s",
        (status, Jsonb(row_counts or {}), reason, Jsonb(details or {}), publish_id),
    )


def blocking_reason(summary: RunSummary) -> str | None:
    """Why the run may not publish, in one line for meta and the alert; None when it may."""
    if summary.checks == 0:
        return f"quality run {summary.run_id} recorded no checks"
    if not summary.blocking_failures:
        return None
    failed = [
        f"{f['suite']}.{f['expectation']}" + (f"({f['column']})" if f["column"] else "")
        for f in summary.blocking_failures
    ]
    return f"{len(failed)} blocking check(s) failed: " + ", ".join(failed)


def _copy(conn: psycopg.Connection, audit: str, published: str, table: str) -> int:
    """`<published>.<t>__next` as a full copy of `<audit>.<t>` (columns, constraints, indexes).

    `like ... including all` copies the column comments but not the table's
    own: the mart's description (dbt's persist_docs) is carried over here, so
    analysts read it on the published table (`\\dt+`, `obj_description`).
    """
    nxt = sql.Identifier(published, table + NEXT_SUFFIX)
    src = sql.Identifier(audit, table)
    conn.execute(sql.SQL("drop table if exists {}").format(nxt))
    conn.execute(sql.SQL("create table {} (like {} including all)").format(nxt, src))
    _copy_table_comment(conn, src, nxt)
    return conn.execute(sql.SQL("insert into {} select * from {}").format(nxt, src)).rowcount


def _copy_table_comment(
    conn: psycopg.Connection, source: sql.Identifier, target: sql.Identifier
) -> None:
    """`comment on table target` with `source`'s comment (none: nothing to carry)."""
    row = conn.execute(
        sql.SQL("select obj_description({}::regclass, 'pg_class')").format(
            sql.Literal(source.as_string(conn))
        )
    ).fetchone()
    if row is None or row[0] is None:
        return
    conn.execute(sql.SQL("comment on table {} is {}").format(target, sql.Literal(row[0])))


def _replace(conn: psycopg.Connection, published: str, table: str, analyst_role: str) -> None:
    """The copy takes the published name; analysts keep read access."""
    conn.execute(sql.SQL("drop table if exists {}").format(sql.Identifier(published, table)))
    conn.execute(
        sql.SQL("alter table {} rename to {}").format(
            sql.Identifier(published, table + NEXT_SUFFIX), sql.Identifier(table)
        )
    )
    conn.execute(
        sql.SQL("grant select on {} to {}").format(
            sql.Identifier(published, table), sql.Identifier(analyst_role)
        )
    )


def _publish_all(
    conn: psycopg.Connection,
    tables: Sequence[str],
    *,
    audit: str,
    published: str,
    analyst_role: str,
    publish_id: int,
) -> dict[str, int]:
    """Copy, swap and record every mart in one transaction; returns row counts."""
    phases = Phases("publish")
    with conn.transaction():
        with phases.phase("copies"):
            counts = {table: _copy(conn, audit, published, table) for table in tables}
        with phases.phase("changes"):
            record_changes(conn, publish_id, tables, published=published, next_suffix=NEXT_SUFFIX)
        with phases.phase("swaps"):
            conn.execute(sql.SQL("set local lock_timeout = {}").format(sql.Literal(LOCK_TIMEOUT)))
            for table in tables:
                _replace(conn, published, table, analyst_role)
            _finish(conn, publish_id, "published", row_counts=counts)
    phases.log(log)
    return counts


def publish(
    target: WarehouseTarget,
    summary: RunSummary,
    tables: Sequence[str],
    *,
    audit_schema: str = schemas.AUDIT,
    published_schema: str = schemas.MARTS,
    analyst_role: str = schemas.ANALYST_ROLE,
) -> PublishOutcome:
    """Publish `tables` from the audit schema if the run's blocking checks all passed.

    A blocked audit is recorded and alerted and returns status `blocked`
    (the caller decides whether that fails its task); an error while
    publishing is recorded, alerted and re-raised.
    """
    tables = sorted(tables)
    with connect(target, autocommit=True) as conn:
        publish_id = _start(conn, summary.run_id, tables)
        reason = blocking_reason(summary) or (None if tables else "no mart tables to publish")
        if reason:
            _finish(
                conn,
                publish_id,
                "blocked",
                reason=reason,
                details={"blocking_failures": summary.blocking_failures},
            )
            log.error("publish blocked for run %s: %s", summary.run_id, reason)
            alert(
                "publish_blocked",
                f"marts publish {summary.run_id}",
                f"marts not published, analysts keep the previous state: {reason}",
                {
                    "run_id": summary.run_id,
                    "publish_id": publish_id,
                    "blocking_failures": summary.blocking_failures,
                },
                target=target,
            )
            return PublishOutcome(publish_id, "blocked", tables, reason=reason)
        try:
            counts = _publish_all(
                conn,
                tables,
                audit=audit_schema,
                published=published_schema,
                analyst_role=analyst_role,
                publish_id=publish_id,
            )
        except Exception as exc:
            _finish(conn, publish_id, "failed", reason=f"{type(exc).__name__}: {exc}")
            alert(
                "publish_failed",
                f"marts publish {summary.run_id}",
                f"publishing failed, marts unchanged: {exc}",
                {"run_id": summary.run_id, "publish_id": publish_id},
                target=target,
            )
            raise
    log.info("published %d marts for run %s: %s", len(tables), summary.run_id, counts)
    _alert_warnings(summary, target)
    return PublishOutcome(publish_id, "published", tables, counts)


def _alert_warnings(summary: RunSummary, target: WarehouseTarget) -> None:
    """One alert for the non-blocking checks that failed (drift, bands, provinces, ...)."""
    warnings = summary.alertable_warnings
    if not warnings:
        return
    names = sorted(
        {
            f"{w['suite']}.{w['expectation']}" + (f"({w['column']})" if w["column"] else "")
            for w in warnings
        }
    )
    alert(
        "quality_warnings",
        f"quality run {summary.run_id}",
        f"published, with {len(warnings)} warning check(s) failed: " + ", ".join(names[:20]),
        {"run_id": summary.run_id, "warnings": warnings},
        target=target,
    )


def last_attempt_published(target: WarehouseTarget) -> bool:
    """Whether the latest publish attempt published (True before any attempt)."""
    with connect(target) as conn:
        row = conn.execute(
            "select status from meta.publish_runs where status <> 'running'"
            " order by publish_id desc limit 1"
        ).fetchone()
    return row is None or row[0] == "published"


def audited_marts(target: WarehouseTarget) -> list[str]:
    """The mart tables the publish replaces: the same discovery the mart suites used."""
    with connect(target) as conn:
        return [m.name for m in discover_marts(conn, quality_config.settings())]


def publish_run(target: WarehouseTarget, run_id: str) -> PublishOutcome:
    """The publish gate for a quality run: publish the audited marts if nothing blocks."""
    return publish(target, run_summary(target, run_id), audited_marts(target))
