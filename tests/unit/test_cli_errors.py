"""Expected failures end in one line naming the fix; a traceback only with --verbose.

None of these needs a warehouse: the warehouse URL points at a port nobody
listens on, and each command fails before dbt or any source is reached.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from typer.testing import CliRunner, Result

from sinergi.cli import app, expected_failure
from sinergi.orchestration.local_airflow import AirflowAlreadyRunning, LocalAirflow
from sinergi.report.run_facts import PublishNotFound
from sinergi.transform.dbt import HMAC_KEY_VARIABLE, DbtRunFailed, MissingHmacKey

NOWHERE = "postgresql://postgres@127.0.0.1:1/sinergi"  # nothing listens on port 1
SATUDATA = "AIRFLOW_CONN_SINERGI_SATUDATA"


@pytest.fixture(autouse=True)
def unreachable_warehouse(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    monkeypatch.setenv("SINERGI_WAREHOUSE_URL", NOWHERE)
    monkeypatch.setenv("SINERGI_STATE_DIR", str(tmp_path / "state"))  # the demo's log file
    # an Airflow home of its own: the demo refuses to start beside a running one
    monkeypatch.setenv("AIRFLOW_HOME", str(tmp_path / "airflow"))
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):  # `demo` sends logging to its file
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    for handler in handlers:
        if handler not in root.handlers:
            root.addHandler(handler)
    root.setLevel(level)


def one_line(result: Result, status: int = 2) -> str:
    assert result.exit_code == status, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output
    return lines[0]


def test_ingest_without_its_connection_says_which_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(SATUDATA, raising=False)
    line = one_line(CliRunner().invoke(app, ["ingest", "satudata"]))
    assert line.startswith("sinergi ingest: connection 'sinergi_satudata' is not set: ")
    assert f"export {SATUDATA}='" in line and '"password": "<CKAN API key' in line
    assert "define it in Airflow" not in line
    assert "not Airflow's connections" in line


def test_transform_build_without_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(HMAC_KEY_VARIABLE, raising=False)
    line = one_line(CliRunner().invoke(app, ["transform", "build"]))
    assert line.startswith(f"sinergi transform build: {HMAC_KEY_VARIABLE} is not set")
    assert "sinergi dev env" in line


@pytest.mark.parametrize(
    "command",
    [
        ["quality", "report"],
        ["quality", "check"],
        ["quality", "publish"],
        ["quality", "stale"],
        ["report"],
    ],
    ids=" ".join,
)
def test_an_unreachable_warehouse(command: list[str]) -> None:
    line = one_line(CliRunner().invoke(app, command))
    assert line.startswith(f"sinergi {' '.join(command)}: connection failed: ")
    assert "SINERGI_WAREHOUSE_URL" in line


def test_the_demo_with_an_unreachable_warehouse(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(HMAC_KEY_VARIABLE, "test-key")  # the demo sets its own otherwise
    line = one_line(CliRunner().invoke(app, ["demo"]))
    assert line.startswith("sinergi demo: connection failed: ")


def test_the_demo_scale_is_a_usage_error() -> None:
    result = CliRunner().invoke(app, ["demo", "--scale", "tiny"])
    assert result.exit_code == 2
    assert "SCALE must be one of" in result.output
    assert "Traceback" not in result.output


def test_verbose_shows_the_traceback() -> None:
    result = CliRunner().invoke(app, ["--verbose", "quality", "report"])
    assert result.exit_code == 1
    assert isinstance(result.exception, psycopg.OperationalError)


@pytest.mark.parametrize(
    ("error", "status", "fix"),
    [
        (MissingHmacKey("SINERGI_NIP_HMAC_KEY is not set"), 2, "sinergi dev env"),
        (DbtRunFailed("dbt build failed: model.x (error)"), 1, "dbt_project/logs/dbt.log"),
        (PublishNotFound("no publish attempt yet: run the pipeline first"), 2, "run the pipeline"),
        (psycopg.errors.UndefinedTable("relation meta.x does not exist"), 2, "warehouse init"),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, Exception) else str(value),
)
def test_expected_kinds(error: Exception, status: int, fix: str) -> None:
    found = expected_failure(error)
    assert found is not None
    assert found[0] == status
    assert fix in found[1] and "\n" not in found[1]


def test_a_second_demo_while_its_airflow_runs(tmp_path: Path) -> None:
    airflow = LocalAirflow(home=tmp_path / "airflow")
    airflow.refuse_if_running()  # nothing runs yet
    airflow.run_dir.mkdir(parents=True)
    # the scheduler's PID file names a live process (this one): Airflow runs
    (airflow.run_dir / "scheduler.pid").write_text(str(os.getpid()))
    with pytest.raises(AirflowAlreadyRunning) as raised:
        airflow.refuse_if_running()
    found = expected_failure(raised.value)
    assert found is not None
    status, line = found
    assert status == 2 and "\n" not in line
    assert "already running (scheduler," in line and "`sinergi airflow down`" in line


def test_the_demo_while_its_airflow_runs(tmp_path: Path) -> None:
    home = tmp_path / "airflow"  # the fixture's AIRFLOW_HOME
    (home / "run").mkdir(parents=True)
    (home / "run" / "api-server.pid").write_text(str(os.getpid()))  # a live process
    line = one_line(CliRunner().invoke(app, ["demo"]))
    assert line.startswith("sinergi demo: an Airflow of this checkout is already running")
    assert "`sinergi airflow down`" in line


def test_anything_else_is_a_bug_and_keeps_its_traceback() -> None:
    assert expected_failure(RuntimeError("boom")) is None
    assert expected_failure(KeyError("x")) is None
