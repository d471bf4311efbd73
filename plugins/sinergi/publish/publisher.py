"""Publish audited marts: `audit.<t>` becomes `marts.<t>` for every mart at once.

Analysts must see the previous good state or the new one, never a mix and
never a mart that failed its checks. So the gate reads the run's results in
`meta.dq_results`. Then one transaction publishes every mart and records
the publish. PostgreSQL DDL is transactional: a failure anywhere leaves
`marts` exactly as it was. Every attempt, published or blocked or failed,
is a row of `meta.publish_runs`; the same transaction records what the
publish changes (`changes`).

A mart is published in one of two ways:
- **In place**, when its published table has the audited one's columns and
  types, and a key that must be unique to publish (`keys_unique` blocking)
  and holds no null on either side: the comparison that `changes` makes
  anyway keeps the keys of the rows that differ, and only those rows are
  deleted and inserted. A day's increment then writes what changed, not the
  whole mart again (copying fct_participations took 27 s of a
  1,000,000-ASN day). Readers see the old rows until the commit and are
  never blocked.
- **As a copy** otherwise (first publish, a changed column, no usable key):
  the audited table is copied beside its published one (`marts.<t>__next`,
  uncommitted, so no other session ever sees it), the old table dropped and
  the copy renamed, SELECT re-granted to the analyst role. The exclusive
  locks are taken only by the final drops, moments before the commit.
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
from sinergi.publish.changes import DIFF_COLUMN, Sides, content_columns, record_changes
from sinergi.quality import config as quality_config
from sinergi.quality.discovery import discover_marts, relation_columns
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


def _in_place_marts(
    conn: psycopg.Connection,
    tables: Sequence[str],
    keys: dict[str, tuple[str, ...]],
    *,
    audit: str,
    published: str,
) -> dict[str, str]:
    """{mart: its diff table} for the marts that can be updated in place (see the module doc)."""
    if not quality_config.settings().is_blocking("keys_unique"):
        return {}  # a duplicated key could be published: only a copy is exact then
    types = {
        (schema, table): columns
        for schema, table, columns in conn.execute(
            "select n.nspname, c.relname,"
            " array_agg(array[a.attname::text, format_type(a.atttypid, a.atttypmod)]"
            " order by a.attnum)"
            " from pg_attribute a join pg_class c on c.oid = a.attrelid"
            " join pg_namespace n on n.oid = c.relnamespace"
            " where n.nspname = any(%s) and c.relkind = 'r' and a.attnum > 0"
            " and not a.attisdropped group by 1, 2",
            ([audit, published],),
        ).fetchall()
    }
    in_place = {}
    for index, table in enumerate(tables):
        audited, live = types.get((audit, table)), types.get((published, table))
        key = keys.get(table, ())
        if not key or audited is None or audited != live:
            continue
        if not content_columns([name for name, _type in audited]):
            continue  # load metadata only: nothing `changes` could compare
        if not any(_has_null_key(conn, schema, table, key) for schema in (audit, published)):
            in_place[table] = f"publish_diff_{index}"
    return in_place


def _has_null_key(conn: psycopg.Connection, schema: str, table: str, key: Sequence[str]) -> bool:
    """Whether a key column holds a null (`=` cannot find that row; the unique check allows it).

    A key column with an index (the fact's) answers from the index.
    """
    row = conn.execute(
        sql.SQL("select exists (select from {} where {})").format(
            sql.Identifier(schema, table),
            sql.SQL(" or ").join(sql.SQL("{} is null").format(sql.Identifier(c)) for c in key),
        )
    ).fetchone()
    return bool(row and row[0])


def _apply(
    conn: psycopg.Connection,
    audit: str,
    published: str,
    table: str,
    key: Sequence[str],
    diff_table: str,
) -> int:
    """Make `<published>.<t>` equal `<audit>.<t>` by the rows in its diff; returns rows written."""
    live, source, diff = (
        sql.Identifier(published, table),
        sql.Identifier(audit, table),
        sql.Identifier(diff_table),
    )

    def on(side: str) -> sql.Composable:
        return sql.SQL(" and ").join(
            sql.SQL("{}.{} = diff.{}").format(
                sql.Identifier(side), sql.Identifier(c), sql.Identifier(c)
            )
            for c in key
        )

    status = sql.Identifier(DIFF_COLUMN)
    deleted = conn.execute(
        sql.SQL(
            "delete from {live} as live using {diff} as diff"
            " where {on} and diff.{status} <> 'added'"
        ).format(live=live, diff=diff, on=on("live"), status=status)
    ).rowcount
    inserted = conn.execute(
        sql.SQL(
            "insert into {live} select audited.* from {source} as audited"
            " join {diff} as diff on {on} where diff.{status} <> 'removed'"
        ).format(live=live, source=source, diff=diff, on=on("audited"), status=status)
    ).rowcount
    _copy_comments(conn, source, live)
    return deleted + inserted


def _copy_comments(
    conn: psycopg.Connection, source: sql.Identifier, target: sql.Identifier
) -> None:
    """The table's and its columns' descriptions (dbt's persist_docs) onto the published table.

    Only the column descriptions that differ are written: a comment is a
    catalog row rewritten, not worth doing for every column every night.
    """
    _copy_table_comment(conn, source, target)
    rows = conn.execute(
        sql.SQL(
            "select a.attname, col_description(a.attrelid, a.attnum) from pg_attribute a"
            " join pg_attribute t on t.attrelid = {target}::regclass and t.attname = a.attname"
            " where a.attrelid = {source}::regclass and a.attnum > 0 and not a.attisdropped"
            " and col_description(a.attrelid, a.attnum) is distinct from"
            " col_description(t.attrelid, t.attnum)"
        ).format(
            source=sql.Literal(source.as_string(conn)), target=sql.Literal(target.as_string(conn))
        )
    ).fetchall()
    for column, comment in rows:
        conn.execute(
            sql.SQL("comment on column {}.{} is {}").format(
                target, sql.Identifier(column), sql.Literal(comment)
            )
        )


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
    """Publish (in place or as copies), record and swap every mart in one transaction.

    Returns each mart's rows after the publish.
    """
    phases = Phases("publish")
    with conn.transaction():
        keys = {mart.name: mart.key for mart in discover_marts(conn, quality_config.settings())}
        in_place = _in_place_marts(conn, tables, keys, audit=audit, published=published)
        copied = [table for table in tables if table not in in_place]
        with phases.phase("copies"):
            counts = {table: _copy(conn, audit, published, table) for table in copied}
        with phases.phase("changes"):
            audited = relation_columns(conn, audit)
            copies = relation_columns(conn, published)
            sides = Sides(
                published=published,
                new={
                    table: sql.Identifier(audit, table)
                    if table in in_place
                    else sql.Identifier(published, table + NEXT_SUFFIX)
                    for table in tables
                },
                old_columns=copies,
                new_columns={
                    table: audited[table] if table in in_place else copies[table + NEXT_SUFFIX]
                    for table in tables
                },
                in_place=in_place,
            )
            changes = record_changes(conn, publish_id, sides, keys)
        conn.execute(sql.SQL("set local lock_timeout = {}").format(sql.Literal(LOCK_TIMEOUT)))
        with phases.phase("applies"):
            written = {
                table: _apply(conn, audit, published, table, keys[table], diff)
                for table, diff in in_place.items()
            }
            counts.update({c.mart: c.rows_after for c in changes if c.mart in in_place})
        with phases.phase("swaps"):
            for table in copied:
                _replace(conn, published, table, analyst_role)
            _finish(
                conn,
                publish_id,
                "published",
                row_counts=counts,
                details={"in_place": {table: written[table] for table in sorted(written)}},
            )
    phases.log(log)
    log.info("publish %d: %d marts in place, %d copied", publish_id, len(in_place), len(copied))
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
