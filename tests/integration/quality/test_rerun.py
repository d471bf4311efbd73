"""A quality run after another in the same checkout (the same `expectations/` directory).

GX keeps its stores under `expectations/uncommitted/`; the datasource is
rebuilt in memory on every run with the assets of that run only. A second
run must not trip over what the first left there: a raw table without new
batches this time, a mart not checked this time.
"""

from __future__ import annotations

import logging

import pytest

from sinergi.quality import runner
from sinergi.warehouse.connection import WarehouseTarget, connect

from . import world as quality_world
from .world import World

pytestmark = pytest.mark.integration


def _suites(target: WarehouseTarget, run_id: str) -> set[str]:
    with connect(target) as conn:
        rows = conn.execute(
            "select distinct suite from meta.dq_results where run_id = %s", (run_id,)
        ).fetchall()
    return {suite for (suite,) in rows}


def test_second_run_without_new_batches_for_a_table_checked_before(world: World) -> None:
    target, expectations = world.target, world.expectations
    quality_world.add_batch(
        target,
        "bpsdm_daerah__assessments",
        [quality_world.assessment_record(quality_world.UNKNOWN_INSTANSI_NIP)],
    )
    quality_world.add_batch(target, "siasn__asn", [quality_world.asn_record("198503152010011001")])
    first = runner.new_run_id("first")
    assert runner.check_raw(target, first).checks > 0
    assert _suites(target, first) == {"raw__siasn__asn", "raw__bpsdm_daerah__assessments"}

    # new rows for siasn only: the file-drop table has nothing new to check
    quality_world.add_batch(
        target,
        "siasn__asn",
        [quality_world.asn_record("1985031520100110")],  # 16 digits
    )
    second = runner.new_run_id("second")
    report = runner.check_raw(target, second)

    assert report.quarantined == 1 and report.checks > 0
    assert _suites(target, second) == {"raw__siasn__asn"}
    docs = expectations / "uncommitted" / "data_docs" / "local_site" / "validations"
    for suite, run_id in (
        ("raw__siasn__asn", world.first_run),  # earlier results stay in Data Docs
        ("raw__bpsdm_daerah__assessments", first),
        ("raw__siasn__asn", first),
        ("raw__siasn__asn", second),
    ):
        assert [p for p in (docs / suite).rglob("*.html") if run_id in str(p)], (suite, run_id)
    for store in ("checkpoints", "validation_definitions"):  # they name assets: not persisted
        assert not (expectations / "uncommitted" / store).exists(), store


def test_mart_suites_of_some_marts_after_all_of_them(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    target = world.target
    everything = {f"marts__{table}" for table in quality_world.audit_marts(target)}
    assert {s for s in _suites(target, world.first_run) if s.startswith("marts__")} == everything

    some = runner.new_run_id("some")
    with caplog.at_level(logging.WARNING, logger="sinergi.quality.runner"):
        report = runner.check_marts(
            target, some, marts=["participation_by_region_year", "no_such_mart"]
        )

    assert report.checks > 0 and report.blocking_failed == 0
    assert _suites(target, some) == {"marts__participation_by_region_year"}
    assert "no_such_mart" in caplog.text


def test_after_a_blocked_publish_every_mart_is_checked_again(
    fresh_database: WarehouseTarget,
) -> None:
    """A mart blocked last time stays in audit until rebuilt: the next run checks all marts."""
    from sinergi.publish.publisher import last_attempt_published
    from sinergi.warehouse.bootstrap import init_warehouse

    init_warehouse(fresh_database)
    assert last_attempt_published(fresh_database)  # nothing attempted yet
    with connect(fresh_database) as conn:
        conn.execute("insert into meta.publish_runs (run_id, status) values ('a', 'published')")
        conn.execute("insert into meta.publish_runs (run_id, status) values ('b', 'blocked')")
        conn.execute("insert into meta.publish_runs (run_id, status) values ('c', 'running')")
    assert not last_attempt_published(fresh_database)
    with connect(fresh_database) as conn:
        conn.execute("insert into meta.publish_runs (run_id, status) values ('d', 'published')")
    assert last_attempt_published(fresh_database)
