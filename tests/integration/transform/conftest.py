"""Fixtures for the dbt tests: a bootstrapped warehouse with the raw tables, and the HMAC key."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from transform_raw import create_raw_tables

from sinergi.warehouse.bootstrap import init_warehouse
from sinergi.warehouse.connection import WarehouseTarget

HMAC_KEY = "sinergi 'test' \\key é"  # quotes, a backslash and UTF-8 survive the SQL literal


@pytest.fixture
def hmac_key(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("SINERGI_NIP_HMAC_KEY", HMAC_KEY)
    return HMAC_KEY


@pytest.fixture
def warehouse(fresh_database: WarehouseTarget, hmac_key: str) -> Iterator[WarehouseTarget]:
    """A fresh warehouse database with every raw table of the contract, empty."""
    init_warehouse(fresh_database)
    create_raw_tables(fresh_database)
    yield fresh_database
