"""Write-audit-publish for real: GX on PostgreSQL, quarantine, reconciliation, alerts.

One clean run publishes; a mart-breaking defect (a duplicated key, a
realisation far above its allocation) is blocked with `marts` unchanged, the
reason in meta, the failure in Data Docs and the alert at the webhook.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
import pytest

from sinergi.publish.publisher import PublishOutcome, publish_run
from sinergi.quality import runner
from sinergi.quality.report import build_report, render
from sinergi.warehouse.connection import WarehouseTarget, connect

from . import world

pytestmark = pytest.mark.integration


def _run_all(target: WarehouseTarget) -> tuple[str, PublishOutcome]:
    run_id = runner.new_run_id("test")
    runner.check_raw(target, run_id)
    runner.quarantine_and_reconcile(target, run_id)
    runner.check_marts(target, run_id)
    return run_id, publish_run(target, run_id)


def _published(target: WarehouseTarget) -> dict[str, list[tuple[object, ...]]]:
    return {
        t: world.table_contents(target, "marts", t)
        for t in ("funding_by_institution", "participation_by_region")
    }


def test_clean_world_publishes_and_a_defect_is_blocked(
    warehouse: WarehouseTarget, expectations: Path, webhook: list[dict[str, Any]]
) -> None:
    world.build(warehouse)

    first_run, outcome = _run_all(warehouse)

    assert outcome.status == "published", outcome.reason
    before = _published(warehouse)
    assert before["funding_by_institution"] == world.table_contents(
        warehouse, "audit", "funding_by_institution"
    )
    assert len(before["participation_by_region"]) == 38
    with connect(warehouse) as conn:
        readable = conn.execute(
            "select has_table_privilege('sinergi_analyst', 'marts.funding_by_institution',"
            " 'select')"
        ).fetchone()
        leftovers = conn.execute(
            "select count(*) from information_schema.tables"
            " where table_schema = 'marts' and table_name like '%%__next'"
        ).fetchone()
    assert readable == (True,)
    assert leftovers == (0,)

    with connect(warehouse) as conn:  # the defects: a duplicated key, realisation 20x allocation
        conn.execute(
            "insert into audit.funding_by_institution"
            " select * from audit.funding_by_institution where instansi_id = '35'"
        )
        conn.execute(
            "update audit.funding_by_institution set realisasi_idr = pagu_idr * 20"
            " where instansi_id = 'KL-001'"
        )

    second_run, outcome = _run_all(warehouse)

    assert outcome.status == "blocked"
    assert _published(warehouse) == before
    with connect(warehouse) as conn:
        status, reason = conn.execute(
            "select status, reason from meta.publish_runs where run_id = %s", (second_run,)
        ).fetchone()  # type: ignore[misc]
        failed = conn.execute(
            "select expectation, unexpected_count from meta.dq_results"
            " where run_id = %s and not success and is_blocking order by 1",
            (second_run,),
        ).fetchall()
        alerts = conn.execute(
            "select kind, delivered_to from meta.alerts where kind = 'publish_blocked'"
        ).fetchall()
    assert status == "blocked"
    assert "keys_unique" in reason and "realisation_within_allocation" in reason
    assert failed == [("keys_unique", 2), ("realisation_within_allocation", 1)]
    assert alerts and alerts[0][1].startswith("http://127.0.0.1:")
    assert [a["kind"] for a in webhook] == ["quality_warnings", "publish_blocked"]
    assert "schema_drift:new_keys" in webhook[0]["message"]  # raw rule failures: no alert
    assert "nip_valid" not in webhook[0]["message"]
    assert webhook[1]["details"]["run_id"] == second_run

    docs = expectations / "uncommitted" / "data_docs" / "local_site"
    pages = list((docs / "validations" / "marts__funding_by_institution").rglob("*.html"))
    failing = [p for p in pages if second_run in str(p)]
    assert failing, f"no Data Docs page for run {second_run}"
    html = failing[0].read_text(encoding="utf-8")
    assert "realisasi_idr" in html and "Failed" in html
    assert first_run != second_run

    with connect(warehouse) as conn:
        text = "\n".join(render(build_report(conn, second_run)))
    assert "checks run: " in text and "BLOCKING: marts__funding_by_institution keys_unique" in text
    assert "quarantined rows: 4" in text and "siasn.asn invalid_nip: 1" in text
    assert "publish: blocked" in text


def test_bad_raw_rows_are_quarantined_and_counts_balance(
    warehouse: WarehouseTarget, expectations: Path
) -> None:
    world.build(warehouse)
    run_id = runner.new_run_id("test")

    raw_report = runner.check_raw(warehouse, run_id)
    reconcile_report = runner.quarantine_and_reconcile(warehouse, run_id)
    runner.quarantine_and_reconcile(warehouse, runner.new_run_id("again"))  # idempotent

    assert raw_report.quarantined == 2
    assert reconcile_report.quarantined == 2  # staging's own rule, and the unresolved one
    with connect(warehouse) as conn:
        quarantined = conn.execute(
            "select record ->> 'nip', reason, detected_by from quarantine.records order by 1"
        ).fetchall()
        balance = conn.execute(
            "select success, observed_value from meta.dq_results"
            " where run_id = %s and expectation = 'raw_equals_staged_plus_quarantined'",
            (run_id,),
        ).fetchall()
        drift = conn.execute(
            "select success, is_blocking, details -> 'sample' from meta.dq_results"
            " where run_id = %s and expectation = 'schema_drift:new_keys'",
            (run_id,),
        ).fetchall()
    assert quarantined == [
        (world.GOOD_NIPS[2], "invalid_date", "gx:raw__siasn__asn:date_parseable:tanggal_lahir"),
        (world.BAD_NIP, "invalid_nip", "gx:raw__siasn__asn:nip_valid:nip"),
        ("199301012017011005", "unknown_unit_kerja", "dbt:int_quarantine_candidates"),
        ("199401012018011006", "unknown_instansi", "dbt:int_quarantine_candidates"),
    ]
    assert len(balance) == 1
    success, figures = balance[0]
    assert success, figures
    assert figures["raw_rows"] == 8 and figures["superseded_versions"] == 1
    assert figures["staged_kept"] == 3 and figures["quarantined"] == 4
    assert figures["staged_kept"] + figures["quarantined"] == figures["staged_rows"] == 7
    assert drift == [(False, False, [{"key": "hobi", "records": 1}])]


def test_raw_contracts_read_only_new_batches(
    warehouse: WarehouseTarget, expectations: Path
) -> None:
    world.build(warehouse)
    assert runner.check_raw(warehouse, runner.new_run_id("first")).quarantined == 2

    assert runner.check_raw(warehouse, runner.new_run_id("nothing-new")).checks == 0

    batch = world.add_batch(warehouse, [world.asn_record("1985031520100110")])  # 16 digits
    report = runner.check_raw(warehouse, runner.new_run_id("new-batch"))
    assert report.quarantined == 1 and report.checks > 0
    with connect(warehouse) as conn:
        newest = conn.execute(
            "select batch_id, reason from quarantine.records order by quarantine_id desc limit 1"
        ).fetchone()
    assert newest == (batch, "invalid_nip")
    full = runner.check_raw(warehouse, runner.new_run_id("full"), full=True)
    assert full.quarantined == 0 and full.failed > 0  # the same rows again: found, not re-added


def test_quarantine_of_a_row_staging_keeps_breaks_the_balance(
    warehouse: WarehouseTarget, expectations: Path
) -> None:
    """A record both valid in staging and in quarantine would reach a mart: blocking."""
    world.build(warehouse)
    with connect(warehouse) as conn:
        conn.execute(
            "insert into quarantine.records (batch_id, source, entity, reason, detected_by,"
            " record, record_hash) select _batch_id, 'siasn', 'asn', 'manual', 'test', record,"
            " _record_hash from raw.siasn__asn where record ->> 'nip' = %s",
            (world.GOOD_NIPS[1],),
        )
    run_id = runner.new_run_id("test")

    report = runner.quarantine_and_reconcile(warehouse, run_id)

    assert report.blocking_failed == 1
    with connect(warehouse) as conn:
        figures = conn.execute(
            "select observed_value from meta.dq_results where run_id = %s and not success",
            (run_id,),
        ).fetchone()[0]  # type: ignore[index]
    assert figures["quarantined_but_kept"] == 1


def test_stale_sources_are_alerted(
    warehouse: WarehouseTarget, expectations: Path, webhook: list[dict[str, Any]]
) -> None:
    with connect(warehouse) as conn:
        conn.execute(
            "insert into meta.load_batches (source, entity, status, finished_at) values"
            " ('siasn', 'asn', 'succeeded', now() - interval '3 days'),"
            " ('satudata', 'budgets', 'succeeded', now() - interval '1 hour'),"
            " ('kemnaker_corpu', 'completions', 'failed', now())"
        )

    stale = runner.alert_stale_sources(warehouse)

    names = {f"{s['source']}.{s['entity']}" for s in stale}
    assert "siasn.asn" in names and "kemnaker_corpu.completions" in names  # old; never succeeded
    assert "satudata.budgets" not in names
    assert {a["subject"] for a in webhook} == names
    with connect(warehouse) as conn:
        recorded = conn.execute("select count(*) from meta.alerts where kind = 'stale_source'")
        assert recorded.fetchone() == (len(names),)


def test_a_publish_that_fails_midway_changes_nothing(
    warehouse: WarehouseTarget, expectations: Path, webhook: list[dict[str, Any]]
) -> None:
    """The second mart cannot be replaced (a view depends on it): the first is not either."""
    world.build(warehouse)
    _, first = _run_all(warehouse)
    assert first.status == "published"
    before = _published(warehouse)
    with connect(warehouse) as conn:
        conn.execute("create view marts.region_view as select * from marts.participation_by_region")
        conn.execute("update audit.funding_by_institution set pagu_idr = pagu_idr + 1")
        conn.execute("update audit.participation_by_region set total_jp = total_jp + 1")

    with pytest.raises(psycopg.errors.DependentObjectsStillExist):
        _run_all(warehouse)

    assert _published(warehouse) == before
    with connect(warehouse) as conn:
        statuses = conn.execute("select status from meta.publish_runs order by 1").fetchall()
        leftovers = conn.execute(
            "select count(*) from information_schema.tables"
            " where table_schema = 'marts' and table_name like '%%__next'"
        ).fetchone()
    assert statuses == [("failed",), ("published",)]
    assert leftovers == (0,)
    assert "publish_failed" in [a["kind"] for a in webhook]
