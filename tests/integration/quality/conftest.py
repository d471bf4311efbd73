"""Fixtures of the quality tests: a simulated world built by dbt, a private GX context, a webhook.

The world is built once per session (`world.build_world`, a template
database); every test that asks for `world` gets a copy of its own.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml
from committed_expectations import copy_to

from sinergi.paths import project_dir
from sinergi.quality.config import EXPECTATIONS_DIR_VARIABLE
from sinergi.warehouse.bootstrap import init_warehouse
from sinergi.warehouse.connection import WarehouseTarget

from . import world as quality_world


@pytest.fixture
def warehouse(fresh_database: WarehouseTarget, monkeypatch: pytest.MonkeyPatch) -> WarehouseTarget:
    """A bootstrapped warehouse every Sinergi call in the test resolves to."""
    init_warehouse(fresh_database)
    monkeypatch.setenv("SINERGI_WAREHOUSE_URL", fresh_database.url)
    return fresh_database


@pytest.fixture(scope="session")
def simulated_world(
    warehouse_server: WarehouseTarget, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[quality_world.World]:
    """The world in a template database, built and quality-checked once.

    dbt writes to the session's target folder (DBT_TARGET_PATH,
    tests/conftest.py), whose manifest the quality runs read.
    """
    template = warehouse_server.with_database(f"sinergi_qworld_{uuid.uuid4().hex[:12]}")
    expectations = copy_to(tmp_path_factory.mktemp("world") / "expectations")
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv(EXPECTATIONS_DIR_VARIABLE, str(expectations))
            yield quality_world.build_world(template, expectations)
    finally:
        quality_world.drop_database(template)


@pytest.fixture
def world(
    simulated_world: quality_world.World,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[quality_world.World]:
    """A copy of the simulated world every Sinergi call resolves to, and of its GX context.

    The context's stores and Data Docs hold the world's first run, as a
    checkout's `expectations/` would after it.
    """
    target = simulated_world.target.with_database(f"sinergi_test_{uuid.uuid4().hex[:12]}")
    quality_world.copy_database(simulated_world.target, target)
    expectations = tmp_path / "expectations"
    shutil.copytree(simulated_world.expectations, expectations)
    monkeypatch.setenv("SINERGI_WAREHOUSE_URL", target.url)
    monkeypatch.setenv("SINERGI_NIP_HMAC_KEY", quality_world.HMAC_KEY)
    monkeypatch.setenv(EXPECTATIONS_DIR_VARIABLE, str(expectations))
    yield dataclasses.replace(simulated_world, target=target, expectations=expectations)
    quality_world.drop_database(target)


@pytest.fixture
def expectations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the committed GX context, so runs never touch the repository's files.

    dbt's target folder is an empty one (the tests build their own audit
    tables, so no manifest names the marts), and the copy declares the test
    marts' keys.
    """
    root = tmp_path / "expectations"
    root.mkdir()
    for name in ("great_expectations.yml", "raw_contracts.yml", "quality.yml"):
        shutil.copy(project_dir() / "expectations" / name, root / name)
    settings = yaml.safe_load((root / "quality.yml").read_text())
    settings["keys"] = {
        "funding_by_institution": ["instansi_id", "tahun", "sumber_dana"],
        "participation_by_region": ["kode_provinsi", "tahun"],
    }
    (root / "quality.yml").write_text(yaml.safe_dump(settings))
    monkeypatch.setenv(EXPECTATIONS_DIR_VARIABLE, str(root))
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "no-dbt-target"))
    return root


class _Receiver(BaseHTTPRequestHandler):
    received: list[dict[str, Any]]

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        self.server.received.append(json.loads(self.rfile.read(length)))  # type: ignore[attr-defined]
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def webhook(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict[str, Any]]]:
    """A local alert receiver on a free loopback port, configured as the alerts Connection."""
    server = HTTPServer(("127.0.0.1", 0), _Receiver)
    server.received = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv(
        "AIRFLOW_CONN_SINERGI_ALERTS_WEBHOOK", f"http://127.0.0.1:{server.server_port}/alerts"
    )
    yield server.received  # type: ignore[attr-defined]
    server.shutdown()
    thread.join(timeout=5)
