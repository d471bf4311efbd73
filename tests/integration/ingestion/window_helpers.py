"""What the windowed-read and backfill tests compare: raw versions, watermarks, served records."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
from ingestion_helpers import FAST_HTTP
from psycopg import sql

from sinergi.ingestion.http import HttpSettings
from sinergi.ingestion.raw_loader import BatchResult, record_hash
from sinergi.ingestion.registry import Registry, load_registry, registry_path
from sinergi.ingestion.runner import Window, ingest_source
from sinergi.warehouse.bootstrap import init_warehouse
from sinergi.warehouse.connection import WarehouseTarget, connect
from sinergi_simulator.api import SimulatorHandle

API_SOURCES = ("siasn", "bpsdm_kemendagri", "kemnaker_corpu", "satudata")


@contextmanager
def another_database(server: WarehouseTarget) -> Iterator[WarehouseTarget]:
    """A second fresh, initialised warehouse for one test, dropped afterwards."""
    target = server.with_database(f"sinergi_test_{uuid.uuid4().hex[:12]}")
    init_warehouse(target)
    try:
        yield target
    finally:
        with psycopg.connect(target.with_database("postgres").conninfo, autocommit=True) as conn:
            conn.execute(
                sql.SQL("drop database if exists {} with (force)").format(
                    sql.Identifier(target.dbname)
                )
            )


def small_pages_registry(tmp_path: Path) -> Registry:
    """The committed registry with 50-record pages: many requests (so many faults), and a
    window that ends mid-stream."""
    text = (
        registry_path()
        .read_text()
        .replace("page_size: 5000", "page_size: 50")
        .replace("page_size: 1000", "page_size: 50")
    )
    path = tmp_path / "sources.yml"
    path.write_text(text)
    return load_registry(path)


def load(
    target: WarehouseTarget,
    sources: tuple[str, ...] = API_SOURCES,
    *,
    window: Window | None = None,
    registry: Registry | None = None,
    settings: HttpSettings = FAST_HTTP,
) -> dict[str, BatchResult]:
    """Ingest the sources (optionally one window of them); results by raw table."""
    return {
        f"{r.source}__{r.entity}": r
        for source in sources
        for r in ingest_source(
            source,
            target=target,
            settings=settings,
            registry=registry,
            progress_bar=False,
            window=window,
        )
    }


def tables(sources: tuple[str, ...] = API_SOURCES) -> dict[str, str]:
    """Raw table -> its primary key, for the sources' entities."""
    return {e.table: e.primary_key for e in load_registry().entities() if e.source in sources}


def raw_versions(
    target: WarehouseTarget, sources: tuple[str, ...] = API_SOURCES
) -> Counter[tuple[str, str, str]]:
    """(table, key, `_record_hash`) of every raw row, counted (a version loaded twice shows)."""
    versions: Counter[tuple[str, str, str]] = Counter()
    with connect(target) as conn:
        for table, key in tables(sources).items():
            if conn.execute("select to_regclass(%s)", (f"raw.{table}",)).fetchone() == (None,):
                continue
            query = sql.SQL("select record ->> %s, _record_hash from {}").format(
                sql.Identifier("raw", table)
            )
            versions.update((table, k, h) for k, h in conn.execute(query, (key,)))
    return versions


def watermarks(target: WarehouseTarget) -> dict[str, str]:
    with connect(target) as conn:
        rows = conn.execute("select source || '__' || entity, watermark from meta.watermarks")
        return dict(rows.fetchall())


def served(sim: SimulatorHandle, table: str) -> list[Any]:
    """Every record the simulator serves now for a raw table, as sent (raw JSON bytes)."""
    source, entity = table.split("__")
    streams = sim.sources.streams
    stream = (
        streams.get(f"{source}.{entity}")
        or {
            "siasn__asn": sim.sources.asn,
            "kemnaker_corpu__completions": sim.sources.completions,
            "satudata__budgets": sim.sources.budgets,
        }[table]
    )
    return list(stream.records(0, stream.count_until(sim.clock.now_ms)))


def served_in_window(
    sim: SimulatorHandle, table: str, window: Window
) -> Counter[tuple[str, str, str]]:
    """(table, key, hash) of the served records whose incremental value lies in the window."""
    entity = next(e for e in load_registry().entities() if e.table == table)
    assert entity.incremental is not None
    found: Counter[tuple[str, str, str]] = Counter()
    for raw in served(sim, table):
        record = json.loads(bytes(raw))
        if window.holds(record.get(entity.incremental.field)):
            found[(table, str(record[entity.primary_key]), record_hash(raw))] += 1
    return found
