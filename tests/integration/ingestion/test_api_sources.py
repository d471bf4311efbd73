"""Every API source loads from the real simulator into a real warehouse, exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from ingestion_helpers import ASN, FAST_HTTP, SEED
from window_helpers import small_pages_registry

from sinergi.ingestion.http import HttpSettings, SourceError
from sinergi.ingestion.raw_loader import record_hash
from sinergi.ingestion.registry import Registry, load_registry
from sinergi.ingestion.runner import ingest_source
from sinergi.warehouse.connection import WarehouseTarget, connect
from sinergi_simulator.api import SimulatorHandle, start_simulator
from sinergi_simulator.devtools.pipeline import simulator_connections

pytestmark = pytest.mark.integration

API_SOURCES = ("siasn", "bpsdm_kemendagri", "kemnaker_corpu", "satudata")


def served_hashes(sim: SimulatorHandle, table: str) -> list[str]:
    """What a clean full read serves now, as record hashes (from the simulator's own streams)."""
    source, entity = table.split("__")
    streams = sim.sources.streams
    stream = (
        streams.get(f"{source}.{entity}")
        or {
            "siasn__asn": lambda: sim.sources.asn,
            "kemnaker_corpu__completions": lambda: sim.sources.completions,
            "satudata__budgets": lambda: sim.sources.budgets,
        }[table]()
    )
    count = stream.count_until(sim.clock.now_ms)
    return [record_hash(r) for r in stream.records(0, count)]


def raw_hashes(target: WarehouseTarget, table: str) -> list[str]:
    with connect(target) as conn:
        rows = conn.execute(f"select _record_hash from raw.{table}").fetchall()
    return [row[0] for row in rows]


def api_tables() -> list[str]:
    return [e.table for e in load_registry().entities() if e.source in API_SOURCES]


def load_all(
    target: WarehouseTarget, settings: HttpSettings = FAST_HTTP, registry: Registry | None = None
) -> dict[str, Any]:
    return {
        f"{r.source}__{r.entity}": r
        for source in API_SOURCES
        for r in ingest_source(
            source, target=target, settings=settings, registry=registry, progress_bar=False
        )
    }


def test_every_source_loads_exactly_what_is_served_and_a_rerun_loads_nothing(
    warehouse: WarehouseTarget, connections: SimulatorHandle
) -> None:
    first = load_all(warehouse)
    assert set(first) == set(api_tables())
    for table in api_tables():
        expected = served_hashes(connections, table)
        assert expected, f"the simulator serves no {table}"
        assert sorted(raw_hashes(warehouse, table)) == sorted(expected), table
        assert first[table].status == "succeeded"

    second = load_all(warehouse)
    assert {t: r.rows_loaded for t, r in second.items()} == dict.fromkeys(api_tables(), 0)
    with connect(warehouse) as conn:
        statuses = conn.execute(
            "select status, count(*) from meta.load_batches group by status"
        ).fetchall()
    assert statuses == [("succeeded", 2 * len(api_tables()))]


def test_faults_at_10_percent_give_exactly_the_rows_of_a_clean_run(
    warehouse: WarehouseTarget, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with start_simulator(seed=SEED, asn=ASN, faults=0.1) as sim:
        for name, value in simulator_connections(sim).items():
            monkeypatch.setenv(name, value)
        load_all(warehouse, registry=small_pages_registry(tmp_path))
        injected = dict(sim.faults.injected)
        for table in api_tables():
            assert sorted(raw_hashes(warehouse, table)) == sorted(served_hashes(sim, table)), table
    assert sum(injected.values()) >= 10, injected
    assert {k for k, v in injected.items() if v} >= {"429", "truncate", "slow"}, injected


def test_clock_advance_loads_only_the_new_rows(
    warehouse: WarehouseTarget, connections: SimulatorHandle
) -> None:
    sim = connections
    sim.set_clock("2023-12-31T23:59:59Z")
    load_all(warehouse)
    early = {t: len(raw_hashes(warehouse, t)) for t in api_tables()}
    sim.set_clock("2024-12-31T23:59:59.999Z")
    later = load_all(warehouse)
    for table in api_tables():
        served = served_hashes(sim, table)
        loaded = raw_hashes(warehouse, table)
        assert sorted(loaded) == sorted(served), table  # nothing twice, nothing missing
        assert later[table].rows_loaded == len(served) - early[table]
    assert any(later[t].rows_loaded for t in api_tables())
    with connect(warehouse) as conn:
        marks = dict(
            conn.execute("select source || '__' || entity, watermark from meta.watermarks")
        )
    assert marks["siasn__asn"] > "2024"
    assert int(marks["kemnaker_corpu__completions"]) > 1_704_067_200_000  # after 2024-01-01


def test_a_batch_failing_mid_load_leaves_nothing_and_keeps_the_watermark(
    warehouse: WarehouseTarget, connections: SimulatorHandle
) -> None:
    source = load_registry().source("bpsdm_kemendagri")
    sim = connections
    sim.set_clock("2023-06-30T00:00:00Z")
    ingest_source("bpsdm_kemendagri", target=warehouse, settings=FAST_HTTP, progress_bar=False)
    with connect(warehouse) as conn:
        before = conn.execute("select count(*) from raw.bpsdm_kemendagri__trainings").fetchone()
        mark = conn.execute(
            "select watermark from meta.watermarks where entity = 'trainings'"
        ).fetchone()
    sim.set_clock("2024-12-31T23:59:59.999Z")

    class Crash(RuntimeError):
        pass

    def crash_after_some_rows(rows: int) -> None:
        if rows >= 1000:
            raise Crash(f"killed after {rows} rows")

    from sinergi.ingestion.runner import ingest_entity

    with pytest.raises(Crash):
        ingest_entity(
            source,
            source.entity("trainings"),
            target=warehouse,
            settings=FAST_HTTP,
            on_progress=crash_after_some_rows,
            progress_bar=False,
        )
    with connect(warehouse) as conn:
        after = conn.execute("select count(*) from raw.bpsdm_kemendagri__trainings").fetchone()
        mark_after = conn.execute(
            "select watermark from meta.watermarks where entity = 'trainings'"
        ).fetchone()
        failed = conn.execute(
            "select rows_loaded, error from meta.load_batches where status = 'failed'"
        ).fetchall()
    assert after == before
    assert mark_after == mark
    assert len(failed) == 1
    assert failed[0][0] == 0
    assert "killed after" in failed[0][1]


def test_wrong_credentials_fail_naming_the_source(
    warehouse: WarehouseTarget, connections: SimulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    host = connections.urls["bpsdm_kemendagri"].split("://", 1)[1]
    monkeypatch.setenv("AIRFLOW_CONN_SINERGI_BPSDM_KEMENDAGRI", f"http://:wrong-key@{host}")
    with pytest.raises(SourceError, match=r"bpsdm_kemendagri\.trainings: HTTP 401"):
        ingest_source("bpsdm_kemendagri", target=warehouse, settings=FAST_HTTP)
    with connect(warehouse) as conn:
        failed = conn.execute(
            "select source, entity, error from meta.load_batches where status = 'failed'"
        ).fetchall()
    assert failed and failed[0][:2] == ("bpsdm_kemendagri", "trainings")
    assert "401" in failed[0][2]


def test_a_load_killed_with_sigkill_leaves_nothing(
    warehouse: WarehouseTarget, connections: SimulatorHandle
) -> None:
    """A real kill -9 mid-COPY: PostgreSQL aborts the open transaction, nothing is committed."""
    code = (
        "import sys, time\n"
        "from sinergi.ingestion.registry import load_registry\n"
        "from sinergi.ingestion.runner import ingest_entity\n"
        "source = load_registry().source('bpsdm_kemendagri')\n"
        "def report(rows):\n"
        "    print(rows, flush=True)\n"
        "    time.sleep(0.5)\n"
        "ingest_entity(source, source.entity('development_plans'), on_progress=report,"
        " progress_bar=False)\n"
    )
    env = {**os.environ, "SINERGI_WAREHOUSE_URL": warehouse.url}
    child = subprocess.Popen(
        [sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None
    first = child.stdout.readline()
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    assert int(first) > 0, "the child loaded nothing before it was killed"
    with connect(warehouse) as conn:
        table = conn.execute("select to_regclass('raw.bpsdm_kemendagri__development_plans')")
        batches = conn.execute("select count(*) from meta.load_batches").fetchone()
        marks = conn.execute("select count(*) from meta.watermarks").fetchone()
        assert table.fetchone() == (None,)  # even the table creation was rolled back
    assert batches == (0,)
    assert marks == (0,)
