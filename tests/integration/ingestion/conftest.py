"""Fixtures for ingestion tests: a bootstrapped fresh warehouse and the real source simulator."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from ingestion_helpers import ASN, SEED

from sinergi.warehouse.bootstrap import init_warehouse
from sinergi.warehouse.connection import WarehouseTarget
from sinergi_simulator.api import SimulatorHandle, start_simulator
from sinergi_simulator.devtools.pipeline import simulator_connections


@pytest.fixture
def warehouse(fresh_database: WarehouseTarget) -> WarehouseTarget:
    init_warehouse(fresh_database)
    return fresh_database


@pytest.fixture
def simulator() -> Iterator[SimulatorHandle]:
    with start_simulator(seed=SEED, asn=ASN) as handle:
        yield handle


@pytest.fixture
def connections(simulator: SimulatorHandle, monkeypatch: pytest.MonkeyPatch) -> SimulatorHandle:
    for name, value in simulator_connections(simulator).items():
        monkeypatch.setenv(name, value)
    return simulator
