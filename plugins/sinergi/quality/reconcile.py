"""Staging's invalid rows into quarantine, and the proof that nothing was lost:
for every source entity, the records staging sees (latest version of each)
are either valid or quarantined, never both and never neither.

Staging flags invalid rows (`invalid_reason`) and the layers above drop
them; this module gives each such row its place in `quarantine.records`
(detected_by `dbt:<model>`) unless GX already quarantined the same raw
record (same source, entity, batch and record hash). A staging row is tied
to its raw row by `_record_hash` when staging carries it, else by batch and
the record itself (jsonb equality).
"""

from __future__ import annotations

import logging

import psycopg
from psycopg import sql

from sinergi.quality.config import RawContract
from sinergi.quality.discovery import StagingModel
from sinergi.quality.results import CheckResult

log = logging.getLogger(__name__)

SUITE = "reconciliation"
_RECORD_COLUMNS = ("source_record", "record", "_record")


def staging_rows(model: StagingModel) -> sql.Composed:
    """`_batch_id, _record_hash, invalid_reason, record` of every staging row."""
    stg = sql.Identifier(model.schema, model.name)
    if "_record_hash" in model.columns:
        record = next((c for c in _RECORD_COLUMNS if c in model.columns), None)
        record_sql = sql.SQL("s.{}").format(sql.Identifier(record)) if record else sql.SQL("null")
        return sql.SQL(
            "select s._batch_id, s._record_hash, s.invalid_reason, {record} as record from {stg} s"
        ).format(record=record_sql, stg=stg)
    record = next((c for c in _RECORD_COLUMNS if c in model.columns), None)
    if record is None or "_batch_id" not in model.columns:
        raise ValueError(
            f"staging {model.schema}.{model.name}: needs _record_hash, or _batch_id and the"
            f" raw record ({' / '.join(_RECORD_COLUMNS)}), to be tied to raw.{model.raw_table}"
        )
    return sql.SQL(
        "select s._batch_id, r._record_hash, s.invalid_reason, s.{record} as record"
        " from {stg} s left join lateral ("
        " select r._record_hash from raw.{raw} r"
        " where r._batch_id = s._batch_id and r.record = s.{record} limit 1) r on true"
    ).format(record=sql.Identifier(record), stg=stg, raw=sql.Identifier(model.raw_table))


def quarantine_staging_invalid(
    conn: psycopg.Connection, model: StagingModel, contract: RawContract | None
) -> int:
    """Copy the model's invalid rows into quarantine unless already there; returns new rows."""
    key = (
        sql.SQL("s.record ->> {}").format(sql.Literal(contract.key))
        if contract and contract.key
        else sql.SQL("null::text")
    )
    statement = sql.SQL(
        "insert into quarantine.records"
        " (batch_id, source, entity, record_key, reason, detected_by, record, record_hash)"
        " select s._batch_id, {source}, {entity}, {key}, s.invalid_reason, {detected_by},"
        " coalesce(s.record, '{{}}'::jsonb), s._record_hash"
        " from ({rows}) s"
        " where s.invalid_reason is not null and s._record_hash is not null"
        " and not exists (select from quarantine.records q where q.source = {source}"
        " and q.entity = {entity} and q.batch_id = s._batch_id"
        " and q.record_hash = s._record_hash)"
        " on conflict (source, entity, batch_id, record_hash, detected_by)"
        " where record_hash is not null do nothing"
    ).format(
        source=sql.Literal(model.source),
        entity=sql.Literal(model.entity),
        key=key,
        detected_by=sql.Literal(f"dbt:{model.name}"),
        rows=staging_rows(model),
    )
    inserted = max(conn.execute(statement).rowcount, 0)
    log.info("quarantine from %s: %d new rows", model.name, inserted)
    return inserted


def reconcile(conn: psycopg.Connection, model: StagingModel, *, blocking: bool) -> CheckResult:
    """raw = staged valid + quarantined + superseded versions, for one source entity."""
    query = sql.SQL(
        "with s as ({rows}),"
        " q as (select distinct batch_id, record_hash from quarantine.records"
        " where source = {source} and entity = {entity} and record_hash is not null)"
        " select (select count(*) from raw.{raw}),"
        " count(*),"
        " count(*) filter (where s.invalid_reason is null),"
        " count(*) filter (where q.batch_id is not null),"
        " count(*) filter (where q.batch_id is not null and s.invalid_reason is null),"
        " count(*) filter (where q.batch_id is null and s.invalid_reason is not null),"
        " count(*) filter (where s._record_hash is null)"
        " from s left join q on q.batch_id = s._batch_id and q.record_hash = s._record_hash"
    ).format(
        rows=staging_rows(model),
        source=sql.Literal(model.source),
        entity=sql.Literal(model.entity),
        raw=sql.Identifier(model.raw_table),
    )
    row = conn.execute(query).fetchone()
    assert row is not None
    raw_rows, staged, valid, quarantined, valid_but_quarantined, invalid_loose, untied = row
    figures = {
        "raw_rows": raw_rows,
        "staged_rows": staged,
        "superseded_versions": raw_rows - staged,
        "staged_valid": valid,
        "quarantined": quarantined,
        "valid_but_quarantined": valid_but_quarantined,
        "invalid_not_quarantined": invalid_loose,
        "untied_to_raw": untied,
    }
    success = (
        valid + quarantined == staged
        and valid_but_quarantined == 0
        and untied == 0
        and raw_rows >= staged
    )
    return CheckResult(
        suite=SUITE,
        expectation="raw_equals_staged_plus_quarantined",
        success=success,
        is_blocking=blocking,
        column=model.raw_table,
        observed_value=figures,
        unexpected_count=invalid_loose + valid_but_quarantined + untied,
        details={"staging_model": f"{model.schema}.{model.name}", **figures},
    )
