"""docker-compose.yml's CeleryExecutor topology as local processes: a file drop reaches the marts.

Redis (broker, a database of its own) and PostgreSQL (a metadata database of
its own, results in it too) on this machine; `LocalAirflow` starts the API
server, scheduler, DAG processor, triggerer and two `airflow celery worker`s,
each with its own log server port and hostname. The simulator's regional
files land in the landing zone, and the chain runs as in production:
`ingest_file_drops` (the landing watcher's Asset) → `transform` → `quality_publish`
(both asset-triggered) → a `published` row in `meta.publish_runs`.

Only files are dropped: they are the event under test, and the first transform
builds every model anyway (the API sources' raw tables are empty stand-ins, and
no blocking check needs them). Notifying the four API sources too would add
four ingest runs and more transform/quality runs, minutes on 2 CPUs, and
exercise nothing the Celery topology does differently.

Both workers must run tasks. Each has concurrency 1, and Airflow's Celery
settings acknowledge a message only when its task ends and prefetch one
message per process, so a worker busy with one task takes no other:
`quality_publish` queues `start_run` and `stale_sources` together, and then
`raw_contracts` and `mart_suites` together, so the second of each pair goes to
the other worker. The test waits for both workers to answer a Celery ping
before dropping the files, so neither misses the pair by starting late.

Logs: the REST API reads a task log of each worker; each worker's log server
serves that log to a request signed the way the API server signs its own
(the shared `[api] secret_key`). The API server reads a finished task's log
from the log folder the components share (as docker-compose's `logs` volume)
and asks the worker's log server only for a running task, at
`http://<ti hostname>:<its worker_log_server_port>`: two workers on one host
cannot both be that (one port setting; `<host>-workerN` is not a DNS name),
hence the direct request to each log server.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg
import pytest
import redis
from psycopg import sql

from sinergi.orchestration.airflow_api import AirflowApi
from sinergi.orchestration.airflow_home import METADATA_DB_VARIABLE, PORT_VARIABLE
from sinergi.orchestration.chain import RunSeen, wait_until_settled
from sinergi.orchestration.local_airflow import LocalAirflow
from sinergi.warehouse.bootstrap import init_warehouse
from sinergi.warehouse.connection import WarehouseTarget, connect
from sinergi_simulator.api import SimulatorHandle, start_simulator
from sinergi_simulator.devtools.pipeline import drop_files

pytestmark = pytest.mark.integration

BROKER_URL = "redis://127.0.0.1:6379/5"  # this test's own Redis database, flushed before and after
WORKERS = 2
CHAIN = ("ingest_file_drops", "transform", "quality_publish")


def _bindable(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _free_ports(count: int, avoid: set[int]) -> int:
    """The first of `count` consecutive free ports, none in `avoid`."""
    for _ in range(100):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            first = int(sock.getsockname()[1])
        ports = range(first, first + count)
        if not avoid & set(ports) and all(_bindable(port) for port in ports):
            return first
    raise RuntimeError(f"no {count} consecutive free ports")


def _processes_of(home: Path) -> dict[int, str]:
    """PID -> command line of every process started with AIRFLOW_HOME=home."""
    marker = f"AIRFLOW_HOME={home}".encode() + b"\0"
    found = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        with contextlib.suppress(OSError):
            if marker in (proc / "environ").read_bytes():
                found[int(proc.name)] = (
                    (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                )
    return found


def _drop_database(server: WarehouseTarget, name: str) -> None:
    with psycopg.connect(server.with_database("postgres").conninfo, autocommit=True) as conn:
        conn.execute(
            sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name))
        )


def _wait_for_workers(count: int, timeout: float = 120) -> list[str]:
    """Celery names of the workers answering a ping, once `count` of them do."""
    from celery import Celery

    app = Celery(broker=BROKER_URL)
    try:
        deadline = time.monotonic() + timeout
        while True:
            names = sorted(name for reply in app.control.ping(timeout=1.0) for name in reply)
            if len(names) >= count:
                return names
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(names)} of {count} Celery workers answer: {names}")
    finally:
        app.close()


@dataclass
class CeleryAirflow:
    airflow: LocalAirflow
    api: AirflowApi
    sim: SimulatorHandle
    warehouse: WarehouseTarget
    landing: Path
    worker_names: list[str]


@pytest.fixture
def celery_airflow(
    warehouse_server: WarehouseTarget,
    fresh_database: WarehouseTarget,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[CeleryAirflow]:
    broker = redis.Redis.from_url(BROKER_URL, socket_timeout=2)
    try:
        broker.ping()
    except redis.RedisError as error:
        pytest.skip(f"Redis is not reachable at {BROKER_URL}: {error}")
    broker.flushdb()
    init_warehouse(fresh_database)
    home, landing = tmp_path / "airflow", tmp_path / "landing"
    metadata_db = f"airflow_celery_{uuid.uuid4().hex[:12]}"
    trigger_port = _free_ports(1, set())
    worker_ports = _free_ports(WORKERS, {trigger_port})
    env = {
        "AIRFLOW_HOME": str(home),
        METADATA_DB_VARIABLE: metadata_db,
        PORT_VARIABLE: str(_free_ports(1, {trigger_port, worker_ports, worker_ports + 1})),
        "SINERGI_WAREHOUSE_URL": fresh_database.url,
        "SINERGI_LANDING_DIR": str(landing),
        "SINERGI_NIP_HMAC_KEY": "celery-topology-test-key",
        "SINERGI_TASK_RETRIES": "0",
        # one task per worker at a time: parallel tasks must use both workers
        "AIRFLOW__CELERY__WORKER_CONCURRENCY": "1",
        # free ports: another Airflow on this machine may hold the default 8793/8794
        "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(worker_ports),
        "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(trigger_port),
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)  # LocalAirflow.start reads os.environ
    airflow = LocalAirflow(home=home, env=env, celery_workers=WORKERS, broker_url=BROKER_URL)
    try:
        with start_simulator(seed=23, asn=300) as sim:
            try:
                airflow.start(wait_for_dags=CHAIN)
                names = _wait_for_workers(WORKERS)
                api = AirflowApi(f"http://127.0.0.1:{env[PORT_VARIABLE]}", home)
                yield CeleryAirflow(airflow, api, sim, fresh_database, landing, names)
            finally:
                airflow.stop()
    finally:
        survivors = _processes_of(home)
        for pid in survivors:  # started by this test: stop them before failing
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        _drop_database(warehouse_server, metadata_db)
        broker.flushdb()
        broker.close()
        assert not survivors, f"Airflow processes outlived LocalAirflow.stop(): {survivors}"


def _task_instances(api: AirflowApi, runs: list[RunSeen]) -> list[dict[str, Any]]:
    return [ti for run in runs for ti in api.task_instances(run.dag_id, run.run_id)]


def _rest_log(api: AirflowApi, ti: dict[str, Any]) -> list[str]:
    """The task log's lines, through the API server (`GET .../logs/{try_number}`)."""
    path = (
        f"/dags/{ti['dag_id']}/dagRuns/{quote(ti['dag_run_id'], safe='')}"
        f"/taskInstances/{ti['task_id']}/logs/{ti['try_number']}"
    )
    content = api.request("GET", path, params={"full_content": True})["content"]
    return [str(line.get("event", "")) if isinstance(line, dict) else str(line) for line in content]


def _served_log(url: str, relative: str, patience: float = 60.0) -> Any:
    """A worker log server's answer; a refused connection is retried for a while, since the
    server is the worker's child process and on a loaded box may still be starting."""
    import requests
    from airflow.utils.log.file_task_handler import _fetch_logs_from_service

    deadline = time.monotonic() + patience
    while True:
        try:
            return _fetch_logs_from_service(url, relative)
        except requests.ConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(2)


def _log_file(ti: dict[str, Any]) -> str:
    """The log's path under the base log folder ([logging] log_filename_template's default)."""
    return (
        f"dag_id={ti['dag_id']}/run_id={ti['dag_run_id']}/task_id={ti['task_id']}"
        f"/attempt={ti['try_number']}.log"
    )


def test_a_file_drop_reaches_the_marts_on_two_celery_workers(
    celery_airflow: CeleryAirflow, monkeypatch: pytest.MonkeyPatch
) -> None:
    c = celery_airflow
    assert len(c.worker_names) == WORKERS, c.worker_names
    since = datetime.now(UTC)
    dropped = drop_files(c.sim.sources, c.landing)
    assert dropped > 0

    runs = wait_until_settled(c.api, since, expect=("quality_publish",), timeout=600)

    by_dag = {dag_id: [run for run in runs if run.dag_id == dag_id] for dag_id in CHAIN}
    assert all(by_dag.values()), [(run.dag_id, run.run_type, run.state) for run in runs]
    for dag_id, dag_runs in by_dag.items():
        assert {run.run_type for run in dag_runs} == {"asset_triggered"}, (dag_id, dag_runs)
        assert {run.state for run in dag_runs} == {"success"}, (dag_id, dag_runs)
    with connect(c.warehouse) as conn:
        publishes = conn.execute(
            "select status, tables from meta.publish_runs where started_at >= %s"
            " order by publish_id",
            (since,),
        ).fetchall()
        file_rows = conn.execute("select count(*) from raw.bpsdm_daerah__participations").fetchone()
    assert publishes and publishes[-1][0] == "published", publishes
    assert publishes[-1][1], "the publish named no mart tables"
    assert file_rows and file_rows[0] > 0, "the dropped files loaded no rows"

    # every task ran on a Celery worker; the two workers both ran some
    tis = _task_instances(c.api, runs)
    not_success = {
        (ti["dag_id"], ti["task_id"], ti["state"]) for ti in tis if ti["state"] != "success"
    }
    # the open-data push has no portal Connection here: skipped, on a worker like the rest
    assert not_success == {("open_data", "publish_portal", "skipped")}, not_success
    fqdn = socket.getfqdn()
    expected = {f"{fqdn}-worker{n}" for n in range(1, WORKERS + 1)}
    hostnames = {ti["hostname"] for ti in tis}
    assert hostnames == expected, sorted(hostnames)
    by_host = {host: [ti for ti in tis if ti["hostname"] == host] for host in sorted(hostnames)}
    print("tasks per worker:", {h: [t["task_id"] for t in ts] for h, ts in by_host.items()})

    # the logs: through the REST API, and from each worker's own log server
    from airflow.utils.log.file_task_handler import _fetch_logs_from_service

    # the key every component reads from the home's airflow.cfg ([api] secret_key)
    shared_key = (c.airflow.home / ".api_secret_key").read_text().strip()
    monkeypatch.setenv("AIRFLOW__API__SECRET_KEY", shared_key)
    done = "Done. Returned value was"  # every task here returns a value
    for number, host in enumerate(sorted(expected), start=1):
        ti = by_host[host][0]
        relative = _log_file(ti)
        lines = _rest_log(c.api, ti)
        # read from the shared log folder (the first lines name the log's sources)
        assert str(c.airflow.log_dir / relative) in lines, lines[:5]
        assert any(line.startswith(done) for line in lines), lines[-10:]
        port = c.airflow.process_env(f"celery-worker-{number}")[
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT"
        ]
        served = _served_log(f"http://127.0.0.1:{port}/log/{relative}", relative)
        assert served.status_code == 200, (port, served.status_code, served.text[:300])
        assert done in served.text, f"worker {number}'s log server: {served.text[:300]}"

    # without the shared key the log servers refuse (each process would make its own key)
    monkeypatch.setenv("AIRFLOW__API__SECRET_KEY", "wrong" * 16)
    refused = _fetch_logs_from_service(f"http://127.0.0.1:{port}/log/{relative}", relative)
    assert refused.status_code == 403, refused.status_code
