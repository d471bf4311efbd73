"""Write-audit-publish for real: GX on PostgreSQL, quarantine, reconciliation, alerts.

On a copy of the simulated world (world.py), built by dbt: the clean world
publishes; a mart-breaking defect (a duplicated key, a realisation far above
its allocation: what a dbt model gone wrong would write) is blocked with
`marts` unchanged, the reason in meta, the failure in Data Docs and the alert
at the webhook. The world's bad raw rows sit in quarantine with their
reasons, and raw = staged + quarantined + superseded for every raw table.
"""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from quarantine_counts import quarantined

from sinergi.ingestion.registry import load_registry
from sinergi.publish.publisher import publish_run
from sinergi.quality import runner
from sinergi.quality.report import build_report, render
from sinergi.warehouse.connection import WarehouseTarget, connect

from . import world as quality_world
from .world import World, table_rows

pytestmark = pytest.mark.integration

FUNDING = "funding_by_institution_year_source"


def _published(target: WarehouseTarget, tables: list[str]) -> dict[str, list[str]]:
    return {t: table_rows(target, "marts", t) for t in tables}


def test_clean_world_publishes_and_a_defect_is_blocked(
    world: World, webhook: list[dict[str, Any]]
) -> None:
    target = world.target
    with connect(target) as conn:  # the world's first run: every check, then the publish
        published = conn.execute(
            "select status, tables from meta.publish_runs where run_id = %s", (world.first_run,)
        ).fetchall()
        warned = conn.execute(
            "select message from meta.alerts where kind = 'quality_warnings'"
        ).fetchall()
        readable = conn.execute(
            "select has_table_privilege('sinergi_analyst', %s, 'select')", (f"marts.{FUNDING}",)
        ).fetchone()
        leftovers = conn.execute(
            "select count(*) from information_schema.tables"
            " where table_schema = 'marts' and table_name like '%%__next'"
        ).fetchone()
    [(status, tables)] = published
    assert status == "published"
    assert sorted(tables) == quality_world.audit_marts(target)
    before = _published(target, tables)
    assert before == {t: table_rows(target, "audit", t) for t in tables}
    assert before[FUNDING], "the funding mart is empty: nothing was checked"
    assert readable == (True,)
    assert leftovers == (0,)
    # the world's drifted record warns; raw rule failures (bad NIPs) are quarantined, not alerted
    [(message,)] = warned
    assert "schema_drift:new_keys" in message and "nip_valid" not in message

    with connect(target) as conn:  # what a dbt model gone wrong would write
        conn.execute(f"insert into audit.{FUNDING} select * from audit.{FUNDING} limit 1")
        conn.execute(
            f"update audit.{FUNDING} set realisasi_idr = pagu_idr * 20"
            f" where ctid = (select ctid from audit.{FUNDING} where pagu_idr > 0 limit 1)"
        )

    run_id = runner.new_run_id("defect")  # the transform rebuilt this mart only
    runner.check_marts(target, run_id, marts=[FUNDING])
    outcome = publish_run(target, run_id)

    assert outcome.status == "blocked"
    assert _published(target, tables) == before
    with connect(target) as conn:
        status, reason = conn.execute(
            "select status, reason from meta.publish_runs where run_id = %s", (run_id,)
        ).fetchone()  # type: ignore[misc]
        failed = conn.execute(
            "select suite, expectation, unexpected_count from meta.dq_results"
            " where run_id = %s and not success and is_blocking order by 1, 2",
            (run_id,),
        ).fetchall()
        alerts = conn.execute(
            "select kind, delivered_to from meta.alerts where kind = 'publish_blocked'"
        ).fetchall()
    assert status == "blocked"
    assert "keys_unique" in reason and "realisation_within_allocation" in reason
    assert failed == [
        (f"marts__{FUNDING}", "keys_unique", 2),
        (f"marts__{FUNDING}", "realisation_within_allocation", 1),
    ]
    assert alerts and alerts[0][1].startswith("http://127.0.0.1:")
    assert [a["kind"] for a in webhook] == ["publish_blocked"]
    assert webhook[0]["details"]["run_id"] == run_id

    docs = world.expectations / "uncommitted" / "data_docs" / "local_site" / "validations"
    pages = {p for p in (docs / f"marts__{FUNDING}").rglob("*.html")}
    failing = [p for p in pages if run_id in str(p)]
    assert failing, f"no Data Docs page for run {run_id}"
    html = failing[0].read_text(encoding="utf-8")
    assert "realisasi_idr" in html and "Failed" in html
    assert [p for p in pages if world.first_run in str(p)], "the first run's page is gone"

    with connect(target) as conn:
        text = "\n".join(render(build_report(conn, run_id)))
        invalid_nips = conn.execute(
            "select count(*) from quarantine.records"
            " where source = 'siasn' and entity = 'asn' and reason = 'invalid_nip'"
        ).fetchone()
        quarantined = conn.execute("select count(*) from quarantine.records").fetchone()
    assert invalid_nips is not None and quarantined is not None
    assert "checks run: " in text and f"BLOCKING: marts__{FUNDING} keys_unique" in text
    assert f"quarantined rows: {quarantined[0]}" in text
    assert f"siasn.asn invalid_nip: {invalid_nips[0]}" in text
    assert "publish: blocked" in text


def _quarantine(target: WarehouseTarget) -> list[tuple[object, ...]]:
    with connect(target) as conn:
        return conn.execute(
            "select batch_id, record_hash, reason, detected_by from quarantine.records order by 1"
        ).fetchall()


def test_bad_raw_rows_are_quarantined_and_counts_balance(world: World) -> None:
    target = world.target
    # every invalid record the simulator served, and the handwritten one, once each
    assert quarantined(target) == world.invalid_records()
    with connect(target) as conn:
        detected = conn.execute(
            "select record_key, reason, detected_by from quarantine.records"
            " where source = 'siasn' and reason in ('invalid_nip', 'unknown_instansi')"
            " order by reason"
        ).fetchall()
        raw_tables = conn.execute(
            "select count(*) from information_schema.tables where table_schema = 'raw'"
        ).fetchone()
        drift = conn.execute(
            "select success, is_blocking, details -> 'sample' from meta.dq_results"
            " where run_id = %s and expectation = 'schema_drift:new_keys'"
            " and suite = 'raw__siasn__asn'",
            (world.first_run,),
        ).fetchall()
    assert [(reason, by.split(":")[0]) for _, reason, by in detected] == [
        ("invalid_nip", "gx"),  # the raw contract's rule, before dbt
        ("unknown_instansi", "dbt"),  # valid in raw, unresolvable downstream
    ]
    assert detected[1][0] == quality_world.UNKNOWN_INSTANSI_NIP
    [(success, blocking, sample)] = drift
    assert (success, blocking) == (False, False)
    assert {"key": quality_world.DRIFT_KEY, "records": 1} in sample

    quarantine = _quarantine(target)
    run_id = runner.new_run_id("again")
    report = runner.quarantine_and_reconcile(target, run_id)

    assert report.quarantined == 0 and _quarantine(target) == quarantine  # idempotent
    for run in (world.first_run, run_id):
        with connect(target) as conn:
            balances = conn.execute(
                "select column_name, success, observed_value from meta.dq_results"
                " where run_id = %s and expectation = 'raw_equals_staged_plus_quarantined'",
                (run,),
            ).fetchall()
        assert raw_tables is not None and len(balances) == raw_tables[0]
        for table, success, figures in balances:
            assert success, (table, figures)
            assert figures["raw_rows"] == (
                figures["staged_kept"] + figures["quarantined"] + figures["superseded_versions"]
            ), table


def test_raw_contracts_read_only_new_batches(world: World) -> None:
    target = world.target
    with connect(target) as conn:  # the world's first run checked every batch
        by_contract = conn.execute(
            "select count(*) from quarantine.records where detected_by like 'gx:%%'"
        ).fetchone()
    assert by_contract is not None and by_contract[0] > 0

    assert runner.check_raw(target, runner.new_run_id("nothing-new")).checks == 0

    batch = quality_world.add_batch(
        target,
        "siasn__asn",
        [quality_world.asn_record("1985031520100110")],  # 16 digits
    )
    report = runner.check_raw(target, runner.new_run_id("new-batch"))
    assert report.quarantined == 1 and report.checks > 0
    with connect(target) as conn:
        newest = conn.execute(
            "select batch_id, reason from quarantine.records order by quarantine_id desc limit 1"
        ).fetchone()
    assert newest == (batch, "invalid_nip")
    full = runner.check_raw(target, runner.new_run_id("full"), full=True)
    assert full.quarantined == 0 and full.failed > 0  # the same rows again: found, not re-added


def test_quarantine_of_a_row_staging_keeps_breaks_the_balance(world: World) -> None:
    """A record both valid in staging and in quarantine would reach a mart: blocking."""
    target = world.target
    with connect(target) as conn:  # an ASN served once, kept by staging
        conn.execute(
            "insert into quarantine.records (batch_id, source, entity, reason, detected_by,"
            " record, record_hash) select _batch_id, 'siasn', 'asn', 'manual', 'test', record,"
            " _record_hash from raw.siasn__asn where record ->> 'nip' = ("
            " select r.record ->> 'nip' from raw.siasn__asn r"
            " join staging.stg_siasn__asns s on s.nip = r.record ->> 'nip' and s.is_valid"
            " group by 1 having count(*) = 1 order by 1 limit 1)"
        )
    run_id = runner.new_run_id("test")

    report = runner.quarantine_and_reconcile(target, run_id)

    assert report.blocking_failed == 1
    with connect(target) as conn:
        figures = conn.execute(
            "select observed_value from meta.dq_results where run_id = %s and not success"
            " and expectation = 'raw_equals_staged_plus_quarantined'",
            (run_id,),
        ).fetchone()[0]  # type: ignore[index]
    assert figures["quarantined_but_kept"] == 1


def test_stale_sources_are_alerted(world: World, webhook: list[dict[str, Any]]) -> None:
    """The world's siasn loads, moved three days back, are stale; the file drops never loaded."""
    target = world.target
    with connect(target) as conn:
        conn.execute(
            "update meta.load_batches set finished_at = finished_at - interval '3 days'"
            " where source = 'siasn'"
        )
        loaded = {
            f"{source}.{entity}"
            for source, entity in conn.execute(
                "select distinct source, entity from meta.load_batches where status = 'succeeded'"
            )
        }
    never = {f"{e.source}.{e.name}" for e in load_registry().entities()} - loaded
    assert never, "the world loads every entity: nothing never loaded to check"

    stale = runner.alert_stale_sources(target)

    names = {f"{s['source']}.{s['entity']}" for s in stale}
    assert names == {"siasn.asn"} | never
    assert not names & (loaded - {"siasn.asn"})  # loaded an hour ago at most: fresh
    assert {a["subject"] for a in webhook} == names
    with connect(target) as conn:
        recorded = conn.execute("select count(*) from meta.alerts where kind = 'stale_source'")
        assert recorded.fetchone() == (len(names),)


def test_a_publish_that_fails_midway_changes_nothing(
    world: World, webhook: list[dict[str, Any]]
) -> None:
    """The last mart cannot be replaced: the others are not either.

    Its audited table gains a column, so it is published as a copy, and a
    view depends on the published one, so the swap's drop fails. The other
    marts, updated in place before the swaps, keep their published rows.
    """
    target = world.target
    with connect(target) as conn:  # the world's first run published them
        [(tables,)] = conn.execute(
            "select tables from meta.publish_runs where status = 'published'"
        ).fetchall()
    tables = sorted(tables)
    before = _published(target, tables)
    with connect(target) as conn:
        conn.execute(f'create view marts.blocker as select * from marts."{tables[-1]}"')
        conn.execute(f'alter table audit."{tables[-1]}" add column added_later int')
        for table in tables:  # one row fewer everywhere: a replaced mart would show it
            conn.execute(
                f'delete from audit."{table}"'
                f' where ctid = (select ctid from audit."{table}" limit 1)'
            )
    run_id = runner.new_run_id("midway")
    assert runner.quarantine_and_reconcile(target, run_id).blocking_failed == 0

    with pytest.raises(psycopg.errors.DependentObjectsStillExist):
        publish_run(target, run_id)

    assert _published(target, tables) == before
    with connect(target) as conn:
        statuses = conn.execute("select status from meta.publish_runs order by 1").fetchall()
        leftovers = conn.execute(
            "select count(*) from information_schema.tables"
            " where table_schema = 'marts' and table_name like '%%__next'"
        ).fetchone()
    assert statuses == [("failed",), ("published",)]
    assert leftovers == (0,)
    assert "publish_failed" in [a["kind"] for a in webhook]
