"""Faults on the way, the same marts at the end: a fault-free world and a faulty one agree.

Two warehouses load the same simulated world. The reference loads it
cleanly. The faulty one meets, in turn: sources failing a third of their
requests (5xx, 429, slow answers, truncated pages); the warehouse connection
killed in the middle of a load, of a dbt build and of a publish; a loading
process killed with SIGKILL mid-batch (what the OOM killer or a lost
Airflow worker does to a task); the same run repeated; a backfill over an
interval already loaded. After the retries an operator would run, every
mart is identical, row for row, to the reference (a content hash per mart),
raw holds no row of an unfinished batch, and a publish that died left
`marts` exactly as it was.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from sinergi.ingestion.raw_loader import ensure_raw_table
from sinergi.ingestion.registry import load_registry
from sinergi.ingestion.runner import Window, ingest_source
from sinergi.publish.publisher import publish_run
from sinergi.quality import runner
from sinergi.transform.dbt import build
from sinergi.warehouse.bootstrap import init_warehouse
from sinergi.warehouse.connection import WarehouseTarget, connect
from sinergi_simulator.api import SimulatorHandle, start_simulator
from sinergi_simulator.devtools.pipeline import simulator_connections

pytestmark = pytest.mark.integration

SEED, ASN = 11, 300
API_SOURCES = ("siasn", "bpsdm_kemendagri", "kemnaker_corpu", "satudata")
HMAC_KEY = "fault-injection-key"


@pytest.fixture
def reference(fresh_database: WarehouseTarget) -> Iterator[WarehouseTarget]:
    """A second database beside the test's, for the fault-free run."""
    target = fresh_database.with_database(fresh_database.dbname + "_ref")
    yield target
    with psycopg.connect(target.with_database("postgres").conninfo, autocommit=True) as conn:
        conn.execute(
            sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(target.dbname))
        )


@pytest.fixture
def sources(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[SimulatorHandle, SimulatorHandle]]:
    """The same world twice: served cleanly, and failing a third of its requests."""
    monkeypatch.setenv("SINERGI_NIP_HMAC_KEY", HMAC_KEY)
    with (
        start_simulator(seed=SEED, asn=ASN) as clean,
        start_simulator(seed=SEED, asn=ASN, faults=0.33) as faulty,
    ):
        yield clean, faulty


def _use(sim: SimulatorHandle, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in simulator_connections(sim).items():
        monkeypatch.setenv(name, value)


def _prepare(target: WarehouseTarget) -> None:
    init_warehouse(target)
    with connect(target) as conn:  # no regional files here: their raw tables exist, empty
        for entity in load_registry().entities():
            ensure_raw_table(conn, entity.table)


def _quality_and_publish(target: WarehouseTarget) -> str:
    run_id = runner.new_run_id("faults")
    runner.check_raw(target, run_id)
    runner.quarantine_and_reconcile(target, run_id)
    runner.check_marts(target, run_id)
    return publish_run(target, run_id).status


# The governance scorecards measure when each record was loaded: a run made
# minutes later (and one that retried) loads later. What they say about the
# records themselves (counts, quarantine, completeness, agreement) must agree.
LOAD_TIME_COLUMNS = {
    "governance_scorecard": {
        "avg_days_to_first_load",
        "file_avg_days_to_first_load",
        "api_avg_days_to_first_load",
        "max_days_to_first_load",
        "last_submission_at",
        "days_since_last_submission",
        "timeliness_score",
        "governance_score",
        "national_rank",
        "province_rank",
    },
}
LOAD_TIME_COLUMNS["governance_scorecard_yearly"] = LOAD_TIME_COLUMNS["governance_scorecard"]


def _mart_hashes(target: WarehouseTarget) -> dict[str, str]:
    """An order-independent hash of every published mart's rows.

    Lineage columns (`_source_batch_id`) are left out: batch ids are the
    warehouse's bookkeeping, and a run that retried has used more of them.
    So are the scorecards' load-time columns (LOAD_TIME_COLUMNS).
    """
    with connect(target) as conn:
        columns: dict[str, list[str]] = {}
        for table, column in conn.execute(
            "select table_name, column_name from information_schema.columns"
            " where table_schema = 'marts' and column_name not like '\\_%%'"
            " order by table_name, ordinal_position"
        ):
            if column not in LOAD_TIME_COLUMNS.get(table, set()):
                columns.setdefault(table, []).append(column)
        assert columns.keys() >= LOAD_TIME_COLUMNS.keys(), "a governance mart is not published"
        hashes = {}
        for table, names in columns.items():
            row = sql.SQL("row({})::text").format(sql.SQL(", ").join(map(sql.Identifier, names)))
            query = sql.SQL(
                "select md5(coalesce(string_agg(h, '' order by h), ''))"
                " from (select md5({}) as h from {}) as rows"
            ).format(row, sql.Identifier("marts", table))
            hashes[table] = str(conn.execute(query).fetchone()[0])  # type: ignore[index]
        return hashes


def _rows_of_unfinished_batches(target: WarehouseTarget) -> dict[str, int]:
    found = {}
    with connect(target) as conn:
        for entity in load_registry().entities():
            (n,) = conn.execute(
                f"select count(*) from raw.{entity.table} as r"
                " join meta.load_batches as b on b.batch_id = r._batch_id"
                " where b.status <> 'succeeded'"
            ).fetchone()  # type: ignore[misc]
            if n:
                found[entity.table] = int(n)
    return found


class BackendKiller(threading.Thread):
    """Terminates, once, the first backend of `target`'s database that `matches`."""

    def __init__(self, target: WarehouseTarget, condition: str) -> None:
        super().__init__(daemon=True)
        self.target, self.condition = target, condition
        self.killed: list[str] = []
        self._done = threading.Event()

    def run(self) -> None:
        with psycopg.connect(self.target.conninfo, autocommit=True) as conn:
            while not self._done.is_set() and not self.killed:
                row = conn.execute(
                    "select pid, left(query, 80) from pg_stat_activity"
                    " where datname = current_database() and pid <> pg_backend_pid()"
                    f" and state = 'active' and ({self.condition}) limit 1"
                ).fetchone()
                if not row:
                    time.sleep(0.01)
                    continue
                terminated = conn.execute("select pg_terminate_backend(%s)", (row[0],)).fetchone()
                if terminated and terminated[0]:
                    self.killed.append(str(row[1]))
                time.sleep(0.01)

    def __enter__(self) -> BackendKiller:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self.join(timeout=10)


def _until_it_works(step: Callable[[], object], attempts: int = 3) -> None:
    """What an operator (or Airflow's retries) does: run the step again."""
    for attempt in range(attempts):
        try:
            step()
            return
        except Exception:
            if attempt == attempts - 1:
                raise


def _killed_ingest(target: WarehouseTarget, source: str, env: dict[str, str]) -> None:
    """`sinergi ingest SOURCE` SIGKILLed once its batch is copying rows."""
    cli = [str(Path(sys.executable).parent / "sinergi"), "ingest", source]
    process = subprocess.Popen(
        cli,
        env={**os.environ, **env, "SINERGI_WAREHOUSE_URL": target.url},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with psycopg.connect(target.conninfo, autocommit=True) as conn:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and process.poll() is None:
                copying = conn.execute(
                    "select 1 from pg_stat_activity where datname = current_database()"
                    " and state = 'active' and query ilike 'copy %%'"
                ).fetchone()
                if copying:
                    process.send_signal(signal.SIGKILL)
                    break
                time.sleep(0.01)
    finally:
        process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL, "the load ended before it could be killed"


def test_faults_on_the_way_leave_the_marts_as_a_fault_free_run(
    fresh_database: WarehouseTarget,
    reference: WarehouseTarget,
    sources: tuple[SimulatorHandle, SimulatorHandle],
    committed_expectations: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clean, faulty = sources
    _prepare(reference)
    _use(clean, monkeypatch)
    for source in API_SOURCES:
        ingest_source(source, target=reference, progress_bar=False)
    build(reference)
    assert _quality_and_publish(reference) == "published"
    expected = _mart_hashes(reference)

    target = fresh_database
    _prepare(target)
    _use(faulty, monkeypatch)
    ingest_source("siasn", target=target, progress_bar=False)  # through the transient faults
    with BackendKiller(target, "query ilike 'copy %'") as killer:  # the connection, mid-load
        _until_it_works(
            lambda: ingest_source("bpsdm_kemendagri", target=target, progress_bar=False)
        )
    assert killer.killed, "no load was interrupted"
    ingest_source("satudata", target=target, progress_bar=False)
    build(target)
    assert _quality_and_publish(target) == "published"
    before_kemnaker = _mart_hashes(target)

    connections = simulator_connections(faulty)
    _killed_ingest(target, "kemnaker_corpu", connections)  # the process, mid-batch
    _until_it_works(lambda: ingest_source("kemnaker_corpu", target=target, progress_bar=False))
    ingest_source("kemnaker_corpu", target=target, progress_bar=False)  # the same run again
    now = datetime.now(UTC)
    window = Window(now - timedelta(days=3 * 365), now)  # a backfill over what is loaded
    ingest_source("bpsdm_kemendagri", target=target, progress_bar=False, window=window)
    assert _rows_of_unfinished_batches(target) == {}

    # dbt prefixes each statement with a comment naming its node: kill a model being built
    building = "query like '%\"node_id\": \"model.%' and query ilike '%create %'"
    with BackendKiller(target, building) as killer:
        _until_it_works(lambda: build(target))  # the connection, mid-build
    assert killer.killed, "no dbt statement was interrupted"

    # the connection, mid-publish: an operator's lock holds the publish up (an index
    # build's SHARE lock: analysts' reads no longer do), then it is killed
    with (
        BackendKiller(target, "wait_event_type = 'Lock'") as killer,
        psycopg.connect(target.conninfo) as operator,
    ):
        operator.execute("lock table marts.funding_by_institution_year_source in share mode")
        with pytest.raises(psycopg.Error):
            _quality_and_publish(target)
    assert killer.killed, "the publish was not interrupted"
    assert _mart_hashes(target) == before_kemnaker  # all of the old state, none of the new
    with connect(target) as conn:
        leftovers = conn.execute(
            "select count(*) from information_schema.tables"
            " where table_schema = 'marts' and table_name like '%%__next'"
        ).fetchone()
    assert leftovers == (0,)

    assert _quality_and_publish(target) == "published"
    assert _mart_hashes(target) == expected
    assert _rows_of_unfinished_batches(target) == {}
