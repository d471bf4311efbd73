"""The checks of one quality run: raw contracts, staging quarantine, reconciliation,
mart suites, and the stale sources beside them. Each is a function called with
the run id, and each leaves its results in `meta.dq_results`, so a step can run
in its own process (an Airflow task) and the publish gate still sees the whole
run. Their order, and the publish after them, is the workflow's
(`sinergi.orchestration.quality_publish`).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import psycopg
from psycopg import sql

from sinergi.quality import config as quality_config
from sinergi.quality.config import QualitySettings
from sinergi.quality.discovery import (
    base_tables,
    discover_marts,
    discover_staging,
    relation_columns,
)
from sinergi.quality.reconcile import Candidates
from sinergi.quality.results import CheckResult, RunSummary, store_results, summarise_run
from sinergi.timings import Phases
from sinergi.warehouse import schemas
from sinergi.warehouse.connection import WarehouseTarget, connect

log = logging.getLogger(__name__)


def new_run_id(prefix: str = "dq") -> str:
    """A run id that sorts by time and never collides."""
    return f"{prefix}-{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"


@dataclass(frozen=True)
class StepReport:
    """What a step did, small enough for an XCom and a CLI line."""

    step: str
    checks: int
    failed: int
    blocking_failed: int
    quarantined: int = 0
    data_docs: str | None = None

    def as_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


def _report(step: str, results: list[CheckResult], **extra: object) -> StepReport:
    return StepReport(
        step,
        len(results),
        sum(not r.success for r in results),
        sum(r.blocks for r in results),
        **extra,  # type: ignore[arg-type]
    )


def unchecked_batches(conn: psycopg.Connection, table: str, *, full: bool = False) -> list[int]:
    """Succeeded load batches of a raw table the raw contracts have not checked yet."""
    source, entity = table.split("__", 1)
    rows = conn.execute(
        "select b.batch_id from meta.load_batches b"
        " where b.source = %s and b.entity = %s and b.status = 'succeeded'"
        " and (%s or not exists (select from meta.dq_checked_batches c"
        " where c.raw_table = %s and c.batch_id = b.batch_id))"
        " order by b.batch_id",
        (source, entity, full, table),
    ).fetchall()
    return [int(batch_id) for (batch_id,) in rows]


def check_raw(target: WarehouseTarget, run_id: str, *, full: bool = False) -> StepReport:
    """Run the raw contracts on the new batches of every raw table; quarantine what they catch.

    Only batches not checked before are read (raw is append-only), so the
    nightly cost follows the new data, not the history; `full` checks all.
    """
    from sinergi.quality.gx_context import data_docs_path, get_context, run_checkpoint
    from sinergi.quality.raw_suites import (
        build_suite,
        find_all_violations,
        forget_findings,
        forget_stale_findings,
        quarantine_findings,
    )

    contracts = quality_config.raw_contracts()
    with connect(target) as conn:
        forget_stale_findings(conn)
        tables = base_tables(conn, schemas.RAW)
        batches = {t: unchecked_batches(conn, t, full=full) for t in tables if t in contracts}
    uncovered = [
        CheckResult(f"raw__{t}", "contract_defined", False, False, details={"table": f"raw.{t}"})
        for t in tables
        if t not in contracts
    ]
    covered = [contracts[t] for t in tables if batches.get(t)]
    log.info("raw contracts: new batches %s", {t: len(b) for t, b in batches.items()})
    phases = Phases("raw_contracts")
    try:
        # one scan per table finds every rule's bad rows, then GX reads the
        # findings: two GX queries per rule on the raw table itself took
        # 39 s of a 100,000-ASN night (24 s this way)
        with phases.phase("scans"):
            find_all_violations(target, covered, run_id, batches)
        with phases.phase("gx"):
            context = get_context(target)
            results = run_checkpoint(
                context,
                "raw_contracts",
                [build_suite(c, run_id) for c in covered],
                run_name=run_id,
            )
        quarantined = 0
        with phases.phase("quarantine"), connect(target) as conn:
            for contract in covered:
                quarantined += quarantine_findings(conn, contract, run_id)
                with conn.cursor() as cur:
                    cur.executemany(
                        "insert into meta.dq_checked_batches (raw_table, batch_id, run_id)"
                        " values (%s, %s, %s) on conflict (raw_table, batch_id)"
                        " do update set run_id = excluded.run_id, checked_at = now()",
                        [(contract.table, b, run_id) for b in batches[contract.table]],
                    )
            store_results(conn, run_id, [*results, *uncovered])
    finally:
        with connect(target) as conn:
            forget_findings(conn, run_id)
    phases.log(log)
    return _report(
        "raw_contracts",
        [*results, *uncovered],
        quarantined=quarantined,
        data_docs=data_docs_path(context),
    )


def _candidates(conn: psycopg.Connection, settings: QualitySettings) -> Candidates | None:
    schema, name = settings.quarantine_candidates
    columns = relation_columns(conn, schema).get(name)
    if not columns:
        return None
    found = Candidates(schema, name, columns)
    if not found.usable:
        log.warning("%s.%s lacks columns %s; not used", schema, name, Candidates.REQUIRED)
        return None
    return found


def quarantine_and_reconcile(target: WarehouseTarget, run_id: str) -> StepReport:
    """Quarantine what dbt keeps out of the marts, then prove raw = staged + quarantined
    and (a warning only) that every reason in quarantine is in the reason list."""
    from sinergi.quality.reconcile import (
        SUITE,
        quarantine_candidates,
        quarantine_staging_invalid,
        reasons_listed,
        reconcile,
        release_resolved,
    )

    settings = quality_config.settings()
    contracts = quality_config.raw_contracts()
    results: list[CheckResult] = []
    quarantined = 0
    with connect(target) as conn:
        models = discover_staging(conn, settings)
        candidates = _candidates(conn, settings)
        # Fresh statistics first: with quarantine.records never analysed the
        # planner took it for one row and matched every candidate against raw
        # once per quarantined record (minutes at 20,000 ASN, bench-national).
        conn.execute("analyze quarantine.records")
        if candidates is not None:
            conn.execute(
                sql.SQL("analyze {}").format(sql.Identifier(candidates.schema, candidates.name))
            )
        for model in models:
            if candidates is not None:
                release_resolved(conn, candidates, model)
                quarantined += quarantine_candidates(conn, candidates, model)
            quarantined += quarantine_staging_invalid(conn, model, contracts.get(model.raw_table))
        conn.commit()
        for model in models:
            results.append(
                reconcile(
                    conn,
                    model,
                    blocking=settings.reconciliation_blocking,
                    candidates=candidates,
                )
            )
        results.append(reasons_listed(results))
        staged = {m.raw_table for m in models}
        for table in base_tables(conn, schemas.RAW):
            if table not in staged:
                results.append(
                    CheckResult(
                        SUITE,
                        "staging_model_found",
                        False,
                        False,
                        table,
                        details={"reason": "no staging model flags this table's rows"},
                    )
                )
        store_results(conn, run_id, results)
    return _report("reconciliation", results, quarantined=quarantined)


def check_marts(
    target: WarehouseTarget, run_id: str, *, marts: Collection[str] | None = None
) -> StepReport:
    """Run the mart suites on the audit schema: of every mart, or of the named ones only.

    `marts` names mart tables (relations in the audit schema); a name that is
    not an audited mart is ignored with a warning. Publishing is not affected:
    it copies every audit mart.
    """
    from sinergi.quality.gx_context import SuiteSpec, data_docs_path, get_context, run_checkpoint
    from sinergi.quality.mart_suites import (
        mart_context,
        mart_expectations,
        row_count_parameters,
        suite_name,
    )

    settings = quality_config.settings()
    with connect(target) as conn:
        found = discover_marts(conn, settings)
        facts = mart_context(conn, settings)
    selected = found
    if marts is not None:
        wanted = {marts} if isinstance(marts, str) else set(marts)
        unknown = sorted(wanted - {m.name for m in found})
        if unknown:
            log.warning("mart suites: no mart %s in %s; ignored", unknown, schemas.AUDIT)
        selected = [m for m in found if m.name in wanted]
    suites, unbuilt = [], []
    for mart in selected:
        expectations, not_built = mart_expectations(mart, settings, facts)
        suites.append(SuiteSpec(suite_name(mart.name), schemas.AUDIT, mart.name, expectations))
        unbuilt.extend(not_built)
    if not found:
        unbuilt.append(
            CheckResult("marts", "marts_found", False, True, details={"schema": schemas.AUDIT})
        )
    context = get_context(target)
    results = run_checkpoint(
        context,
        "mart_suites",
        suites,
        run_name=run_id,
        parameters=row_count_parameters(selected, facts.previous_rows, settings),
    )
    with connect(target) as conn:
        store_results(conn, run_id, [*results, *unbuilt])
    return _report("mart_suites", [*results, *unbuilt], data_docs=data_docs_path(context))


def run_summary(target: WarehouseTarget, run_id: str) -> RunSummary:
    """What `meta.dq_results` says about one run (the publish gate's input)."""
    with connect(target) as conn:
        return summarise_run(conn, run_id)


def stale_sources(
    target: WarehouseTarget, max_age: timedelta | None = None
) -> list[dict[str, object]]:
    """Registry entities whose last successful batch is older than their limit, or none.

    The limit is the dbt source's freshness (`quality_config.stale_limits`);
    `max_age` overrides it. An entity without a limit is stale only when it
    never loaded.
    """
    from sinergi.ingestion.registry import load_registry

    with connect(target) as conn:
        rows = conn.execute(
            "select source, entity, max(finished_at) from meta.load_batches"
            " where status = 'succeeded' group by source, entity"
        ).fetchall()
        now = conn.execute("select now()").fetchone()[0]  # type: ignore[index]
    last = {(s, e): at for s, e, at in rows}
    limits = quality_config.stale_limits() if max_age is None else {}
    stale = []
    for entity in load_registry().entities():
        limit = max_age or limits.get(entity.table)
        at = last.get((entity.source, entity.name))
        if at is None or (limit is not None and now - at > limit):
            stale.append(
                {
                    "source": entity.source,
                    "entity": entity.name,
                    "last_success_at": at.isoformat() if at else None,
                    "threshold_hours": limit.total_seconds() / 3600 if limit else None,
                }
            )
    return stale


def alert_stale_sources(
    target: WarehouseTarget, max_age: timedelta | None = None
) -> list[dict[str, object]]:
    """Alert once per stale source entity; returns them."""
    from sinergi.alerts import alert

    found = stale_sources(target, max_age)
    for item in found:
        alert(
            "stale_source",
            f"{item['source']}.{item['entity']}",
            f"no successful load of {item['source']}.{item['entity']} since"
            f" {item['last_success_at'] or 'ever'}",
            item,
            target=target,
        )
    return found
