"""Fixtures of the publish tests: the dbt tests' handwritten world in a warehouse of its own.

The handwritten raw records live beside the dbt tests (`transform_raw`,
`transform_handwritten`); their folder is put on the path so both suites
share one world.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "transform"))

from transform_raw import create_raw_tables

from sinergi.paths import project_dir
from sinergi.quality.config import EXPECTATIONS_DIR_VARIABLE
from sinergi.warehouse.bootstrap import init_warehouse
from sinergi.warehouse.connection import WarehouseTarget

HMAC_KEY = "publish-changes-test-key"


@pytest.fixture
def warehouse(
    fresh_database: WarehouseTarget, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> WarehouseTarget:
    """A bootstrapped warehouse with empty raw tables, dbt writing to a target folder of its own.

    The publish reads that folder's manifest, so it finds the marts' keys
    where it would in production: dbt's unique tests.
    """
    init_warehouse(fresh_database)
    create_raw_tables(fresh_database)
    monkeypatch.setenv("SINERGI_WAREHOUSE_URL", fresh_database.url)
    monkeypatch.setenv("SINERGI_NIP_HMAC_KEY", HMAC_KEY)
    dbt_target = tmp_path / "dbt-target"
    monkeypatch.setenv("DBT_TARGET_PATH", str(dbt_target))
    monkeypatch.setenv("DBT_LOG_PATH", str(tmp_path / "dbt-logs"))
    expectations = tmp_path / "expectations"
    expectations.mkdir()
    for name in ("great_expectations.yml", "raw_contracts.yml", "quality.yml"):
        shutil.copy(project_dir() / "expectations" / name, expectations / name)
    monkeypatch.setenv(EXPECTATIONS_DIR_VARIABLE, str(expectations))
    return fresh_database
