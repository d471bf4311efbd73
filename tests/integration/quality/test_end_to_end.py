"""End to end on a simulated world: simulator -> ingestion -> dbt (audit) -> GX -> publish.

The real pieces of every layer, small: a few hundred ASN, as messy as the
simulator makes them. The clean world publishes; raw rows with bad NIPs or
impossible dates sit in quarantine with their reasons; for every raw table,
raw rows = rows kept for the marts + quarantined + superseded versions. Then
a defect injected into the audited funding mart (a duplicated key, a
realisation 20x its allocation) is blocked: `marts` keeps its content
exactly, the reason is in meta, Data Docs show the failure, the webhook got
the alert.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from report_view import CHARTS, open_report

from sinergi.ingestion.raw_loader import ensure_raw_table
from sinergi.ingestion.registry import load_registry
from sinergi.ingestion.runner import ingest_source
from sinergi.publish.publisher import PublishOutcome, publish_run
from sinergi.quality import runner
from sinergi.quality.report import build_report, render
from sinergi.report.writer import write_report
from sinergi.transform.dbt import build
from sinergi.warehouse.connection import WarehouseTarget, connect
from sinergi_simulator.api import start_simulator
from sinergi_simulator.devtools.pipeline import simulator_connections

pytestmark = pytest.mark.integration


SEED, ASN = 5, 300


def _all_published(target: WarehouseTarget, tables: list[str]) -> dict[str, list[Any]]:
    with connect(target) as conn:
        return {
            t: sorted(map(repr, conn.execute(f'select * from marts."{t}"').fetchall()))
            for t in tables
        }


def _quality_run(target: WarehouseTarget) -> tuple[str, PublishOutcome]:
    run_id = runner.new_run_id("e2e")
    runner.check_raw(target, run_id)
    runner.quarantine_and_reconcile(target, run_id)
    runner.check_marts(target, run_id)
    return run_id, publish_run(target, run_id)


def test_simulated_world_is_audited_and_published(
    warehouse: WarehouseTarget,
    committed_expectations: Path,
    webhook: list[dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("SINERGI_NIP_HMAC_KEY", "quality-e2e-key")
    with start_simulator(seed=SEED, asn=ASN) as sim:
        for name, value in simulator_connections(sim).items():
            monkeypatch.setenv(name, value)
        for source in ("siasn", "bpsdm_kemendagri", "kemnaker_corpu", "satudata"):
            ingest_source(source, target=warehouse, progress_bar=False)
    with connect(warehouse) as conn:  # no files dropped: the file-drop tables exist empty
        for entity in load_registry().entities():
            ensure_raw_table(conn, entity.table)
    build(warehouse)

    run_id, outcome = _quality_run(warehouse)

    with connect(warehouse) as conn:
        report = "\n".join(render(build_report(conn, run_id)))
        balances = conn.execute(
            "select column_name, success, observed_value from meta.dq_results"
            " where run_id = %s and expectation = 'raw_equals_staged_plus_quarantined'",
            (run_id,),
        ).fetchall()
        reasons = dict(
            conn.execute(
                "select reason, count(*) from quarantine.records group by reason"
            ).fetchall()
        )
        marts_rows = conn.execute(
            "select count(*) from marts.funding_by_institution_year_source"
        ).fetchone()
        audit_rows = conn.execute(
            "select count(*) from audit.funding_by_institution_year_source"
        ).fetchone()
    assert outcome.status == "published", report
    assert marts_rows == audit_rows
    assert len(balances) == len(list(load_registry().entities())), report
    for table, success, figures in balances:
        assert success, (table, figures)
        assert figures["raw_rows"] == (
            figures["staged_kept"] + figures["quarantined"] + figures["superseded_versions"]
        )
    assert reasons.get("invalid_nip", 0) > 0 and reasons.get("invalid_date", 0) > 0, reasons

    reports = tmp_path / "reports"
    seen = open_report(write_report(warehouse, run_id, reports), tmp_path / "screenshots")
    assert set(seen.charts) == CHARTS
    assert all(shapes > 0 for shapes in seen.charts.values()), seen.charts
    for name in (
        "loads",
        "checks",
        "freshness",
        "funding_by_source",
        "certification",
        "mart_changes",
    ):
        assert seen.tables.get(name, 0) > 0, (name, seen.tables)
    assert seen.remote == []
    assert seen.first_block == "h1" and "DIPUBLIKASIKAN" in seen.text

    published = _all_published(warehouse, outcome.tables)
    with connect(warehouse) as conn:
        conn.execute(
            "insert into audit.funding_by_institution_year_source"
            " select * from audit.funding_by_institution_year_source limit 1"
        )
        conn.execute(
            "update audit.funding_by_institution_year_source set realisasi_idr = pagu_idr * 20"
            " where ctid = (select ctid from audit.funding_by_institution_year_source"
            " where pagu_idr > 0 limit 1)"
        )

    broken_run, blocked = _quality_run(warehouse)

    assert blocked.status == "blocked"
    assert "keys_unique" in (blocked.reason or "")
    assert "realisation_within_allocation" in (blocked.reason or "")
    assert _all_published(warehouse, outcome.tables) == published
    assert "publish_blocked" in [a["kind"] for a in webhook]
    pages = (
        committed_expectations / "uncommitted" / "data_docs" / "local_site" / "validations"
    ).glob(f"marts__funding_by_institution_year_source/{broken_run}/*/*.html")
    html = "".join(page.read_text(encoding="utf-8") for page in pages)
    assert "realisasi_idr" in html and "Failed" in html

    seen = open_report(write_report(warehouse, broken_run, reports), tmp_path / "screenshots")
    assert seen.first_block == "blocked", seen.first_block
    assert seen.text.index("DIBLOKIR") < seen.text.index("Laporan proses Sinergi")
    assert "keys_unique" in seen.text and "realisation_within_allocation" in seen.text
    assert set(seen.charts) == CHARTS  # the figures analysts still see
    index = (reports / "index.html").read_text(encoding="utf-8")
    assert run_id in index and broken_run in index
