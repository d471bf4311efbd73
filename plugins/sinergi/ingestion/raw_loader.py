"""Transactional loads into `raw.<source>__<entity>` with COPY.

One batch is one transaction: its rows, its quarantined records, its
`meta.load_batches` row and its watermark commit together or not at all, so a
crash or a kill mid-load leaves nothing behind and the next run starts from
the last good watermark. A failed batch is then recorded (same batch id,
status `failed`, the error) in a transaction of its own. A loader of many
small batches (a landing sweep) keeps one connection instead (`batch_on`):
each batch is a savepoint of the caller's transaction, so it is still kept or
undone whole, its failure is recorded on the same connection, and the caller
commits several batches at once. A backfill batch (one window of source time
re-read) records its window and never writes the watermark. Every batch,
failed ones too, records what triggered it (an asset event, a file drop, the
schedule, ...: `batch_trigger`).

Rows are written as COPY text. An API record goes in as the JSON bytes the
source sent, and `_record_hash` is taken of those bytes: the identity of a
record version as received, so an unchanged record hashes the same on every
run. A file-drop row, which has no JSON of its own, is written and hashed as
its canonical JSON (sorted keys, compact, UTF-8, by msgspec). The hash is
XXH3-128 (32 hex digits, like md5): an identity, not a security control, and
15x cheaper per call than md5 through Python 3.11's OpenSSL. Concurrent loads
of the same entity are serialised with an advisory lock.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import msgspec
import psycopg
import xxhash
from psycopg import sql
from psycopg.copy import QueuedLibpqWriter

from sinergi.ingestion.batch_trigger import current_trigger
from sinergi.ingestion.reasons import IngestionReason
from sinergi.warehouse.connection import WarehouseTarget, connect

log = logging.getLogger(__name__)

RAW_SCHEMA = "raw"
RAW_COLUMNS = ("_batch_id", "_source", "_entity", "_extracted_at", "_record_hash", "record")
_canonical = msgspec.json.Encoder(order="sorted").encode


class LoadError(RuntimeError):
    """A batch failed; names the source, entity (and record when known) and the reason."""


def canonical_json(record: Any) -> bytes:
    """The record's canonical JSON: keys sorted (recursively), no whitespace, UTF-8."""
    return _canonical(record)


def record_hash(data: bytes | msgspec.Raw) -> str:
    """`_record_hash`: XXH3-128 of a record's JSON bytes, in hex."""
    return xxhash.xxh3_128_hexdigest(data)


# Valid JSON has tabs, newlines and carriage returns only as whitespace between
# tokens (inside strings they must be escaped), so a space stands in for them.
_COPY_SAFE_WHITESPACE = bytes.maketrans(b"\t\n\r", b"   ")
_COPY_SPECIAL = (b"\\", b"\t", b"\n", b"\r")


def needs_copy_escape(data: bytes) -> bool:
    """Whether JSON text holds a byte COPY text format treats specially (checked once per
    page, so the common compact page skips the per-record escaping)."""
    return any(special in data for special in _COPY_SPECIAL)


def copy_text_line(
    prefix: bytes, data: bytes | msgspec.Raw, *, escape: bool = True
) -> tuple[bytes, str]:
    """One COPY text line (prefix = the metadata columns) for valid JSON, and its hash.

    Besides the whitespace above, the only COPY-special byte left in JSON is
    the backslash, which COPY text format needs doubled. `escape=False` is for
    data that `needs_copy_escape` found clean.
    """
    digest = record_hash(data)
    if escape:
        data = bytes(data).translate(_COPY_SAFE_WHITESPACE).replace(b"\\", b"\\\\")
    return b"%s%s\t%s\n" % (prefix, digest.encode(), data), digest


def ensure_raw_table(conn: psycopg.Connection, table: str) -> None:
    """Create `raw.<table>` if missing. A BRIN index on `_batch_id` (append-only, so
    ordered) makes "rows of recent batches" cheap at almost no write cost."""
    conn.execute(
        sql.SQL(
            """
            create table if not exists {table} (
                _batch_id bigint not null,
                _source text not null,
                _entity text not null,
                _extracted_at timestamptz not null,
                _record_hash text not null,
                record jsonb not null
            )
            """
        ).format(table=sql.Identifier(RAW_SCHEMA, table))
    )
    conn.execute(
        sql.SQL("create index if not exists {index} on {table} using brin (_batch_id)").format(
            index=sql.Identifier(f"{table}__batch_brin"[:63]),
            table=sql.Identifier(RAW_SCHEMA, table),
        )
    )


class _BoundedQueuedWriter(QueuedLibpqWriter):
    """psycopg's queued COPY writer with at most 4 chunks (<= 512 KB) in flight instead of
    1024 (128 MB): memory stays flat and small when the server is the slower side."""

    def __init__(self, cursor: psycopg.Cursor[Any]) -> None:
        super().__init__(cursor)
        self._queue.maxsize = 4  # read by every put(); set before the first write


@dataclass
class QuarantinedRecord:
    record_key: str | None
    reason: IngestionReason  # a code of the list; mypy refuses any other string
    record: Any
    detected_by: str = "ingestion"


@dataclass
class Batch:
    """An open batch: counts and watermark are written when it commits."""

    conn: psycopg.Connection
    batch_id: int
    source: str
    entity: str
    table: str
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    watermark_from: str | None = None
    watermark_to: str | None = None
    extra_counts: dict[str, int] = field(default_factory=dict)
    # a backfill batch: the window [start, end) it re-read; None for a normal read
    window_start: datetime | None = None
    window_end: datetime | None = None

    @property
    def label(self) -> str:
        return f"{self.source}.{self.entity}"

    def line_prefix(self, extracted_at: datetime) -> bytes:
        """The metadata columns of every COPY line of a page, up to `_record_hash`."""
        return line_prefix(self.batch_id, self.source, self.entity, extracted_at)

    @contextmanager
    def copy(self, *, queued: bool = True) -> Iterator[psycopg.Copy]:
        """COPY into the raw table; write lines from `copy_text_line`.

        A queued writer sends to the server from its own thread, so PostgreSQL
        parses one page while we encode the next (the load is server-bound).
        `queued=False` for a few rows (a small uploaded file), where starting and
        joining that thread costs more than it saves.
        """
        with copy_into(self.conn, self.table, queued=queued) as copy:
            yield copy

    def quarantine(self, records: Iterable[QuarantinedRecord]) -> int:
        """Write refused records to `quarantine.records`, in this batch's transaction."""
        rows = [
            (
                self.batch_id,
                self.source,
                self.entity,
                item.record_key,
                item.reason,
                item.detected_by,
                quarantine_json(item.record),
            )
            for item in records
        ]
        if rows:
            with self.conn.cursor() as cursor:
                cursor.executemany(
                    "insert into quarantine.records (batch_id, source, entity, record_key, reason,"
                    " detected_by, record) values (%s, %s, %s, %s, %s, %s, %s::jsonb)",
                    rows,
                )
        self.rows_quarantined += len(rows)
        return len(rows)

    def read_watermark(self) -> tuple[str | None, int | None]:
        """(watermark, batch that first reached it), or (None, None) before the first load."""
        row = self.conn.execute(
            "select watermark, batch_id from meta.watermarks where source = %s and entity = %s",
            (self.source, self.entity),
        ).fetchone()
        return (row[0], row[1]) if row else (None, None)

    @property
    def is_backfill(self) -> bool:
        return self.window_start is not None

    @property
    def watermark_after(self) -> str | None:
        """The entity's watermark once this batch commits (a backfill leaves it as it was)."""
        if self.is_backfill or self.watermark_to is None:
            return self.watermark_from
        return self.watermark_to

    def _commit_bookkeeping(self) -> None:
        if self.watermark_after != self.watermark_from:
            self.conn.execute(
                """
                insert into meta.watermarks (source, entity, watermark, batch_id)
                values (%s, %s, %s, %s)
                on conflict (source, entity) do update
                set watermark = excluded.watermark, batch_id = excluded.batch_id,
                    updated_at = now()
                """,
                (self.source, self.entity, self.watermark_to, self.batch_id),
            )
        self.conn.execute(
            """
            update meta.load_batches
            set status = 'succeeded', finished_at = now(), rows_read = %s, rows_loaded = %s,
                rows_quarantined = %s, watermark_from = %s, watermark_to = %s,
                window_start = %s, window_end = %s
            where batch_id = %s
            """,
            (
                self.rows_read,
                self.rows_loaded,
                self.rows_quarantined,
                self.watermark_from,
                self.watermark_after,
                self.window_start,
                self.window_end,
                self.batch_id,
            ),
        )


def line_prefix(batch_id: int, source: str, entity: str, extracted_at: datetime) -> bytes:
    """The metadata columns of a raw COPY line, up to `_record_hash`."""
    return f"{batch_id}\t{source}\t{entity}\t{extracted_at.isoformat()}\t".encode()


@contextmanager
def copy_into(conn: psycopg.Connection, table: str, *, queued: bool) -> Iterator[psycopg.Copy]:
    """COPY into `raw.<table>` (lines from `copy_text_line`); see `Batch.copy`."""
    statement = sql.SQL("copy {table} ({columns}) from stdin").format(
        table=sql.Identifier(RAW_SCHEMA, table),
        columns=sql.SQL(", ").join(map(sql.Identifier, RAW_COLUMNS)),
    )
    with (
        conn.cursor() as cursor,
        cursor.copy(statement, writer=_BoundedQueuedWriter(cursor) if queued else None) as copy,
    ):
        yield copy


def quarantine_json(record: Any) -> str:
    """A refused record as `quarantine.records.record` stores it (NUL written out)."""
    return canonical_json(_without_nul(record)).decode("utf-8")


def _without_nul(value: Any) -> Any:
    """The value with each NUL character written as the text `\\u0000`: jsonb refuses NUL,
    and a quarantined record must still be stored to be seen."""
    if isinstance(value, str):
        return value.replace("\0", "\\u0000")
    if isinstance(value, dict):
        return {_without_nul(key): _without_nul(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_without_nul(item) for item in value]
    return value


@dataclass(frozen=True)
class BatchResult:
    batch_id: int
    source: str
    entity: str
    status: str
    rows_read: int
    rows_loaded: int
    rows_quarantined: int
    watermark_from: str | None
    watermark_to: str | None
    window_start: str | None = None  # ISO-8601, set for a backfill batch only
    window_end: str | None = None

    @property
    def rows_skipped(self) -> int:
        return self.rows_read - self.rows_loaded - self.rows_quarantined


def result_of(batch: Batch) -> BatchResult:
    return BatchResult(
        batch_id=batch.batch_id,
        source=batch.source,
        entity=batch.entity,
        status="succeeded",
        rows_read=batch.rows_read,
        rows_loaded=batch.rows_loaded,
        rows_quarantined=batch.rows_quarantined,
        watermark_from=batch.watermark_from,
        watermark_to=batch.watermark_after,
        window_start=batch.window_start.isoformat() if batch.window_start else None,
        window_end=batch.window_end.isoformat() if batch.window_end else None,
    )


def _start_batch(
    conn: psycopg.Connection,
    source: str,
    entity: str,
    table: str,
    window: tuple[datetime, datetime] | None,
    trigger: str,
    *,
    ensure_table: bool = True,
) -> Batch:
    """Lock the entity's raw table, create it when missing, and open the batch's
    `meta.load_batches` row, in the transaction open on `conn`."""
    window_start, window_end = window or (None, None)
    with conn.pipeline():  # one round trip, not three: it counts for thousands of small files
        conn.execute("select pg_advisory_xact_lock(hashtext(%s))", (f"raw.{table}",))
        if ensure_table:
            ensure_raw_table(conn, table)
        opened = conn.execute(
            "insert into meta.load_batches (source, entity, trigger)"
            " values (%s, %s, %s::jsonb) returning batch_id",
            (source, entity, trigger),
        )
    row = opened.fetchone()
    assert row is not None
    return Batch(
        conn=conn,
        batch_id=row[0],
        source=source,
        entity=entity,
        table=table,
        window_start=window_start,
        window_end=window_end,
    )


@contextmanager
def open_batch(
    target: WarehouseTarget,
    source: str,
    entity: str,
    table: str,
    *,
    window: tuple[datetime, datetime] | None = None,
) -> Iterator[Batch]:
    """One batch = one transaction. Commits when the block ends, rolls back when it raises
    (then records the failure separately and re-raises). `window`: a backfill batch's
    [start, end), recorded in `meta.load_batches`, as is the trigger set around the call
    (`batch_trigger`; a `cli` trigger when none is)."""
    batch: Batch | None = None
    trigger = json.dumps(current_trigger().as_json())
    conn = connect(target)
    try:
        with conn.transaction():
            batch = _start_batch(conn, source, entity, table, window, trigger)
            yield batch
            batch._commit_bookkeeping()
    except BaseException as error:
        _record_failure(target, source, entity, batch, error, window, trigger)
        raise
    finally:
        conn.close()


@contextmanager
def batch_on(
    conn: psycopg.Connection, source: str, entity: str, table: str, *, ensure_table: bool = True
) -> Iterator[Batch]:
    """One batch on a connection the caller keeps open across many batches (a landing
    sweep: one connection for thousands of files). On an autocommit connection the batch
    is a transaction of its own; inside a transaction the caller holds open (several
    batches committed at once) it is a savepoint. Either way its rows, quarantined
    records and bookkeeping are kept or undone together: a batch that raises is rolled
    back, recorded as failed on the same connection (in the caller's transaction, when
    there is one) and the error re-raised. `ensure_table=False` skips the `create ... if
    not exists` of a raw table this connection already saw."""
    batch: Batch | None = None
    trigger = json.dumps(current_trigger().as_json())
    try:
        with conn.transaction():
            batch = _start_batch(
                conn, source, entity, table, None, trigger, ensure_table=ensure_table
            )
            yield batch
            batch._commit_bookkeeping()
    except BaseException as error:
        usable = not conn.broken and conn.info.transaction_status in (
            psycopg.pq.TransactionStatus.IDLE,
            psycopg.pq.TransactionStatus.INTRANS,
        )
        message = failure_message(source, entity, error)
        if usable:
            try:
                _insert_failure(conn, source, entity, batch, message, None, trigger)
            except psycopg.Error as meta_error:
                log.error(
                    "%s.%s: could not record the failed batch: %s", source, entity, meta_error
                )
        raise


def failure_message(source: str, entity: str, error: BaseException) -> str:
    message = f"{type(error).__name__}: {error}"[:4000]
    log.error("%s.%s: batch failed, rolled back: %s", source, entity, message)
    return message


def _record_failure(
    target: WarehouseTarget,
    source: str,
    entity: str,
    batch: Batch | None,
    error: BaseException,
    window: tuple[datetime, datetime] | None,
    trigger: str,
) -> None:
    """Write the failed batch (its rolled-back id when it had one) in its own transaction.
    `trigger`: the JSON `open_batch` would have recorded."""
    message = failure_message(source, entity, error)
    try:
        with connect(target) as conn, conn.transaction():
            _insert_failure(conn, source, entity, batch, message, window, trigger)
    except psycopg.Error as meta_error:  # the warehouse itself may be what failed
        log.error("%s.%s: could not record the failed batch: %s", source, entity, meta_error)


def _insert_failure(
    conn: psycopg.Connection,
    source: str,
    entity: str,
    batch: Batch | None,
    message: str,
    window: tuple[datetime, datetime] | None,
    trigger: str,
) -> None:
    window_start, window_end = window or (None, None)
    if batch is None:
        conn.execute(
            "insert into meta.load_batches (source, entity, status, finished_at, error,"
            " window_start, window_end, trigger)"
            " values (%s, %s, 'failed', now(), %s, %s, %s, %s::jsonb)",
            (source, entity, message, window_start, window_end, trigger),
        )
    else:
        conn.execute(
            "insert into meta.load_batches (batch_id, source, entity, status, finished_at,"
            " rows_read, watermark_from, error, window_start, window_end, trigger)"
            " overriding system value"
            " values (%s, %s, %s, 'failed', now(), %s, %s, %s, %s, %s, %s::jsonb)",
            (
                batch.batch_id,
                source,
                entity,
                batch.rows_read,
                batch.watermark_from,
                message,
                window_start,
                window_end,
                trigger,
            ),
        )
