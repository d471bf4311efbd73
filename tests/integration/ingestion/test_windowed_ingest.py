"""Windowed (backfill) reads against the real simulator: day by day equals all days at once.

Two fresh warehouses load the same world up to a watermark; then one reads
three days of source time as three daily windows (what three backfill runs
do), the other as one window over the three days (what `sinergi ingest
--from --to` does). They must hold exactly the same raw rows, exactly the
records the simulator serves in those days, with every watermark unchanged;
and the next normal read must skip what the windows loaded.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest
from window_helpers import (
    API_SOURCES,
    another_database,
    load,
    raw_versions,
    served,
    served_in_window,
    small_pages_registry,
    tables,
    watermarks,
)

from sinergi.ingestion.data_days import days_window
from sinergi.ingestion.raw_loader import record_hash
from sinergi.ingestion.runner import Window
from sinergi.warehouse.connection import WarehouseTarget, connect
from sinergi_simulator.api import SimulatorHandle

pytestmark = pytest.mark.integration

# Three days of data (Asia/Jakarta) with records in every busy entity; 2023-05-01 (07:00
# WIB) opens a simulator month, so siasn, certifications and assessments have one too.
DAYS = (date(2023, 4, 30), date(2023, 5, 1), date(2023, 5, 2))
LOADED_UNTIL = "2023-04-20T00:00:00Z"  # the watermark both warehouses start from
BUSY = ("kemnaker_corpu__completions", "bpsdm_kemendagri__participations")
INCREMENTAL = [t for t in tables() if t != "satudata__budgets"]


def _day(day: date) -> Window:
    return Window.of(days_window(day, day))


def test_daily_windows_load_what_one_window_over_the_days_loads(
    warehouse: WarehouseTarget,
    warehouse_server: WarehouseTarget,
    connections: SimulatorHandle,
    tmp_path: Path,
) -> None:
    sim = connections
    registry = small_pages_registry(tmp_path)  # windows end mid-stream: reads stop early
    with another_database(warehouse_server) as other:
        daily, at_once = warehouse, other
        sim.set_clock(LOADED_UNTIL)
        for target in (daily, at_once):
            load(target)
        marks, before = watermarks(daily), raw_versions(daily)
        assert marks == watermarks(at_once) and set(marks) == set(INCREMENTAL)
        assert before == raw_versions(at_once)
        sim.set_clock("2024-12-31T23:59:59.999Z")

        per_day = [load(daily, window=_day(day), registry=registry) for day in DAYS]
        union = Window.of(days_window(DAYS[0], DAYS[-1]))
        whole = load(at_once, window=union, registry=registry)

        for day, results in zip(DAYS, per_day, strict=True):
            for table in BUSY:
                assert results[table].rows_loaded > 0, f"{table} has no records on {day}"
        assert whole["siasn__asn"].rows_loaded > 0
        assert raw_versions(daily) == raw_versions(at_once)
        # exactly the records served in the days on top of what was loaded before (satudata
        # has no time: its windowed read is a normal read, which loads what is new)
        windowed = Counter(
            {v: n for v, n in (raw_versions(daily) - before).items() if v[0] in INCREMENTAL}
        )
        expected = sum((served_in_window(sim, t, union) for t in INCREMENTAL), Counter())
        assert windowed == expected
        for table in INCREMENTAL:
            assert sum(r[table].rows_read for r in per_day) == whole[table].rows_read, table
        assert watermarks(daily) == marks == watermarks(at_once)
        _check_batch_records(daily, at_once, union)

        # a day read again finds its records and loads none of them
        again = load(daily, window=_day(DAYS[1]), registry=registry)
        assert again[BUSY[0]].rows_read > 0
        assert all(r.rows_loaded == 0 for r in again.values()), again

        # the next normal read loads the rest, nothing twice, and moves the watermark
        sim.set_clock("2024-12-31T23:59:59.999Z")
        for target in (daily, at_once):
            load(target)
            versions = raw_versions(target)
            assert max(versions.values()) == 1, "a version was loaded twice"
            for table in tables():
                got = sorted(h for (t, _, h), n in versions.items() if t == table)
                assert got == sorted(record_hash(r) for r in served(sim, table)), table
        assert raw_versions(daily) == raw_versions(at_once)
        after = watermarks(daily)
        assert after == watermarks(at_once)
        assert all(after[t] != marks[t] for t in BUSY)
        assert int(after["kemnaker_corpu__completions"]) > int(marks["kemnaker_corpu__completions"])


def _check_batch_records(daily: WarehouseTarget, at_once: WarehouseTarget, union: Window) -> None:
    """meta.load_batches says which batches were backfill windows, and kept the watermark."""
    query = (
        "select source || '__' || entity, window_start, window_end, watermark_from, watermark_to"
        " from meta.load_batches where window_start is not null order by batch_id"
    )
    with connect(daily) as conn:
        rows = conn.execute(query).fetchall()
        normal = conn.execute(
            "select count(*) from meta.load_batches where window_start is null"
        ).fetchone()
    assert len(rows) == len(DAYS) * len(INCREMENTAL)
    assert normal == (len(tables()) + len(DAYS),), "satudata: one normal read per window"
    starts = sorted({row[1] for row in rows})
    assert starts == [_day(day).start for day in DAYS]
    assert all(row[2] - row[1] == timedelta(days=1) for row in rows)
    assert all(row[3] == row[4] for row in rows), "a backfill batch moved the watermark"
    with connect(at_once) as conn:
        spans = conn.execute(
            "select distinct window_start, window_end from meta.load_batches"
            " where window_start is not null"
        ).fetchall()
    assert spans == [(union.start, union.end)]
    assert set(API_SOURCES) >= {row[0].split("__")[0] for row in rows}
