"""A pipeline under a running Airflow, for the scheduler-driven tests (fixture `pipeline`).

One Airflow per test module (starting one costs ~30 s): its own home,
metadata database and API port, a fresh warehouse database, a simulator whose
clock the tests move, and Redis pub/sub events on a database of their own.
"""

from __future__ import annotations

import socket
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest
import redis
from committed_expectations import copy_to
from psycopg import sql

from sinergi.orchestration.airflow_api import AirflowApi
from sinergi.orchestration.airflow_home import METADATA_DB_VARIABLE, PORT_VARIABLE
from sinergi.orchestration.chain import RunSeen, runs_since, wait_until_settled
from sinergi.orchestration.local_airflow import LocalAirflow
from sinergi.quality.config import EXPECTATIONS_DIR_VARIABLE
from sinergi.warehouse.bootstrap import init_warehouse
from sinergi.warehouse.connection import WarehouseTarget, connect
from sinergi_simulator.api import SimulatorHandle, start_simulator
from sinergi_simulator.devtools.pipeline import drop_files, simulator_connections

REDIS_URL = "redis://127.0.0.1:6379/7"
API_SOURCES = ("siasn", "bpsdm_kemendagri", "kemnaker_corpu", "satudata")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def redis_available() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping())
    except redis.RedisError:
        return False


@dataclass
class Pipeline:
    airflow: LocalAirflow
    api: AirflowApi
    sim: SimulatorHandle
    target: WarehouseTarget
    landing: Path

    def drop_files(self) -> int:
        """The regional files uploaded by the simulator's clock (already loaded ones skip)."""
        return drop_files(self.sim.sources, self.landing, until_ms=self.sim.clock.now_ms)

    def settle(
        self, since: datetime, expect: tuple[str, ...] = ("quality_publish",)
    ) -> list[RunSeen]:
        return wait_until_settled(self.api, since, expect=expect, timeout=600)

    def runs(self, since: datetime) -> list[RunSeen]:
        return runs_since(self.api, sorted(self.api.dag_ids()), since)

    def scalar(self, query: str, *args: object) -> object:
        with connect(self.target) as conn:
            row = conn.execute(query, args).fetchone()  # type: ignore[arg-type]
        return row[0] if row else None

    def publishes_since(self, since: datetime) -> list[str]:
        with connect(self.target) as conn:
            rows = conn.execute(
                "select status from meta.publish_runs where started_at >= %s order by publish_id",
                (since,),
            ).fetchall()
        return [str(status) for (status,) in rows]


def now() -> datetime:
    time.sleep(0.01)
    return datetime.now(UTC)


def _drop_database(server: WarehouseTarget, name: str) -> None:
    with psycopg.connect(server.with_database("postgres").conninfo, autocommit=True) as conn:
        conn.execute(
            sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name))
        )


@pytest.fixture(scope="module")
def pipeline(
    warehouse_server: WarehouseTarget, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Pipeline]:
    if not redis_available():
        pytest.skip(f"Redis is not reachable at {REDIS_URL}")
    redis.Redis.from_url(REDIS_URL).flushdb()
    tag = uuid.uuid4().hex[:10]
    target = warehouse_server.with_database(f"sinergi_sched_{tag}")
    metadata_db = f"airflow_sched_{tag}"
    home = tmp_path_factory.mktemp("airflow")
    landing = tmp_path_factory.mktemp("landing")
    expectations = copy_to(tmp_path_factory.mktemp("expectations"))
    with (
        pytest.MonkeyPatch.context() as patch,
        start_simulator(seed=31, asn=400, clock="2024-04-15T00:00:00Z") as sim,
    ):
        env = {
            "AIRFLOW_HOME": str(home),
            METADATA_DB_VARIABLE: metadata_db,
            PORT_VARIABLE: str(free_port()),
            "SINERGI_WAREHOUSE_URL": target.url,
            "SINERGI_LANDING_DIR": str(landing),
            EXPECTATIONS_DIR_VARIABLE: str(expectations),
            "SINERGI_NIP_HMAC_KEY": "scheduler-test-key",
            "SINERGI_TASK_RETRIES": "0",  # a source down for good fails at once
            "AIRFLOW_CONN_SINERGI_EVENTS_REDIS": REDIS_URL,
            **simulator_connections(sim),
        }
        for name, value in env.items():
            patch.setenv(name, value)
        init_warehouse(target)
        airflow = LocalAirflow(home=home, env=env)
        try:
            airflow.start(wait_for_dags=[*(f"ingest_{s}" for s in API_SOURCES), "transform"])
            yield Pipeline(airflow, AirflowApi(airflow_url(env), home), sim, target, landing)
        finally:
            airflow.stop()
            _drop_database(warehouse_server, metadata_db)
            _drop_database(warehouse_server, target.dbname)


def airflow_url(env: dict[str, str]) -> str:
    return f"http://127.0.0.1:{env[PORT_VARIABLE]}"
