"""Staging's invalid rows into quarantine, and the proof that nothing was lost:
for every source entity, the records staging sees (latest version of each)
are either valid or quarantined, never both and never neither.

Staging flags invalid rows (`invalid_reason`) and the layers above drop
them; this module gives each such row its place in `quarantine.records`
(detected_by `dbt:<model>`) unless GX already quarantined the same raw
record (same source, entity, batch and record hash). Staging rows and dbt's
candidates are tied to their raw row by its identity, `(_batch_id,
_record_hash)`, which both carry: every statement joins on that key, never
on the record's jsonb (a jsonb equality per row planned as a nested loop
over raw: minutes at 20,000 ASN). Neither keeps a copy of the record: a row
going into quarantine takes it from raw by that identity.

Reasons are copied as dbt words them. One outside the quarantine reason list
(dbt_project/seeds/quarantine_reasons.csv) is still quarantined, never
refused: the night goes on, a warning is logged, the reconciliation result
names it (`unlisted_reasons`) and the non-blocking `reasons_listed` check
fails, so the publish's quality-warnings alert asks for its row in the list.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import psycopg
from psycopg import sql

from sinergi.domain.reasons import SEED_FILE, unlisted
from sinergi.quality.config import RawContract
from sinergi.quality.discovery import StagingModel
from sinergi.quality.results import CheckResult
from sinergi.warehouse import schemas

log = logging.getLogger(__name__)

SUITE = "reconciliation"


def staging_rows(model: StagingModel) -> sql.Composed:
    """`_batch_id, _record_hash, invalid_reason` of every staging row."""
    missing = [c for c in ("_batch_id", "_record_hash") if c not in model.columns]
    if missing:
        raise ValueError(
            f"staging {model.schema}.{model.name}: needs {' and '.join(missing)} (the raw row's"
            f" identity) to be tied to raw.{model.raw_table}"
        )
    return sql.SQL("select s._batch_id, s._record_hash, s.invalid_reason from {stg} s").format(
        stg=sql.Identifier(model.schema, model.name)
    )


def _insert_with_raw_records(
    model: StagingModel, new_rows: sql.Composable, detected_by: str, key: sql.Composable
) -> sql.Composed:
    """Insert `new_rows` (batch_id, record_hash, reason[, record_key]) into
    quarantine.records unless the raw record is there already (GX may have put it
    there), each with its record as raw holds it: staging and dbt's candidates keep
    only the raw row's identity, not a copy of its jsonb. `key` may use `n.` (the
    new row) and `r.` (its raw row). Returns each inserted row's reason."""
    return sql.SQL(
        "insert into quarantine.records"
        " (batch_id, source, entity, record_key, reason, detected_by, record, record_hash)"
        " select n.batch_id, {source}, {entity}, {key}, n.reason, {detected_by},"
        " coalesce(r.record, '{{}}'::jsonb), n.record_hash"
        " from (select * from ({new_rows}) fresh where fresh.record_hash is not null"
        " and not exists (select from quarantine.records q where q.source = {source}"
        " and q.entity = {entity} and q.batch_id = fresh.batch_id"
        " and q.record_hash = fresh.record_hash)) n"
        " left join {raw} r on r._batch_id = n.batch_id and r._record_hash = n.record_hash"
        " on conflict (source, entity, batch_id, record_hash, detected_by)"
        " where record_hash is not null do nothing returning reason"
    ).format(
        source=sql.Literal(model.source),
        entity=sql.Literal(model.entity),
        key=key,
        detected_by=sql.Literal(detected_by),
        new_rows=new_rows,
        raw=sql.Identifier(schemas.RAW, model.raw_table),
    )


def quarantine_staging_invalid(
    conn: psycopg.Connection, model: StagingModel, contract: RawContract | None
) -> int:
    """Copy the model's invalid rows into quarantine unless already there; returns new rows."""
    key = (
        sql.SQL("r.record ->> {}").format(sql.Literal(contract.key))
        if contract and contract.key
        else sql.SQL("null::text")
    )
    new_rows = sql.SQL(
        "select s._batch_id as batch_id, s._record_hash as record_hash,"
        " s.invalid_reason as reason from ({rows}) s where s.invalid_reason is not null"
    ).format(rows=staging_rows(model))
    statement = _insert_with_raw_records(model, new_rows, f"dbt:{model.name}", key)
    inserted = _insert_noting_reasons(conn, statement, model.name)
    log.info("quarantine from %s: %d new rows", model.name, inserted)
    return inserted


def _insert_noting_reasons(conn: psycopg.Connection, statement: sql.Composed, by: str) -> int:
    """Run an `insert ... returning reason`; warn about reasons outside the list. Rows."""
    reasons = [reason for (reason,) in conn.execute(statement).fetchall()]
    if stray := unlisted(reasons):
        log.warning(
            "%s quarantined records with reasons %s, which are not in the quarantine reason list"
            " (dbt_project/seeds/quarantine_reasons.csv): kept in quarantine, add them there",
            by,
            stray,
        )
    return len(reasons)


@dataclass(frozen=True)
class Candidates:
    """dbt's list of every record kept out of the marts (`int_quarantine_candidates`):
    staging's invalid rows and valid rows that could not be resolved downstream
    (unknown institution, training or ASN). Columns: source, entity, record_key,
    reason, batch_id and `_record_hash` (with batch_id, the raw row's identity)."""

    schema: str
    name: str
    columns: tuple[str, ...]

    REQUIRED = ("source", "entity", "reason", "batch_id", "_record_hash")

    @property
    def usable(self) -> bool:
        return all(c in self.columns for c in self.REQUIRED)


def candidate_rows(candidates: Candidates, model: StagingModel) -> sql.Composed:
    """`batch_id, record_hash, reason, record_key` of the model's entity's candidates."""
    key = sql.SQL("c.record_key::text") if "record_key" in candidates.columns else sql.SQL("null")
    return sql.SQL(
        "select c.batch_id, c._record_hash as record_hash, c.reason, {key} as record_key"
        " from {rel} c where c.source = {source} and c.entity = {entity}"
    ).format(
        key=key,
        rel=sql.Identifier(candidates.schema, candidates.name),
        source=sql.Literal(model.source),
        entity=sql.Literal(model.entity),
    )


def quarantine_candidates(
    conn: psycopg.Connection, candidates: Candidates, model: StagingModel
) -> int:
    """Copy dbt's candidates of one entity into quarantine unless already there."""
    statement = _insert_with_raw_records(
        model, candidate_rows(candidates, model), f"dbt:{candidates.name}", sql.SQL("n.record_key")
    )
    inserted = _insert_noting_reasons(conn, statement, candidates.name)
    log.info("quarantine from %s (%s): %d new rows", candidates.name, model.raw_table, inserted)
    return inserted


def release_resolved(conn: psycopg.Connection, candidates: Candidates, model: StagingModel) -> int:
    """Sync the release of dbt's candidates with what dbt keeps out now; returns releases.

    A record quarantined for a reference that had not arrived yet (an unknown
    training, institution or ASN) is released (`released_at`) once it is valid
    in staging and no longer a candidate, so it counts as kept; one that
    becomes a candidate again is quarantined again.
    """
    detected_by = sql.Literal(f"dbt:{candidates.name}")
    source, entity = sql.Literal(model.source), sql.Literal(model.entity)
    current = candidate_rows(candidates, model)
    conn.execute(
        sql.SQL(
            "update quarantine.records q set released_at = null"
            " where q.source = {source} and q.entity = {entity} and q.detected_by = {by}"
            " and q.released_at is not null and exists (select from ({current}) c"
            " where c.batch_id = q.batch_id and c.record_hash = q.record_hash)"
        ).format(source=source, entity=entity, by=detected_by, current=current)
    )
    released = conn.execute(
        sql.SQL(
            "update quarantine.records q set released_at = now()"
            " where q.source = {source} and q.entity = {entity} and q.detected_by = {by}"
            " and q.released_at is null"
            " and exists (select from ({staged}) s where s._batch_id = q.batch_id"
            " and s._record_hash = q.record_hash and s.invalid_reason is null)"
            " and not exists (select from ({current}) c"
            " where c.batch_id = q.batch_id and c.record_hash = q.record_hash)"
        ).format(
            source=source,
            entity=entity,
            by=detected_by,
            staged=staging_rows(model),
            current=current,
        )
    ).rowcount
    if released > 0:
        log.info("released %d %s records whose references arrived", released, model.raw_table)
    return max(released, 0)


def reconcile(
    conn: psycopg.Connection,
    model: StagingModel,
    *,
    blocking: bool,
    candidates: Candidates | None = None,
) -> CheckResult:
    """raw = staged (kept + quarantined) + superseded versions, for one source entity.

    Fails when a record staging refuses is not in quarantine, when a record in
    quarantine would still reach a mart (valid in staging and not excluded
    by dbt), or when a staging row cannot be tied to its raw row.
    """
    excluded = (
        sql.SQL("select distinct batch_id, record_hash from ({}) c").format(
            candidate_rows(candidates, model)
        )
        if candidates is not None
        else sql.SQL("select null::bigint as batch_id, null::text as record_hash where false")
    )
    query = sql.SQL(
        "with s as ({rows}),"
        " q as (select distinct batch_id, record_hash from quarantine.records"
        " where source = {source} and entity = {entity} and record_hash is not null"
        " and released_at is null),"
        " x as ({excluded}),"
        " flagged as (select s.*, q.batch_id is not null as in_q, x.batch_id is not null as in_x"
        " from s left join q on q.batch_id = s._batch_id and q.record_hash = s._record_hash"
        " left join x on x.batch_id = s._batch_id and x.record_hash = s._record_hash)"
        " select (select count(*) from raw.{raw}),"
        " count(*),"
        " count(*) filter (where invalid_reason is null and not in_q),"
        " count(*) filter (where in_q),"
        " count(*) filter (where in_q and invalid_reason is null and not in_x),"
        " count(*) filter (where not in_q and (invalid_reason is not null or in_x)),"
        " count(*) filter (where _record_hash is null)"
        " from flagged"
    ).format(
        rows=staging_rows(model),
        source=sql.Literal(model.source),
        entity=sql.Literal(model.entity),
        excluded=excluded,
        raw=sql.Identifier(model.raw_table),
    )
    row = conn.execute(query).fetchone()
    assert row is not None
    raw_rows, staged, kept, quarantined, quarantined_but_kept, refused_loose, untied = row
    reasons = conn.execute(
        "select distinct reason from quarantine.records"
        " where source = %s and entity = %s and released_at is null",
        (model.source, model.entity),
    ).fetchall()
    figures = {
        "raw_rows": raw_rows,
        "staged_rows": staged,
        "superseded_versions": raw_rows - staged,
        "staged_kept": kept,
        "quarantined": quarantined,
        "quarantined_but_kept": quarantined_but_kept,
        "refused_not_quarantined": refused_loose,
        "untied_to_raw": untied,
    }
    # informational: an unlisted reason is kept in quarantine and never fails the balance
    stray = unlisted(reason for (reason,) in reasons)
    problems = quarantined_but_kept + refused_loose + untied
    return CheckResult(
        suite=SUITE,
        expectation="raw_equals_staged_plus_quarantined",
        success=problems == 0 and raw_rows >= staged and kept + quarantined == staged,
        is_blocking=blocking,
        column=model.raw_table,
        observed_value=figures,
        unexpected_count=problems,
        details={
            "staging_model": f"{model.schema}.{model.name}",
            **figures,
            **({"unlisted_reasons": stray} if stray else {}),
        },
    )


def reasons_listed(balances: list[CheckResult]) -> CheckResult:
    """Non-blocking: every reason the balances found in quarantine is in the list.

    Fails with the unlisted reasons (and the raw tables holding them) when a
    layer gave a reason the list lacks: such records stay quarantined and the
    marts publish, but the warnings alert sends someone to add its row.
    """
    by_table = {
        str(balance.column): balance.details["unlisted_reasons"]
        for balance in balances
        if balance.details.get("unlisted_reasons")
    }
    stray = sorted({reason for found in by_table.values() for reason in found})
    return CheckResult(
        suite=SUITE,
        expectation="reasons_listed",
        success=not stray,
        is_blocking=False,
        observed_value=stray,
        unexpected_count=len(stray),
        details={"unlisted_reasons": stray, "tables": by_table, "list": SEED_FILE},
    )
