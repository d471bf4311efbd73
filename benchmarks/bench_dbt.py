"""dbt benchmark: `dbt build` seconds, full refresh vs incremental, at 100k and 1M ASN.

For each size, in a fresh database: the simulator serves a world up to a
first clock (2024-11-01) and the ingestion loads it (API sources and, unless
`--no-files`, the regional file drops); `dbt build --full-refresh` is timed.
Then the clock moves to the end of 2024, the new batches are ingested, and an
incremental `dbt build` (only the new batches reach the incremental models)
is timed, followed by a full refresh of the same data for comparison.
dbt runs with 2 threads. Prints one line per step and a summary line per size:

    asn=100000 full_refresh_s=... incremental_s=... full_refresh_after_s=... raw_rows=... load=...

The machine may be shared: each line ends with the load average (1/5/15 min).

    python benchmarks/bench_dbt.py                  # 100k ASN
    python benchmarks/bench_dbt.py --asn 100000 1000000
"""

from __future__ import annotations

import argparse
import logging
import os
import tempfile
import time
import uuid
from pathlib import Path

import psycopg
from bench_common import connection_env, load
from psycopg import sql

from sinergi.ingestion.file_drop import ingest_file
from sinergi.ingestion.runner import ingest_source
from sinergi.transform.dbt import run_dbt
from sinergi.warehouse.bootstrap import init_warehouse
from sinergi.warehouse.connection import WarehouseTarget, connect, resolve_target
from sinergi_simulator.api import SimulatorHandle, start_simulator
from sinergi_simulator.files import write_files

SEED = 42
FIRST_CLOCK = "2024-11-01T00:00:00Z"
LAST_CLOCK = "2024-12-31T23:59:59Z"
SLOWEST_SHOWN = 8
API_SOURCES = ("siasn", "bpsdm_kemendagri", "kemnaker_corpu", "satudata")


def point_connections(sim: SimulatorHandle) -> None:
    os.environ.update(connection_env(sim.credentials, sim.urls))


def ingest(sim: SimulatorHandle, target: WarehouseTarget, landing: Path | None) -> float:
    start = time.perf_counter()
    for source in API_SOURCES:
        ingest_source(source, target=target, progress_bar=False)
    if landing is not None:
        write_files(sim.sources, landing, until_ms=sim.clock.now_ms)
        for path in sorted(p for p in landing.rglob("*") if p.is_file()):
            ingest_file(path, path.relative_to(landing).parts[0], target=target)
    return time.perf_counter() - start


def timed_build(target: WarehouseTarget, *args: str) -> float:
    """Seconds for one `dbt build`; prints its slowest nodes, where the time goes."""
    start = time.perf_counter()
    result = run_dbt(["build", *args], target, threads=2)
    seconds = time.perf_counter() - start
    slowest = sorted(result.results, key=lambda r: r.execution_time, reverse=True)[:SLOWEST_SHOWN]
    print("  slowest: " + ", ".join(
        f"{r.node.name} {r.execution_time:.1f}s" for r in slowest), flush=True)  # fmt: skip
    return seconds


def raw_rows(target: WarehouseTarget) -> int:
    with connect(target) as conn:
        tables = [
            name
            for (name,) in conn.execute(
                "select table_name from information_schema.tables where table_schema = 'raw'"
            )
        ]
        return sum(
            int(
                conn.execute(
                    sql.SQL("select count(*) from raw.{}").format(sql.Identifier(t))
                ).fetchone()[0]
            )  # type: ignore[index]
            for t in tables
        )


def copy_database(base: WarehouseTarget, source: str, copy: str) -> None:
    """Keep the state before the incremental build, to rerun it while tuning models."""
    with psycopg.connect(base.with_database("postgres").conninfo, autocommit=True) as conn:
        conn.execute(
            sql.SQL("create database {} template {}").format(
                sql.Identifier(copy), sql.Identifier(source)
            )
        )
    print(f"kept {copy}: the warehouse before the incremental build", flush=True)


def bench(asn: int, files: bool, keep: bool) -> dict[str, float]:
    base = resolve_target()
    target = base.with_database(f"sinergi_bench_dbt_{uuid.uuid4().hex[:8]}")
    init_warehouse(target)
    figures: dict[str, float] = {"asn": asn}
    try:
        with (
            start_simulator(seed=SEED, asn=asn, clock=FIRST_CLOCK) as sim,
            tempfile.TemporaryDirectory() as tmp,
        ):
            point_connections(sim)
            landing = Path(tmp) / "landing" if files else None
            figures["ingest_s"] = ingest(sim, target, landing)
            print(f"asn={asn} ingested to {FIRST_CLOCK} in {figures['ingest_s']:.1f}s {load()}",
                  flush=True)  # fmt: skip
            figures["full_refresh_s"] = timed_build(target, "--full-refresh")
            print(f"asn={asn} dbt build --full-refresh {figures['full_refresh_s']:.1f}s {load()}",
                  flush=True)  # fmt: skip
            sim.set_clock(LAST_CLOCK)
            figures["ingest_more_s"] = ingest(sim, target, landing)
            print(f"asn={asn} ingested to {LAST_CLOCK} in {figures['ingest_more_s']:.1f}s {load()}",
                  flush=True)  # fmt: skip
            if keep:
                copy_database(base, target.dbname, f"{target.dbname}_before_incremental")
            figures["incremental_s"] = timed_build(target)
            print(f"asn={asn} dbt build (incremental) {figures['incremental_s']:.1f}s {load()}",
                  flush=True)  # fmt: skip
            figures["full_refresh_after_s"] = timed_build(target, "--full-refresh")
            print(f"asn={asn} dbt build --full-refresh (same data) "
                  f"{figures['full_refresh_after_s']:.1f}s {load()}", flush=True)  # fmt: skip
            figures["raw_rows"] = raw_rows(target)
    finally:
        if not keep:
            with psycopg.connect(base.with_database("postgres").conninfo, autocommit=True) as conn:
                conn.execute(
                    sql.SQL("drop database if exists {} with (force)").format(
                        sql.Identifier(target.dbname)
                    )
                )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--asn", type=int, nargs="+", default=[100_000])
    parser.add_argument("--no-files", action="store_true", help="skip the regional file drops")
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the benchmark database, and a copy from before the incremental build",
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    # the world's deliberately broken uploads are each rejected with a warning
    logging.getLogger("sinergi.ingestion.file_drop").setLevel(logging.ERROR)
    os.environ.setdefault("SINERGI_NIP_HMAC_KEY", "benchmark-key")
    for asn in args.asn:
        f = bench(asn, files=not args.no_files, keep=args.keep)
        print(
            f"asn={asn} full_refresh_s={f['full_refresh_s']:.1f} "
            f"incremental_s={f['incremental_s']:.1f} "
            f"full_refresh_after_s={f['full_refresh_after_s']:.1f} "
            f"raw_rows={int(f['raw_rows'])} ingest_s={f['ingest_s']:.1f} {load()}",
            flush=True,
        )


if __name__ == "__main__":
    main()
