"""A running Airflow as local processes: API server, scheduler, DAG processor, triggerer.

`sinergi airflow up|down|status`, `make demo`, the scheduler-driven tests and
the latency benchmark all start Airflow through `LocalAirflow`. Each component
runs in its own session (process group), so stopping it also stops what it
forked (LocalExecutor workers ignore SIGTERM to their parent); its PID is kept
under `<home>/run/` so `sinergi airflow down` from another shell stops it, and
its output goes to `<home>/logs/<component>.log`, never to the terminal.
With `celery_workers` > 0 the executor is Celery (Redis broker, results in
the metadata database) and that many workers run, each its own log port.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import requests

from sinergi.orchestration.airflow_home import (
    airflow_home,
    api_url,
    configure_environment,
    metadata_url,
    migrate_metadata_db,
)

log = logging.getLogger(__name__)

SERVICES = ("api-server", "scheduler", "dag-processor", "triggerer")
START_TIMEOUT_S = 180.0


class AirflowNotReady(RuntimeError):
    """A component did not come up; the message names it and its log."""


class AirflowAlreadyRunning(RuntimeError):
    """Components of this Airflow home already run (a second `sinergi demo`, say)."""


def _airflow_bin() -> str:
    return str(Path(sys.executable).with_name("airflow"))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie child of this process still answers kill(0): ask /proc
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0] != "Z"
    except (OSError, IndexError):
        return False


@dataclass
class LocalAirflow:
    """The Airflow components of one Airflow home, started and stopped together."""

    home: Path = field(default_factory=airflow_home)
    env: Mapping[str, str] = field(default_factory=dict)  # extra variables for every component
    celery_workers: int = 0
    broker_url: str = "redis://127.0.0.1:6379/0"

    @property
    def run_dir(self) -> Path:
        return self.home / "run"

    @property
    def log_dir(self) -> Path:
        return self.home / "logs"

    def components(self) -> list[str]:
        return [*SERVICES, *(f"celery-worker-{i}" for i in range(1, self.celery_workers + 1))]

    def _command(self, component: str) -> list[str]:
        if component.startswith("celery-worker-"):
            number = component.rsplit("-", 1)[1]
            # concurrency: [celery] worker_concurrency, from process_env
            return [_airflow_bin(), "celery", "worker", "--celery-hostname", f"worker{number}@%h"]
        return [_airflow_bin(), component]

    def process_env(self, component: str | None = None) -> dict[str, str]:
        """The environment every component shares (and one worker's own log port)."""
        env = dict(os.environ)
        if self.celery_workers:
            env.update(
                {
                    "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
                    "AIRFLOW__CELERY__BROKER_URL": self.broker_url,
                    "AIRFLOW__CELERY__RESULT_BACKEND": "db+" + metadata_url(),
                    "AIRFLOW__CELERY__WORKER_CONCURRENCY": "2",  # `env` may say otherwise
                }
            )
        env.update({**self.env, "AIRFLOW_HOME": str(self.home), "PYTHONUNBUFFERED": "1"})
        if component and component.startswith("celery-worker-"):
            number = int(component.rsplit("-", 1)[1])
            # Workers on one host need their own log server ports and names: the first
            # serves on [logging] worker_log_server_port (where the API server looks),
            # the others on the ports after it, skipping the triggerer's.
            first = int(env.get("AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT") or 8793)
            trigger = int(env.get("AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT") or 8794)
            ports = [p for p in range(first, first + self.celery_workers + 1) if p != trigger]
            env["AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT"] = str(ports[number - 1])
            env["SINERGI_WORKER_NAME"] = f"worker{number}"
            env["AIRFLOW__CORE__HOSTNAME_CALLABLE"] = "sinergi.orchestration.worker_name.hostname"
        return env

    def _pid_file(self, component: str) -> Path:
        return self.run_dir / f"{component}.pid"

    def pids(self) -> dict[str, int | None]:
        """Each component's PID when it is running, else None."""
        running: dict[str, int | None] = {}
        for component in self.components():
            path = self._pid_file(component)
            pid = int(path.read_text()) if path.exists() else None
            running[component] = pid if pid is not None and _alive(pid) else None
        return running

    def refuse_if_running(self) -> None:
        """AirflowAlreadyRunning, naming the running components and the fix, if any run.

        The demo starts its own Airflow with its own connections: one already
        running from this home would serve its runs with another world's.
        """
        running = sorted(name for name, pid in self.pids().items() if pid)
        if running:
            raise AirflowAlreadyRunning(
                f"an Airflow of this checkout is already running ({', '.join(running)},"
                f" home {self.home}): stop it with `sinergi airflow down`"
            )

    def log_path(self, component: str) -> Path:
        return self.log_dir / f"{component}.log"

    def start(self, *, wait_for_dags: Iterable[str] = ()) -> None:
        """Migrate the metadata database, start every component, wait until the API answers
        and the DAGs in `wait_for_dags` are parsed. Components already running are kept."""
        os.environ["AIRFLOW_HOME"] = str(self.home)
        configure_environment()
        migrate_metadata_db()
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        running = self.pids()
        for component in self.components():
            if running[component]:
                continue
            with self.log_path(component).open("ab") as out:
                process = subprocess.Popen(
                    self._command(component),
                    env=self.process_env(component),
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                    start_new_session=True,
                    cwd=self.home,
                )
            self._pid_file(component).write_text(str(process.pid))
            log.info("airflow %s started (pid %d)", component, process.pid)
        self.wait_ready(wait_for_dags)

    def wait_ready(self, dag_ids: Iterable[str] = (), timeout: float = START_TIMEOUT_S) -> None:
        from sinergi.orchestration.airflow_api import AirflowApi

        wanted = set(dag_ids)
        deadline = time.monotonic() + timeout
        api = AirflowApi(api_url(), self.home)
        while True:
            dead = [name for name, pid in self.pids().items() if pid is None]
            if dead:
                raise AirflowNotReady(
                    f"airflow {', '.join(dead)} exited; see {self.log_path(dead[0])}"
                )
            try:
                parsed = api.dag_ids()
                if wanted <= parsed:
                    return
                missing = wanted - parsed
            except (requests.RequestException, OSError, KeyError) as error:
                missing = {f"API server not answering ({type(error).__name__})"}
            if time.monotonic() > deadline:
                raise AirflowNotReady(
                    f"Airflow not ready after {timeout:.0f} s: waiting for {sorted(missing)};"
                    f" logs in {self.log_dir}"
                )
            time.sleep(1.0)

    def stop(self, timeout: float = 30.0) -> list[str]:
        """Stop every component (SIGTERM to its process group, SIGKILL after `timeout`)."""
        stopped = []
        pids = {name: pid for name, pid in self.pids().items() if pid}
        for pid in pids.values():
            _signal_group(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for name, pid in pids.items():
            while _alive(pid) and time.monotonic() < deadline:
                _reap(pid)
                time.sleep(0.2)
            # what the component forked (task runners) goes with it
            _signal_group(pid, signal.SIGKILL)
            _reap(pid)
            stopped.append(name)
        for component in self.components():
            self._pid_file(component).unlink(missing_ok=True)
        return stopped

    def stop_component(self, component: str) -> None:
        pid = self.pids().get(component)
        if pid:
            _signal_group(pid, signal.SIGTERM)
            deadline = time.monotonic() + 30
            while _alive(pid) and time.monotonic() < deadline:
                _reap(pid)
                time.sleep(0.2)
            _signal_group(pid, signal.SIGKILL)
            _reap(pid)
        self._pid_file(component).unlink(missing_ok=True)

    def __enter__(self) -> LocalAirflow:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def _signal_group(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)


def _reap(pid: int) -> None:
    """Collect a child that has exited (no-op for processes started by another shell)."""
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)
