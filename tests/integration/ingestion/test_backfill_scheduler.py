"""`sinergi backfill` under a running scheduler gives the marts of one windowed ingest.

A LocalAirflow (API server, scheduler, DAG processor, triggerer) runs on a home
and metadata database of its own, with the ingest DAGs only and no time
schedule (`use_job_schedule = False`: the nightly run due when it starts would
otherwise load everything). Two fresh warehouses get the same ASN master data;
then three days of kemnaker_corpu completions reach the first through
`sinergi backfill` (Airflow's backfill, one run per day, executed by the
scheduler) and the second through `sinergi ingest --from --to` outside
Airflow. Raw rows, then everything dbt builds from them, must be the same.
"""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from ingestion_helpers import FAST_HTTP
from psycopg import sql
from typer.testing import CliRunner
from window_helpers import another_database, raw_versions, served_in_window, watermarks

from sinergi.cli import app
from sinergi.ingestion.data_days import day_start, days_window
from sinergi.ingestion.runner import Window, ingest_source
from sinergi.orchestration.airflow_api import AirflowApi
from sinergi.orchestration.airflow_home import api_url
from sinergi.orchestration.local_airflow import LocalAirflow
from sinergi.paths import project_dir
from sinergi.transform.dbt import build
from sinergi.warehouse.connection import WarehouseTarget, connect
from sinergi_simulator.api import SimulatorHandle, start_simulator
from sinergi_simulator.devtools.pipeline import simulator_connections

pytestmark = pytest.mark.integration

SOURCE = "kemnaker_corpu"
SOURCES = ("siasn", SOURCE)
FIRST, LAST = date(2024, 3, 4), date(2024, 3, 6)  # about 7 completions a day at 3,000 ASN
DAYS = [FIRST + timedelta(days=n) for n in range((LAST - FIRST).days + 1)]
DAY_WINDOWS = [(day_start(day), day_start(day + timedelta(days=1))) for day in DAYS]
HMAC_KEY = "backfill-test-key"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch) -> Iterator[SimulatorHandle]:
    with start_simulator(seed=11, asn=3000) as sim:
        for name, value in simulator_connections(sim).items():
            monkeypatch.setenv(name, value)
        yield sim


@pytest.fixture
def airflow(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    warehouse_server: WarehouseTarget,
    warehouse: WarehouseTarget,
    world: SimulatorHandle,
) -> Iterator[LocalAirflow]:
    """Airflow on its own home, port and metadata database, loading into `warehouse`."""
    dags = tmp_path / "dags"
    dags.mkdir()
    (dags / "ingest_sources.py").symlink_to(project_dir() / "dags" / "ingest_sources.py")
    metadata_db = f"airflow_test_{uuid.uuid4().hex[:12]}"
    monkeypatch.setenv("AIRFLOW_HOME", str(tmp_path / "airflow"))
    monkeypatch.setenv("SINERGI_AIRFLOW_DATABASE", metadata_db)
    monkeypatch.setenv("SINERGI_AIRFLOW_PORT", str(_free_port()))
    env = {
        **simulator_connections(world),
        "SINERGI_WAREHOUSE_URL": warehouse.url,
        "SINERGI_NIP_HMAC_KEY": HMAC_KEY,
        "SINERGI_TASK_RETRIES": "0",
        "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",  # backfills only: no nightly run
        "AIRFLOW__CORE__DAGS_FOLDER": str(dags),
        # another Airflow on this machine may hold the default log server ports
        "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(_free_port()),
        "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(_free_port()),
    }
    local = LocalAirflow(home=tmp_path / "airflow", env=env)
    try:
        local.start(wait_for_dags=[f"ingest_{SOURCE}"])
        yield local
    finally:
        local.stop()
        admin = warehouse_server.with_database("postgres")
        with psycopg.connect(admin.conninfo, autocommit=True) as conn:
            conn.execute(
                sql.SQL("drop database if exists {} with (force)").format(
                    sql.Identifier(metadata_db)
                )
            )


def _built(target: WarehouseTarget) -> dict[str, list[tuple]]:
    """Every table dbt built, rows sorted, without load bookkeeping (`_batch_id`,
    `_extracted_at`, ...: batch ids differ between the two warehouses by design)."""
    with connect(target) as conn:
        columns: dict[tuple[str, str], list[str]] = {}
        for schema, table, column in conn.execute(
            "select table_schema, table_name, column_name from information_schema.columns"
            " join information_schema.tables using (table_schema, table_name)"
            " where table_schema in ('staging', 'intermediate', 'audit')"
            " and table_type = 'BASE TABLE' and table_name != 'dbt_processed_batches'"
            " order by ordinal_position"
        ):
            if not column.startswith("_"):
                columns.setdefault((schema, table), []).append(column)
        return {
            f"{schema}.{table}": sorted(
                (
                    tuple(row)
                    for row in conn.execute(
                        sql.SQL("select {} from {}.{}").format(
                            sql.SQL(", ").join(map(sql.Identifier, names)),
                            sql.Identifier(schema),
                            sql.Identifier(table),
                        )
                    )
                ),
                key=repr,
            )
            for (schema, table), names in columns.items()
        }


def _airflow_logs(airflow: LocalAirflow, lines: int = 40) -> str:
    """The end of every task attempt's log and of the scheduler's: why a run failed."""
    logs = sorted((airflow.home / "logs").glob("dag_id=*/run_id=*/task_id=*/attempt=*.log"))
    tails = []
    for path in [*logs, airflow.log_path("scheduler")]:
        text = path.read_text(errors="replace").splitlines() if path.exists() else ["(none)"]
        tails.append(f"\n== {path}\n" + "\n".join(text[-lines:]))
    return "".join(tails)


def _windows(target: WarehouseTarget) -> list[tuple[datetime, datetime]]:
    with connect(target) as conn:
        return conn.execute(
            "select window_start, window_end from meta.load_batches"
            " where source = %s and status = 'succeeded' order by window_start",
            (SOURCE,),
        ).fetchall()


def test_backfill_under_the_scheduler_gives_the_marts_of_one_windowed_ingest(
    warehouse: WarehouseTarget,
    warehouse_server: WarehouseTarget,
    world: SimulatorHandle,
    airflow: LocalAirflow,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    cli = CliRunner()
    days = ["--from", FIRST.isoformat(), "--to", LAST.isoformat()]
    with another_database(warehouse_server) as outside:
        for target in (warehouse, outside):
            ingest_source("siasn", target=target, settings=FAST_HTTP, progress_bar=False)

        backfilled = cli.invoke(app, ["backfill", SOURCE, *days, "--timeout", "240"])
        assert backfilled.exit_code == 0, backfilled.output + _airflow_logs(airflow)
        lines = [line.split() for line in backfilled.output.splitlines() if line[:1] == "2"]
        assert sorted(line[0] for line in lines) == [day.isoformat() for day in DAYS]
        assert all(line[1] == "success" and int(line[2]) > 0 for line in lines), lines

        # Airflow ran exactly one backfill run per day, back to back over the days
        api = AirflowApi(api_url(), airflow.home)
        runs = api.dag_runs(f"ingest_{SOURCE}")
        assert {run["run_type"] for run in runs} == {"backfill"}
        intervals = sorted(
            (_time(run["data_interval_start"]), _time(run["data_interval_end"])) for run in runs
        )
        assert intervals == DAY_WINDOWS

        with monkeypatch.context() as patch:
            patch.setenv("SINERGI_WAREHOUSE_URL", outside.url)
            ingested = cli.invoke(app, ["ingest", SOURCE, *days])
        assert ingested.exit_code == 0, ingested.output

        union = Window.of(days_window(FIRST, LAST))
        assert raw_versions(warehouse, SOURCES) == raw_versions(outside, SOURCES)
        completions = raw_versions(warehouse, (SOURCE,))
        assert completions == served_in_window(world, f"{SOURCE}__completions", union)
        assert len(completions) >= 3 * len(DAYS)
        assert _windows(warehouse) == DAY_WINDOWS  # meta: one backfill batch a day
        assert _windows(outside) == [(union.start, union.end)]
        for target in (warehouse, outside):
            assert f"{SOURCE}__completions" not in watermarks(target)  # never moved

        monkeypatch.setenv("SINERGI_NIP_HMAC_KEY", HMAC_KEY)
        monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "dbt_target"))
        monkeypatch.setenv("DBT_LOG_PATH", str(tmp_path / "dbt_logs"))
        build(warehouse)
        build(outside)
        marts, other = _built(warehouse), _built(outside)
    assert marts.keys() == other.keys()
    assert marts["audit.fct_participations"], "the completions reached no mart"
    for table in marts:
        assert marts[table] == other[table], f"{table}: backfill != one windowed ingest"


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))
