"""A landing sweep's uploads read ahead, then written many files at a time.

`FileLoader` writes a file as one batch in about ten round trips (savepoint,
locks, batch row, duplicate check, COPY, bookkeeping, file record, release):
on a busy 2-core box that was half of a sweep's ~14 ms per file, whatever its
size. Here a small file is first *prepared* without the database (checksum,
prechecks, header, every row checked and encoded as COPY text), and a group
of prepared files is written in five round trips: the raw tables' and the
files' checksum locks, the duplicate check and the batch ids; every file's
`meta.load_batches` and `meta.file_loads` row; one COPY per raw table; one
COPY of the quarantined rows.

What each file is stays as `FileLoader` makes it: one batch with its own id,
counts, checksum and trigger; a file seen before (even earlier in the same
group) is a duplicate; a rejected file is recorded with its reason, and one
that turned unreadable half-way leaves a failed batch and none of its rows.
A prepared file holds at most `PREPARED_BYTES` of encoded rows; a larger one
(or one whose reading fails for a reason of ours) is not prepared but
streamed by `FileLoader` alone, as before. Everything happens in the
caller's transaction: the group commits whole or not at all.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sinergi.ingestion.batch_trigger import current_trigger
from sinergi.ingestion.file_drop import (
    REGION_CODE,
    SOURCE,
    FileLoader,
    FileSummary,
    Report,
    as_duplicate,
    check_row,
    file_sha256,
    log_loaded,
    log_rejected,
    mark_rejected,
    precheck,
    refused_record,
    take_report,
)
from sinergi.ingestion.file_readers import ArchiveLimits, UnreadableFile, is_blank, open_table
from sinergi.ingestion.file_values import safe_text
from sinergi.ingestion.raw_loader import (
    canonical_json,
    copy_into,
    copy_text_line,
    ensure_raw_table,
    line_prefix,
    quarantine_json,
)
from sinergi.ingestion.registry import Source

log = logging.getLogger(__name__)

PREPARED_BYTES = 1 << 20  # encoded rows a prepared file may hold; a larger one streams


@dataclass
class PreparedFile:
    """A file read ahead of its write. `summary` None: not prepared (too large, or its
    reading failed unexpectedly): `FileLoader` loads it, streaming, on its own."""

    path: Path
    region_code: str
    summary: FileSummary | None
    lines: list[bytes] = field(default_factory=list)  # `<hash>\t<json>\n` per good row
    refused: list[tuple[str | None, str, str]] = field(default_factory=list)  # key, reason, json
    failure: str | None = None  # unreadable half-way: the error its rolled-back batch records
    held: int = 0  # bytes of `lines` and `refused`


def prepare(path: Path, region_code: str, source: Source) -> PreparedFile:
    """Read and check one file without the database (see the module docstring)."""
    try:
        return _prepare(path, region_code, source)
    except Exception:  # FileLoader reads it again, and records what fails, as it always did
        log.debug("%s: %s not prepared; loaded alone", SOURCE, path, exc_info=True)
        return PreparedFile(path, region_code, None)


def _prepare(path: Path, region_code: str, source: Source) -> PreparedFile:
    if not REGION_CODE.match(region_code) or path.is_symlink():
        return PreparedFile(path, region_code, None)
    summary = FileSummary(
        file=safe_text(str(path)), region_code=region_code, sha256=file_sha256(path)
    )
    prepared = PreparedFile(path, region_code, summary)
    rejection = precheck(path, source)
    if rejection is not None:
        mark_rejected(summary, *rejection)
        return prepared
    if path.stat().st_size > PREPARED_BYTES:
        return PreparedFile(path, region_code, None)
    name = safe_text(path.name)
    limits = ArchiveLimits(max_unpacked_bytes=source.max_unpacked_mb << 20)
    try:
        with open_table(path, limits) as table:
            report = take_report(table, summary, name)
            if not isinstance(report, Report):
                mark_rejected(summary, *report)
                return prepared
            try:
                if not _read_rows(prepared, report.header, report.rows, name):
                    return PreparedFile(path, region_code, None)
            except UnreadableFile as error:  # FileLoader's batch had started: it failed
                prepared.failure = f"{type(error).__name__}: {error}"[:4000]
                raise
    except UnreadableFile as error:
        prepared.lines.clear()
        prepared.refused.clear()
        mark_rejected(summary, error.reason, str(error), rows_rejected=summary.rows_read)
    return prepared


def _read_rows(prepared: PreparedFile, header: Any, rows: Iterable[Any], name: str) -> bool:
    """Check and encode every row; False when they outgrow `PREPARED_BYTES`."""
    summary = prepared.summary
    assert summary is not None
    reasons: dict[str, int] = {}
    for number, cells in rows:
        if is_blank(cells):
            continue
        record, problem = check_row(header, number, cells, summary.region_code, name)
        summary.rows_read += 1
        if problem is None:
            line, _ = copy_text_line(b"", canonical_json(record))
            prepared.lines.append(line)
            prepared.held += len(line)
        else:
            reasons[problem[0]] = reasons.get(problem[0], 0) + 1
            refused = refused_record(record, problem, name, number)
            text = quarantine_json(refused.record)
            prepared.refused.append((refused.record_key, refused.reason, text))
            prepared.held += len(text)
        if prepared.held > PREPARED_BYTES:
            return False
    summary.rows_loaded = len(prepared.lines)
    summary.rows_quarantined = len(prepared.refused)
    summary.quarantine_reasons = dict(sorted(reasons.items()))
    return True


def write_prepared(loader: FileLoader, files: list[PreparedFile]) -> list[FileSummary]:
    """Write prepared files (each with a summary) on the loader's connection, inside the
    transaction the caller holds open; their summaries, in order."""
    conn, source = loader.conn, loader.source
    summaries = [file.summary for file in files if file.summary is not None]
    assert len(summaries) == len(files), "unprepared files are loaded by FileLoader"
    shas = [summary.sha256 for summary in summaries]
    regions = [summary.region_code for summary in summaries]
    tables = sorted(
        {source.entity(s.report_type or "").table for s in summaries if s.status != "rejected"}
    )
    needing_ids = sum(  # a batch id for each file loaded, or failed half-way
        1 for f, s in zip(files, summaries, strict=True) if s.status != "rejected" or f.failure
    )
    with conn.pipeline():  # locks in a fixed order (tables, then checksums), as FileLoader
        for table in tables:
            conn.execute("select pg_advisory_xact_lock(hashtext(%s))", (f"raw.{table}",))
            if table not in loader.tables_ready:
                ensure_raw_table(conn, table)
        conn.execute(
            "select pg_advisory_xact_lock(hashtext(k)) from unnest(%s::text[]) as k order by k",
            (sorted({sha + region for sha, region in zip(shas, regions, strict=True)}),),
        )
        seen_cursor = conn.execute(
            "select f.file_sha256, f.region_code, f.status, f.batch_id, f.path, f.summary"
            " from meta.file_loads f join unnest(%s::text[], %s::text[]) as k (sha, region)"
            " on f.file_sha256 = k.sha and f.region_code = k.region",
            (shas, regions),
        )
        ids_cursor = conn.execute(
            "select nextval(pg_get_serial_sequence('meta.load_batches', 'batch_id'))"
            " from generate_series(1, %s)",
            (needing_ids,),
        )
    seen = {
        (row[0], row[1]): {"status": row[2], "batch_id": row[3], "path": row[4], "summary": row[5]}
        for row in seen_cursor.fetchall()
    }
    ids = iter([row[0] for row in ids_cursor.fetchall()])
    plan = _Plan(source.name, json.dumps(current_trigger().as_json()), datetime.now(UTC))
    for at, file in enumerate(files):
        summary = summaries[at]
        key = (summary.sha256, summary.region_code)
        previous = seen.get(key)
        if previous is not None:  # loaded before, or earlier in this group: nothing read
            fresh = FileSummary(summary.file, summary.region_code, summary.sha256)
            summaries[at] = as_duplicate(fresh, previous)
            continue
        plan.add(file, summary, ids, source)
        if summary.status == "rejected":
            log_rejected(summary)
        else:
            log_loaded(summary)
        seen[key] = {
            "status": "rejected" if summary.status == "rejected" else "loaded",
            "batch_id": summary.batch_id,
            "path": summary.file,
            "summary": summary.as_dict(),
        }
    plan.write(conn)
    loader.tables_ready.update(tables)
    return summaries


@dataclass
class _Plan:
    """The rows a group writes, gathered before the first of them is sent."""

    source: str
    trigger: str
    extracted_at: datetime
    batches: list[tuple[Any, ...]] = field(default_factory=list)
    file_loads: list[tuple[Any, ...]] = field(default_factory=list)
    raw: dict[str, list[bytes]] = field(default_factory=dict)  # table → COPY lines
    quarantined: list[tuple[Any, ...]] = field(default_factory=list)

    def add(
        self, file: PreparedFile, summary: FileSummary, ids: Iterator[int], src: Source
    ) -> None:
        if summary.status == "rejected":
            if file.failure is not None:  # FileLoader would have opened its batch, then failed
                failed = src.entity(summary.report_type or "").name
                log.error("%s.%s: batch failed, rolled back: %s", SOURCE, failed, file.failure)
                self.batches.append(
                    (next(ids), self.source, failed, "failed", summary.rows_read, 0, 0,
                     file.failure, self.trigger)
                )  # fmt: skip
            self.file_loads.append(_file_row(summary, "rejected"))
            return
        entity = src.entity(summary.report_type or "")
        summary.batch_id = batch_id = next(ids)
        self.batches.append(
            (batch_id, self.source, entity.name, "succeeded", summary.rows_read,
             summary.rows_loaded, summary.rows_quarantined, None, self.trigger)
        )  # fmt: skip
        prefix = line_prefix(batch_id, self.source, entity.name, self.extracted_at)
        self.raw.setdefault(entity.table, []).extend(prefix + line for line in file.lines)
        self.quarantined.extend(
            (batch_id, self.source, entity.name, key, reason, "ingestion", record)
            for key, reason, record in file.refused
        )
        self.file_loads.append(_file_row(summary, "loaded"))

    def write(self, conn: Any) -> None:
        with conn.pipeline(), conn.cursor() as cursor:  # batches first: the others refer to them
            if self.batches:
                cursor.executemany(
                    "insert into meta.load_batches (batch_id, source, entity, status,"
                    " finished_at, rows_read, rows_loaded, rows_quarantined, error, trigger)"
                    " overriding system value"
                    " values (%s, %s, %s, %s, now(), %s, %s, %s, %s, %s::jsonb)",
                    self.batches,
                )
            if self.file_loads:
                cursor.executemany(
                    "insert into meta.file_loads (file_sha256, path, region_code, batch_id,"
                    " status, summary) values (%s, %s, %s, %s, %s, %s::jsonb)"
                    " on conflict (file_sha256, region_code) do nothing",
                    self.file_loads,
                )
        for table, lines in sorted(self.raw.items()):
            with copy_into(conn, table, queued=False) as copy:
                copy.write(b"".join(lines))
        if self.quarantined:
            with (
                conn.cursor() as cursor,
                cursor.copy(
                    "copy quarantine.records (batch_id, source, entity, record_key, reason,"
                    " detected_by, record) from stdin"
                ) as copy,
            ):
                for row in self.quarantined:
                    copy.write_row(row)


def _file_row(summary: FileSummary, status: str) -> tuple[Any, ...]:
    return (
        summary.sha256,
        summary.file,
        summary.region_code,
        summary.batch_id,
        status,
        json.dumps(summary.as_dict()),
    )
