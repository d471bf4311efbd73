"""End to end on a simulated world: simulator -> ingestion -> dbt (audit) -> GX -> publish.

The real pieces of every layer, small (world.py): a few hundred ASN, as messy
as the simulator makes them, ingested, built by dbt, checked and published.
Its run report shows the published run. Then a source sends a budget
realised at 20x its allocation: staging takes it (a valid record), dbt
rebuilds what depends on it, the mart check blocks the publish: `marts`
keeps its content exactly, Data Docs show the failure, the webhook got the
alert, the report says blocked.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from report_view import CHARTS, open_report

from sinergi.publish.publisher import publish_run
from sinergi.quality import runner
from sinergi.report.writer import write_report
from sinergi.transform.dbt import build
from sinergi.warehouse.connection import connect

from . import world as quality_world
from .world import World, table_rows

pytestmark = pytest.mark.integration

FUNDING = "funding_by_institution_year_source"


def test_simulated_world_is_audited_and_published(
    world: World, webhook: list[dict[str, Any]], tmp_path: Path
) -> None:
    target = world.target
    with connect(target) as conn:
        [(tables,)] = conn.execute(
            "select tables from meta.publish_runs where run_id = %s and status = 'published'",
            (world.first_run,),
        ).fetchall()
        budget = conn.execute(
            "select r.record, s.pagu_idr, s.budget_id from raw.satudata__budgets r"
            " join staging.stg_satudata__budgets s on s.budget_id = r.record ->> '_id'"
            " where s.is_valid and s.pagu_idr > 0 order by s.budget_id limit 1"
        ).fetchone()
    assert budget is not None

    reports = tmp_path / "reports"
    seen = open_report(write_report(target, world.first_run, reports), tmp_path / "screenshots")
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

    published = {t: table_rows(target, "marts", t) for t in tables}
    record = {**budget[0], "realisasi": int(budget[1]) * 20}
    batch = quality_world.add_batch(target, "satudata__budgets", [record])
    result = build(target, select="stg_satudata__budgets+")
    rebuilt = sorted(
        r.node.name
        for r in result.results
        if r.node.resource_type == "model" and r.node.original_file_path.startswith("models/marts/")
    )
    assert FUNDING in rebuilt
    run_id = runner.new_run_id("e2e")
    assert runner.check_raw(target, run_id).quarantined == 0  # a valid record
    runner.quarantine_and_reconcile(target, run_id)
    runner.check_marts(target, run_id, marts=rebuilt)  # as the DAG: the marts dbt rebuilt
    blocked = publish_run(target, run_id)

    assert blocked.status == "blocked"
    assert "realisation_within_allocation" in (blocked.reason or ""), blocked.reason
    assert {t: table_rows(target, "marts", t) for t in tables} == published
    with connect(target) as conn:
        kept = conn.execute(
            "select _batch_id from staging.stg_satudata__budgets where budget_id = %s",
            (budget[2],),
        ).fetchone()
    assert kept == (batch,)  # the new version is the one staging keeps
    assert [a["kind"] for a in webhook] == ["publish_blocked"]
    pages = (world.expectations / "uncommitted" / "data_docs" / "local_site" / "validations").glob(
        f"marts__{FUNDING}/{run_id}/*/*.html"
    )
    html = "".join(page.read_text(encoding="utf-8") for page in pages)
    assert "realisasi_idr" in html and "Failed" in html

    seen = open_report(write_report(target, run_id, reports), tmp_path / "screenshots")
    assert seen.first_block == "blocked", seen.first_block
    assert seen.text.index("DIBLOKIR") < seen.text.index("Laporan proses Sinergi")
    assert "realisation_within_allocation" in seen.text
    assert set(seen.charts) == CHARTS  # the figures analysts still see
    index = (reports / "index.html").read_text(encoding="utf-8")
    assert world.first_run in index and run_id in index
