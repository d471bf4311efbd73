"""A small simulated world run through the real pipeline with a canary NIP key.

Built once for the security tests: bootstrap, ingest (APIs and regional
files), the `transform` DAG and the `quality_publish` DAG under Airflow's
`dag.test()`, so dbt, GX, the run report and Airflow's task logging all see
the key. Every file they write goes to folders of this session (dbt's target
and log paths, the GX context, the reports), and everything printed to the
process's stdout/stderr or logged is kept, for the tests to search.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import traceback
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql

from sinergi.ingestion.file_drop import ingest_file
from sinergi.ingestion.http import HttpSettings
from sinergi.ingestion.raw_loader import ensure_raw_table
from sinergi.ingestion.registry import load_registry
from sinergi.ingestion.runner import ingest_source
from sinergi.orchestration.dag_runs import run_dag
from sinergi.paths import project_dir
from sinergi.quality.config import EXPECTATIONS_DIR_VARIABLE
from sinergi.warehouse.bootstrap import init_warehouse
from sinergi.warehouse.connection import WarehouseTarget, connect
from sinergi_simulator.api import start_simulator
from sinergi_simulator.devtools.pipeline import simulator_connections
from sinergi_simulator.files import write_files

SEED, ASN = 31, 200
API_SOURCES = ("siasn", "bpsdm_kemendagri", "kemnaker_corpu", "satudata")
FAST_HTTP = HttpSettings(read_timeout_s=5.0, backoff_base_s=0.02, backoff_max_s=0.1)


@dataclass
class SecuredWorld:
    """The warehouse the pipeline built, the key it used and where it wrote."""

    target: WarehouseTarget
    key: str
    folders: dict[str, Path]  # what each folder is -> the folder the run wrote into
    output: Path  # the process's stdout and stderr during the run
    log_lines: list[str] = field(default_factory=list)


@contextmanager
def _captured(output: Path, lines: list[str]) -> Iterator[None]:
    """Everything printed, into `output`; every log record's text, into `lines`.

    Printing is caught at both levels: sys.stdout/sys.stderr (where pytest's
    capture and Python code write) and file descriptors 1 and 2 (C code,
    children). Log records are caught where they are made (the record
    factory), as Airflow replaces the root logger's handlers when it
    configures its logging.
    """
    make_record = logging.getLogRecordFactory()

    def keep(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        text = record.getMessage()
        if record.exc_info:
            text += "\n" + "".join(traceback.format_exception(*record.exc_info))
        lines.append(f"{record.name} {record.levelname} {text}")
        return record

    saved = [os.dup(1), os.dup(2)]
    with output.open("a", buffering=1, encoding="utf-8", errors="replace") as sink:
        logging.setLogRecordFactory(keep)
        try:
            for fd in (1, 2):
                os.dup2(sink.fileno(), fd)
            with redirect_stdout(sink), redirect_stderr(sink):
                yield
        finally:
            sink.flush()
            for fd, copy in zip((1, 2), saved, strict=True):
                os.dup2(copy, fd)
                os.close(copy)
            logging.setLogRecordFactory(make_record)


def _private_expectations(root: Path) -> Path:
    """The committed GX context, copied (the manifest is this run's dbt's, DBT_TARGET_PATH)."""
    root.mkdir(parents=True)
    for name in ("great_expectations.yml", "raw_contracts.yml", "quality.yml"):
        shutil.copy(project_dir() / "expectations" / name, root / name)
    return root


def _ingest(target: WarehouseTarget, landing: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with start_simulator(seed=SEED, asn=ASN) as sim:
        for name, value in simulator_connections(sim).items():
            monkeypatch.setenv(name, value)
        for source in API_SOURCES:
            ingest_source(source, target=target, settings=FAST_HTTP, progress_bar=False)
        write_files(sim.sources, landing, until_ms=sim.clock.now_ms)
    for path in sorted(p for p in landing.rglob("*") if p.is_file()):
        ingest_file(path, path.relative_to(landing).parts[0], target=target)
    with connect(target) as conn:  # a source with nothing to load still has its table
        for entity in load_registry().entities():
            ensure_raw_table(conn, entity.table)


@pytest.fixture(scope="session")
def secured_world(warehouse_server: WarehouseTarget, airflow_db: None) -> Iterator[SecuredWorld]:
    """The pipeline run once, end to end, with a canary key (see the module docstring)."""
    key = f"canary{uuid.uuid4().hex}"
    target = warehouse_server.with_database(f"sinergi_test_{uuid.uuid4().hex[:12]}")
    root = Path(tempfile.mkdtemp(prefix="sinergi-security-"))
    folders = {
        "dbt target": root / "dbt-target",
        "dbt logs": root / "dbt-logs",
        "GX context": root / "expectations",
        "run reports": root / "reports",
        "landing zone": root / "landing",
    }
    world = SecuredWorld(target, key, folders, root / "output.log")
    try:
        with pytest.MonkeyPatch.context() as monkeypatch:
            _run_pipeline(world, monkeypatch)
            yield world
    finally:
        with psycopg.connect(target.with_database("postgres").conninfo, autocommit=True) as conn:
            conn.execute(
                sql.SQL("drop database if exists {} with (force)").format(
                    sql.Identifier(target.dbname)
                )
            )
        shutil.rmtree(root, ignore_errors=True)


def _run_pipeline(world: SecuredWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    folders = world.folders
    monkeypatch.setenv("SINERGI_NIP_HMAC_KEY", world.key)
    monkeypatch.setenv("SINERGI_WAREHOUSE_URL", world.target.url)
    monkeypatch.setenv("DBT_TARGET_PATH", str(folders["dbt target"]))
    monkeypatch.setenv("DBT_LOG_PATH", str(folders["dbt logs"]))
    monkeypatch.setenv("SINERGI_REPORTS_DIR", str(folders["run reports"]))
    expectations = _private_expectations(folders["GX context"])
    monkeypatch.setenv(EXPECTATIONS_DIR_VARIABLE, str(expectations))
    try:
        with _captured(world.output, world.log_lines):
            init_warehouse(world.target)
            _ingest(world.target, folders["landing zone"], monkeypatch)
            run_dag("transform")
            run_dag("quality_publish")
    except Exception as error:
        tail = world.output.read_text(errors="replace")[-4000:]
        raise RuntimeError(f"the pipeline failed: {error}; its output ended:\n{tail}") from error
