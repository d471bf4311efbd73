"""Ingest one API source (rest_json, ckan_datastore): extract → raw, one batch per entity.

Incremental entities ask the source only for records at or after the
watermark (`incremental.param`), and the new watermark is the largest
incremental value seen, committed with the rows. Records already loaded are
not loaded again: a record whose key's latest version in raw has the same
`_record_hash` is skipped. That lookup is kept cheap by scope — for
incremental entities only the rows at the watermark itself (the boundary a
`>=` filter repeats; found via the BRIN index on `_batch_id`) and those of
backfill batches whose window ends past it, for full-read entities (small by
contract) the whole table. So a re-run with nothing new
loads 0 rows, and a repeated window adds no duplicates.

A windowed read (a backfill: `window=Window(start, end)`) re-reads one
stretch of source time instead: it asks the source for records from the
window start (one millisecond earlier, so a source whose filter is exclusive,
like `modified_after`, still returns a record stamped exactly at the start),
keeps only the records whose incremental value lies in [start, end), stops
paging once a whole page lies past the end (sources serve in timestamp order),
and skips every record version raw already holds with a timestamp in the
window. It never moves the watermark: the next normal read starts where it
would have, and also skips what backfills loaded past the watermark. Records
it cannot place in the window (no incremental value, not a JSON object) are
left to normal reads; `rows_read` counts only the window's records, so the
days of a backfill add up to one read of the whole interval. An entity
without an incremental field has no notion of time: its windowed read is a
normal read.

A normal read is counted against what the source said it holds (a page's
`total`, `X-Total-Count`: `Page.reported_total`, the last one said): fewer
records than an exact count raise a `source_shortfall` alert once the batch
has committed (the rows that did come are kept: the source, not the read, is
short); an estimated count (CKAN's `total_was_estimated`) is only logged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
import psycopg
from psycopg import sql

from sinergi.alerts import alert
from sinergi.ingestion.auth import build_authenticator
from sinergi.ingestion.connections import get_connection
from sinergi.ingestion.http import HttpSettings, SourceClient, SourceError
from sinergi.ingestion.paginators import PAGINATORS, Page
from sinergi.ingestion.prefetch import prefetch
from sinergi.ingestion.progress import Progress, ProgressCallback
from sinergi.ingestion.raw_json import NOT_AN_OBJECT, RecordFields
from sinergi.ingestion.raw_loader import (
    RAW_SCHEMA,
    Batch,
    BatchResult,
    LoadError,
    QuarantinedRecord,
    copy_text_line,
    needs_copy_escape,
    open_batch,
    result_of,
)
from sinergi.ingestion.registry import Entity, Registry, Source, load_registry
from sinergi.malloc import pin_mmap_threshold
from sinergi.warehouse.connection import WarehouseTarget, resolve_target

log = logging.getLogger(__name__)

_ONE_MS = timedelta(milliseconds=1)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

Versions = set[tuple[str, str]]
"""(key, `_record_hash`) of the record versions a read skips as already loaded."""


@dataclass
class SourceCount:
    """What the source said a read holds, from its pages (the last page that said it)."""

    reported: int | None = None
    counted_by: str | None = None
    estimate: bool = False

    def note(self, page: Page) -> None:
        if page.reported_total is not None:
            self.reported = page.reported_total
            self.counted_by = page.counted_by
            self.estimate = page.total_is_estimate


@dataclass(frozen=True)
class Window:
    """A stretch of source time, [start, end), that a backfill batch re-reads."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError(f"window bounds must carry a time zone: {self.start}, {self.end}")
        if not self.start < self.end:
            raise ValueError(f"empty window: {self.start.isoformat()} .. {self.end.isoformat()}")

    @classmethod
    def of(cls, bounds: tuple[datetime | str, datetime | str]) -> Window:
        """From (start, end) datetimes or ISO-8601 strings (what an Airflow run's
        data interval gives); a bound without a zone is UTC."""
        start, end = (_aware(bound) for bound in bounds)
        return cls(start, end)

    def holds(self, value: Any) -> bool:
        """Whether a record's incremental value lies in the window."""
        moment = source_instant(value)
        return moment is not None and self.start <= moment < self.end

    def is_past(self, value: Any) -> bool:
        moment = source_instant(value)
        return moment is not None and moment >= self.end

    def __str__(self) -> str:
        return f"[{self.start.isoformat()}, {self.end.isoformat()})"


def _aware(bound: datetime | str) -> datetime:
    moment = datetime.fromisoformat(bound) if isinstance(bound, str) else bound
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def source_instant(value: Any) -> datetime | None:
    """A record's incremental value as an instant: a number (or a string of digits) is
    epoch milliseconds (kemnaker_corpu's `completed_at`), a string ISO-8601 (`Z` or an
    offset; none means UTC). None when it is neither."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        if isinstance(value, int | float) or (isinstance(value, str) and value.isdigit()):
            return _EPOCH + timedelta(milliseconds=int(value))
        if isinstance(value, str):
            return _aware(value)
    except (ValueError, OverflowError):
        return None
    return None


def source_time(moment: datetime, *, epoch_ms: bool) -> str:
    """An instant as the source writes its incremental values, to send as the entity's
    `incremental.param`: epoch milliseconds, or ISO-8601 UTC with milliseconds and `Z`
    (the form of the contract's timestamps)."""
    utc = moment.astimezone(UTC)
    if epoch_ms:
        return str((utc - _EPOCH) // _ONE_MS)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def counts_in_epoch_ms(entity: Entity, watermark: str | None) -> bool:
    """Whether the entity's source speaks epoch milliseconds: its stored watermark (a
    value the source sent) is a number; before any load, its parameter says `_ms`."""
    if watermark is not None:
        return watermark.strip().lstrip("-").isdigit()
    return entity.incremental is not None and entity.incremental.param.endswith("_ms")


def ingest_source(
    source_name: str,
    *,
    full_refresh: bool = False,
    target: WarehouseTarget | None = None,
    registry: Registry | None = None,
    settings: HttpSettings | None = None,
    use_airflow_connections: bool = False,
    on_progress: ProgressCallback | None = None,
    progress_bar: bool | None = None,
    window: Window | None = None,
) -> list[BatchResult]:
    """Load every entity of an API source, one batch each; stops at the first failed batch.

    `window`: re-read only that stretch of source time (a backfill; see the module docstring).
    """
    registry = registry or load_registry()
    source = registry.source(source_name)
    if source.kind == "file_drop":
        raise ValueError(
            f"{source_name} is a file drop: load files with `sinergi ingest-file` "
            "or the ingest_file_drops DAG"
        )
    target = target or resolve_target()
    return [
        ingest_entity(
            source,
            entity,
            target=target,
            full_refresh=full_refresh,
            settings=settings,
            use_airflow_connections=use_airflow_connections,
            on_progress=on_progress,
            progress_bar=progress_bar,
            window=window,
        )
        for entity in source.entities
    ]


def open_client(
    source: Source, settings: HttpSettings | None = None, *, use_airflow_connections: bool = False
) -> SourceClient:
    """A client for the source: base URL and secrets from its connection, auth from the registry."""
    settings = settings or HttpSettings()
    conn = (
        get_connection(source.connection, use_airflow=use_airflow_connections)
        if source.connection
        else None
    )
    base_url = (conn.base_url if conn else None) or source.base_url
    if not base_url:
        raise SourceError(
            source.name, None, f"no base URL: connection {source.connection!r} has no host"
        )
    auth = build_authenticator(source.name, source.auth, conn, base_url, settings)
    return SourceClient(source.name, base_url, auth, settings)


def ingest_entity(
    source: Source,
    entity: Entity,
    *,
    target: WarehouseTarget | None = None,
    full_refresh: bool = False,
    settings: HttpSettings | None = None,
    use_airflow_connections: bool = False,
    on_progress: ProgressCallback | None = None,
    progress_bar: bool | None = None,
    window: Window | None = None,
) -> BatchResult:
    """Extract one entity and load it as one batch (see the module docstring)."""
    target = target or resolve_target()
    pin_mmap_threshold()
    if entity.incremental is None:
        window = None  # no incremental field: a windowed read is a normal (full) read
    bounds = (window.start, window.end) if window else None
    with open_batch(target, source.name, entity.name, entity.table, window=bounds) as batch:
        seen, params = _plan_read(batch, entity, full_refresh, window)
        with (
            open_client(
                source, settings, use_airflow_connections=use_airflow_connections
            ) as client,
            Progress(batch.label, use_bar=progress_bar, on_advance=on_progress) as progress,
        ):
            assert source.pagination is not None  # validated by the registry
            paginate = PAGINATORS[source.pagination.type]
            pages = prefetch(
                paginate(client, entity, source.pagination, source.records_path, params)
            )
            try:
                said = _load_pages(batch, entity, pages, seen, progress.advance, window)
            except psycopg.Error as error:
                raise LoadError(
                    f"{batch.label}: PostgreSQL refused the batch after {batch.rows_read} records"
                    f" read: {error}"
                ) from error
            finally:
                _close(pages)  # a windowed read may stop before the last page
    result = result_of(batch)
    log.info(
        "%s: batch %d loaded %d of %d rows (%d already loaded), watermark %s%s",
        batch.label,
        result.batch_id,
        result.rows_loaded,
        result.rows_read,
        result.rows_skipped,
        result.watermark_to,
        f" (unchanged: backfill of {window})" if window else "",
    )
    if window is None:
        check_count(result, said, target)
    return result


def check_count(result: BatchResult, said: SourceCount, target: WarehouseTarget) -> None:
    """Count a committed batch's records against what the source said it had: a shortfall
    against an exact count is a `source_shortfall` alert, against an estimate a log line."""
    if said.reported is None:
        return
    label = f"{result.source}.{result.entity}"
    expected, got = said.reported, result.rows_read
    if said.estimate:
        log.info(
            "%s: read %d records; the source estimated %d (%s, total_was_estimated): not compared",
            label,
            got,
            expected,
            said.counted_by,
        )
        return
    if got >= expected:
        if got > expected:
            log.info(
                "%s: read %d records, %d more than %s said",
                label,
                got,
                got - expected,
                said.counted_by,
            )
        return
    alert(
        "source_shortfall",
        label,
        f"{label}: the source said it had {expected} records ({said.counted_by}) but sent"
        f" {got} in batch {result.batch_id}: {expected - got} missing",
        {
            "source": result.source,
            "entity": result.entity,
            "batch_id": result.batch_id,
            "expected": expected,
            "loaded": got,
            "missing": expected - got,
            "counted_by": said.counted_by,
        },
        target=target,
    )


def _plan_read(
    batch: Batch, entity: Entity, full_refresh: bool, window: Window | None
) -> tuple[Versions, dict[str, Any]]:
    """The versions a read skips as already loaded, and the query parameters it sends."""
    params: dict[str, Any] = {}
    if window is not None:
        assert entity.incremental is not None
        stored, _ = batch.read_watermark()
        batch.watermark_from = stored  # recorded, never moved
        since = window.start - _ONE_MS  # see the module docstring
        epoch_ms = counts_in_epoch_ms(entity, stored)
        params[entity.incremental.param] = source_time(since, epoch_ms=epoch_ms)
        log.info("%s: extracting the window %s", batch.label, window)
        return (set() if full_refresh else _window_versions(batch, entity, window)), params
    watermark, watermark_batch = (None, None) if full_refresh else batch.read_watermark()
    batch.watermark_from = watermark
    if entity.incremental and watermark is not None:
        params[entity.incremental.param] = watermark
    log.info("%s: extracting%s", batch.label, f" from {watermark}" if watermark else " everything")
    return _loaded_versions(batch, entity, watermark, watermark_batch, full_refresh), params


def _close(pages: Iterator[Page]) -> None:
    close = getattr(pages, "close", None)
    if close is not None:
        close()


def _loaded_versions(
    batch: Batch,
    entity: Entity,
    watermark: str | None,
    watermark_batch: int | None,
    full_refresh: bool,
) -> Versions:
    """The versions a normal read can meet again: for a full-read entity each key's latest
    version; for an incremental one those at the watermark (what a `>=` filter repeats) and
    those backfills loaded past it."""
    if full_refresh:
        return set()
    table = sql.Identifier(RAW_SCHEMA, batch.table)
    if entity.incremental is None:
        query = sql.SQL(
            "select distinct on (record ->> %(key)s) record ->> %(key)s, _record_hash"
            " from {table} order by record ->> %(key)s, _batch_id desc"
        ).format(table=table)
        return _versions(batch, query, {"key": entity.primary_key})
    scopes: list[sql.Composable] = []
    args: dict[str, Any] = {"key": entity.primary_key, "field": entity.incremental.field}
    if watermark is not None and watermark_batch is not None:
        scopes.append(sql.SQL("(_batch_id >= %(batch)s and record ->> %(field)s = %(watermark)s)"))
        args |= {"batch": watermark_batch, "watermark": watermark}
    backfills = _backfills_past(batch, None if watermark is None else source_instant(watermark))
    if backfills:
        scopes.append(sql.SQL("_batch_id = any(%(backfills)s)"))
        args["backfills"] = backfills
    if not scopes:
        return set()
    query = sql.SQL("select record ->> %(key)s, _record_hash from {table} where {scope}").format(
        table=table, scope=sql.SQL(" or ").join(scopes)
    )
    return _versions(batch, query, args)


def _backfills_past(batch: Batch, watermark: datetime | None) -> list[int]:
    """Succeeded backfill batches of the entity whose window ends past the watermark (all
    of them when there is none): the next normal read meets their rows again."""
    rows = batch.conn.execute(
        "select batch_id from meta.load_batches where source = %(source)s"
        " and entity = %(entity)s and status = 'succeeded' and window_end is not null"
        " and (%(mark)s::timestamptz is null or window_end > %(mark)s::timestamptz)",
        {"source": batch.source, "entity": batch.entity, "mark": watermark},
    ).fetchall()
    return [int(batch_id) for (batch_id,) in rows]


def _window_versions(batch: Batch, entity: Entity, window: Window) -> Versions:
    """Every version raw holds whose incremental value may lie in the window.

    The test is loose on purpose (a day either side, compared as text for ISO strings,
    numerically for epoch ms), so it never fails on an odd value: a (key, hash) pair names
    one exact version, so a wider scope can only skip a version that is already loaded.
    """
    assert entity.incremental is not None
    day = timedelta(days=1)
    query = sql.SQL(
        "select record ->> %(key)s, _record_hash from {table}"
        " where case jsonb_typeof(record -> %(field)s)"
        " when 'number' then (record ->> %(field)s)::numeric >= %(low_ms)s"
        " and (record ->> %(field)s)::numeric < %(high_ms)s"
        " when 'string' then record ->> %(field)s >= %(low_day)s"
        " and record ->> %(field)s < %(high_day)s"
        " else false end"
    ).format(table=sql.Identifier(RAW_SCHEMA, batch.table))
    args = {
        "key": entity.primary_key,
        "field": entity.incremental.field,
        "low_ms": int(source_time(window.start - day, epoch_ms=True)),
        "high_ms": int(source_time(window.end + day, epoch_ms=True)),
        "low_day": (window.start - day).astimezone(UTC).date().isoformat(),
        "high_day": (window.end + 2 * day).astimezone(UTC).date().isoformat(),
    }
    return _versions(batch, query, args)


def _versions(batch: Batch, query: sql.Composed, args: dict[str, Any]) -> Versions:
    rows = batch.conn.execute(query, args).fetchall()
    return {(key, digest) for key, digest in rows if key is not None}


def _load_pages(
    batch: Batch,
    entity: Entity,
    pages: Iterator[Page],
    seen: Versions,
    advance: Callable[[int], None],
    window: Window | None = None,
) -> SourceCount:
    """Stream pages into COPY; track the incremental high-water mark (normal reads) or
    keep only the window's records (windowed reads). Returns what the source said the
    read holds."""
    said = SourceCount()
    fields = RecordFields(entity)
    high: Any = None
    outside = 0
    refused: list[QuarantinedRecord] = []  # rare; written after COPY, which blocks other SQL
    with batch.copy() as copy:
        for page in pages:
            said.note(page)
            prefix = batch.line_prefix(page.extracted_at)
            page_fields = fields.of(page.array, page.records)
            escape = needs_copy_escape(page.content)  # whole-body checks: one pass a page
            may_hold_nul = b"\\u0000" in page.content
            held = [window.holds(mark) for mark in page_fields.incremental] if window else None
            lines: list[bytes] = []
            for index, (record, key) in enumerate(zip(page.records, page_fields.keys, strict=True)):
                if held is not None and not held[index]:
                    continue
                if key is NOT_AN_OBJECT:
                    refused.append(QuarantinedRecord(None, "not_json_object", _value(record)))
                    continue
                if may_hold_nul and b"\\u0000" in bytes(record):  # jsonb cannot hold NUL
                    refused.append(QuarantinedRecord(key, "nul_character", _value(record)))
                    continue
                line, digest = copy_text_line(prefix, record, escape=escape)
                if seen and (key or "", digest) in seen:
                    continue
                lines.append(line)
            if lines:
                copy.write(b"".join(lines))
            read = len(page.records) if held is None else sum(held)
            outside += len(page.records) - read
            batch.rows_read += read
            batch.rows_loaded += len(lines)
            advance(len(page.records))
            if window is None:
                high = _latest([high, *page_fields.incremental])
            elif _past_window(window, page_fields.incremental):
                break  # served in timestamp order: the next pages are later still
    batch.quarantine(refused)
    if window is not None:
        log.info("%s: %d records outside the window %s left out", batch.label, outside, window)
        return said
    if high is not None and (
        batch.watermark_from is None or _later(high, _typed(batch.watermark_from, high))
    ):
        batch.watermark_to = str(high)
    return said


def _past_window(window: Window, marks: list[Any]) -> bool:
    """Whether a whole page lies past the window's end (and so every later page does)."""
    present = [mark for mark in marks if mark is not None]
    return bool(present) and all(window.is_past(mark) for mark in present)


def _value(record: msgspec.Raw) -> Any:
    """A refused record, decoded for `quarantine.records`."""
    return msgspec.json.decode(record)


def _latest(values: list[Any]) -> Any:
    """The latest incremental value (by `_later`), None when there is none."""
    present = [value for value in values if value is not None]
    kinds = set(map(type, present))
    if kinds and kinds <= {int, float}:
        return max(present)  # what `_later` gives, without a call per record
    if kinds == {str}:
        stamped = [(at, value) for value in present if (at := _iso_instant(value)) is not None]
        if len(stamped) == len(present):  # the first of the latest instant, as `_later` keeps
            return max(stamped, key=lambda pair: pair[0])[1]
        return max(present)
    high: Any = None
    for value in present:
        if high is None or _later(value, high):
            high = value
    return high


def _typed(stored: str, like: Any) -> Any:
    """The stored (text) watermark as the type of the record values it is compared with."""
    if isinstance(like, int | float) and not isinstance(like, bool):
        try:
            return float(stored) if "." in stored else int(stored)
        except ValueError:
            return stored
    return stored


def _later(value: Any, than: Any) -> bool:
    """Whether an incremental value is later: numbers numerically, ISO-8601 timestamps as
    instants (as text `...00.500Z` sorts before `...00Z`, and offsets differ), the rest as
    text. Only the comparison parses: the watermark keeps the text the source sent."""
    numeric = (int, float)
    if isinstance(value, numeric) and isinstance(than, numeric):
        return value > than
    value_at, than_at = _iso_instant(value), _iso_instant(than)
    if value_at is not None and than_at is not None:
        return value_at > than_at
    return str(value) > str(than)


def _iso_instant(value: Any) -> datetime | None:
    """An ISO-8601 timestamp's instant (no zone: UTC, as `source_instant`), None for
    anything else (a number, digits, other text)."""
    if not isinstance(value, str) or value.isdigit():
        return None
    try:
        return _aware(value)
    except ValueError:
        return None


def ingest_entity_task(
    source_name: str,
    entity_name: str,
    *,
    full_refresh: bool = False,
    window: tuple[str, str] | None = None,
) -> dict:
    """What an ingest DAG's task runs: one entity, secrets from Airflow; a JSON-able summary.

    `window`: a backfill run's data interval, (start, end) as ISO-8601 strings.
    """
    source = load_registry().source(source_name)
    result = ingest_entity(
        source,
        source.entity(entity_name),
        full_refresh=full_refresh,
        use_airflow_connections=True,
        progress_bar=False,
        window=Window.of(window) if window else None,
    )
    return {**asdict(result), "rows_skipped": result.rows_skipped}
