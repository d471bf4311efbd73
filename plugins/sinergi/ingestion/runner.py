"""Ingest one API source (rest_json, ckan_datastore): extract → raw, one batch per entity.

Incremental entities ask the source only for records at or after the
watermark (`incremental.param`), and the new watermark is the largest
incremental value seen, committed with the rows. Records already loaded are
not loaded again: a record whose key's latest version in raw has the same
`_record_hash` is skipped. That lookup is kept cheap by scope — for
incremental entities only the rows at the watermark itself (the boundary a
`>=` filter repeats; found via the BRIN index on `_batch_id`), for full-read
entities (small by contract) the whole table. So a re-run with nothing new
loads 0 rows, and a repeated window adds no duplicates.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import asdict
from typing import Any

import msgspec
import psycopg
from psycopg import sql

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
) -> list[BatchResult]:
    """Load every entity of an API source, one batch each; stops at the first failed batch."""
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
) -> BatchResult:
    """Extract one entity and load it as one batch (see the module docstring)."""
    target = target or resolve_target()
    pin_mmap_threshold()
    with open_batch(target, source.name, entity.name, entity.table) as batch:
        watermark, watermark_batch = (None, None) if full_refresh else batch.read_watermark()
        batch.watermark_from = watermark
        seen = _loaded_versions(batch, entity, watermark, watermark_batch, full_refresh)
        params: dict[str, Any] = {}
        if entity.incremental and watermark is not None:
            params[entity.incremental.param] = watermark
        log.info(
            "%s: extracting%s", batch.label, f" from {watermark}" if watermark else " everything"
        )
        with (
            open_client(
                source, settings, use_airflow_connections=use_airflow_connections
            ) as client,
            Progress(batch.label, use_bar=progress_bar, on_advance=on_progress) as progress,
        ):
            assert source.pagination is not None  # validated by the registry
            paginate = PAGINATORS[source.pagination.type]
            pages = paginate(client, entity, source.pagination, source.records_path, params)
            try:
                _load_pages(batch, entity, prefetch(pages), seen, progress.advance)
            except psycopg.Error as error:
                raise LoadError(
                    f"{batch.label}: PostgreSQL refused the batch after {batch.rows_read} records"
                    f" read: {error}"
                ) from error
    result = result_of(batch)
    log.info(
        "%s: batch %d loaded %d of %d rows (%d already loaded), watermark %s",
        batch.label,
        result.batch_id,
        result.rows_loaded,
        result.rows_read,
        result.rows_skipped,
        result.watermark_to,
    )
    return result


def _loaded_versions(
    batch: Batch,
    entity: Entity,
    watermark: str | None,
    watermark_batch: int | None,
    full_refresh: bool,
) -> dict[str, str]:
    """key → `_record_hash` of its latest loaded version, within the scope a run can repeat."""
    if full_refresh:
        return {}
    table = sql.Identifier(RAW_SCHEMA, batch.table)
    if entity.incremental is None:
        where, args = sql.SQL(""), {}
    elif watermark is None or watermark_batch is None:
        return {}
    else:
        where = sql.SQL("where _batch_id >= %(batch)s and record ->> %(field)s = %(watermark)s")
        args = {"batch": watermark_batch, "field": entity.incremental.field, "watermark": watermark}
    query = sql.SQL(
        "select distinct on (record ->> %(key)s) record ->> %(key)s, _record_hash"
        " from {table} {where} order by record ->> %(key)s, _batch_id desc"
    ).format(table=table, where=where)
    rows = batch.conn.execute(query, {"key": entity.primary_key, **args}).fetchall()
    return {key: digest for key, digest in rows if key is not None}


def _load_pages(
    batch: Batch,
    entity: Entity,
    pages: Iterator[Page],
    seen: dict[str, str],
    advance: Callable[[int], None],
) -> None:
    """Stream pages into COPY; track the incremental high-water mark."""
    fields = RecordFields(entity)
    high: Any = None
    refused: list[QuarantinedRecord] = []  # rare; written after COPY, which blocks other SQL
    with batch.copy() as copy:
        for page in pages:
            prefix = batch.line_prefix(page.extracted_at)
            page_fields = fields.of(page.array, page.records)
            escape = needs_copy_escape(page.content)  # whole-body checks: one pass a page
            may_hold_nul = b"\\u0000" in page.content
            lines: list[bytes] = []
            for record, key in zip(page.records, page_fields.keys, strict=True):
                if key is NOT_AN_OBJECT:
                    refused.append(QuarantinedRecord(None, "not a JSON object", _value(record)))
                    continue
                if may_hold_nul and b"\\u0000" in bytes(record):  # jsonb cannot hold NUL
                    refused.append(
                        QuarantinedRecord(key, "contains a NUL character", _value(record))
                    )
                    continue
                line, digest = copy_text_line(prefix, record, escape=escape)
                if seen and seen.get(key or "") == digest:
                    continue
                lines.append(line)
            if lines:
                copy.write(b"".join(lines))
            high = _latest([high, *page_fields.incremental])
            batch.rows_read += len(page.records)
            batch.rows_loaded += len(lines)
            advance(len(page.records))
    batch.quarantine(refused)
    if high is not None and (
        batch.watermark_from is None or _later(high, _typed(batch.watermark_from, high))
    ):
        batch.watermark_to = str(high)


def _value(record: msgspec.Raw) -> Any:
    """A refused record, decoded for `quarantine.records`."""
    return msgspec.json.decode(record)


def _latest(values: list[Any]) -> Any:
    """The latest incremental value (by `_later`), None when there is none."""
    present = [value for value in values if value is not None]
    kinds = set(map(type, present))
    if kinds and (kinds == {str} or kinds <= {int, float}):
        return max(present)  # what `_later` gives, without a call per record
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
    """Whether an incremental value is later: numbers numerically, the rest as text (ISO)."""
    numeric = (int, float)
    if isinstance(value, numeric) and isinstance(than, numeric):
        return value > than
    return str(value) > str(than)


def ingest_entity_task(source_name: str, entity_name: str, *, full_refresh: bool = False) -> dict:
    """What an ingest DAG's task runs: one entity, secrets from Airflow; a JSON-able summary."""
    source = load_registry().source(source_name)
    result = ingest_entity(
        source,
        source.entity(entity_name),
        full_refresh=full_refresh,
        use_airflow_connections=True,
        progress_bar=False,
    )
    return {**asdict(result), "rows_skipped": result.rows_skipped}
