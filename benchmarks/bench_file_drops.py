"""File-drop benchmark: a landing sweep of thousands of regional files, files/s and rows/s.

The simulator writes its regional uploads (`bpsdm_daerah`, CSV and XLSX,
broken files included) for a world of `--asn` ASN once, cached under
`.sinergi/bench/`; every run copies them into a fresh landing folder and a
fresh database and loads them in a process of its own (so peak RSS is the
loader's), in two ways:

- `sweep`: `sweep_landing`, the path the DAG and the watcher run;
- `per-file`: `ingest_file` called once per file, as the old sweep did
  (a connection and a commit of its own per file; no claim or move).

Each line gives files/s, rows/s (rows read), peak RSS (of the loading process) and
how many database sessions the load opened (PostgreSQL's own count,
`pg_stat_database.sessions`). The machine may be shared: the load average is
printed beside the figures.
Last line: `files=<n> sweep_files_per_s=<n> sweep_rows_per_s=<n> speedup=<x>
peak_rss_mb=<n> sessions=<n>`.

    python benchmarks/bench_file_drops.py                  # ~2,000 files
    python benchmarks/bench_file_drops.py --asn 20000 --repeat 1
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psycopg
from bench_common import drop_database, fresh_database

from sinergi.paths import state_dir
from sinergi.warehouse.connection import WarehouseTarget, resolve_target

SEED = 42
MODES = ("per-file", "sweep")


def write_world(asn: int) -> Path:
    """The simulator's uploads for `asn` ASN, written once and reused."""
    cached = state_dir() / "bench" / f"file-drops-{SEED}-{asn}"
    if (cached / "written.json").exists():
        return cached / "landing"
    from sinergi_simulator.api import build_sources
    from sinergi_simulator.files import write_files

    shutil.rmtree(cached, ignore_errors=True)
    started = time.perf_counter()
    written = write_files(build_sources(SEED, asn), cached / "landing")
    print(f"wrote {written} in {time.perf_counter() - started:.0f} s (cached in {cached})")
    (cached / "written.json").write_text(json.dumps(written))
    return cached / "landing"


def sessions_opened(target: WarehouseTarget) -> int:
    """Sessions PostgreSQL has counted for the database, once every one has ended (a
    session's count is flushed when its backend exits); read from another database."""
    with psycopg.connect(target.with_database("postgres").conninfo, autocommit=True) as conn:
        for _ in range(200):
            (active,) = conn.execute(
                "select count(*) from pg_stat_activity where datname = %s", (target.dbname,)
            ).fetchone() or (0,)
            if not active:
                break
            time.sleep(0.05)
        conn.execute("select pg_stat_clear_snapshot()")
        row = conn.execute(
            "select sessions from pg_stat_database where datname = %s", (target.dbname,)
        ).fetchone()
    return int(row[0]) if row else 0


def child(mode: str, landing: Path) -> dict[str, Any]:
    """One load of the landing folder, in this (fresh) process."""
    from sinergi.ingestion.landing import sweep_landing

    started = time.perf_counter()
    if mode == "sweep":
        summaries = sweep_landing(landing)["summaries"]
    else:
        from sinergi.ingestion.file_drop import ingest_file

        files = sorted(p for p in landing.rglob("*") if p.is_file() and not p.is_symlink())
        summaries = [
            ingest_file(path, path.relative_to(landing).parts[0]).as_dict() for path in files
        ]
    seconds = time.perf_counter() - started
    return {
        "files": len(summaries),
        "rows_read": sum(s["rows_read"] for s in summaries),
        "rows_loaded": sum(s["rows_loaded"] for s in summaries),
        "by_status": {
            status: sum(1 for s in summaries if s["status"] == status)
            for status in sorted({s["status"] for s in summaries})
        },
        "seconds": seconds,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def run(mode: str, world: Path, server: WarehouseTarget) -> dict[str, Any]:
    target = fresh_database(server)
    try:
        before = sessions_opened(target)
        with tempfile.TemporaryDirectory(prefix="sinergi-bench-drops-") as tmp:
            landing = Path(tmp) / "landing"
            shutil.copytree(world, landing, symlinks=True)
            env = {**os.environ, "SINERGI_WAREHOUSE_URL": target.url}
            command = [sys.executable, __file__, "--child", mode, "--landing", str(landing)]
            out = subprocess.run(command, env=env, check=True, capture_output=True, text=True)
        figures: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
        figures["sessions"] = sessions_opened(target) - before
        return figures
    finally:
        drop_database(target)


def load_average() -> str:
    return "/".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--asn", type=int, default=4000, help="world size (4000: ~2,000 files)")
    parser.add_argument("--repeat", type=int, default=2, help="runs per mode (best kept)")
    parser.add_argument("--modes", nargs="+", choices=MODES, default=list(MODES))
    parser.add_argument("--child", choices=MODES, help=argparse.SUPPRESS)
    parser.add_argument("--landing", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.landing)))
        return

    world = write_world(args.asn)
    server = resolve_target()
    best: dict[str, dict[str, Any]] = {}
    for mode in args.modes:
        for attempt in range(1, args.repeat + 1):
            figures = run(mode, world, server)
            rate = figures["files"] / figures["seconds"]
            print(
                f"{mode:>8} run {attempt}: {figures['files']} files"
                f" ({', '.join(f'{k} {v}' for k, v in figures['by_status'].items())}),"
                f" {figures['rows_read']} rows in {figures['seconds']:.1f} s:"
                f" {rate:,.0f} files/s, {figures['rows_read'] / figures['seconds']:,.0f} rows/s,"
                f" peak RSS {figures['peak_rss_mb']:.0f} MB,"
                f" {figures['sessions']} database sessions (load average {load_average()})",
                flush=True,
            )
            if mode not in best or figures["seconds"] < best[mode]["seconds"]:
                best[mode] = figures
    sweep = best.get("sweep") or next(iter(best.values()))
    per_file = best.get("per-file")
    speedup = per_file["seconds"] / sweep["seconds"] if per_file else float("nan")
    print(
        f"files={sweep['files']} sweep_files_per_s={sweep['files'] / sweep['seconds']:.0f}"
        f" sweep_rows_per_s={sweep['rows_read'] / sweep['seconds']:.0f} speedup={speedup:.1f}"
        f" peak_rss_mb={max(f['peak_rss_mb'] for f in best.values()):.0f}"
        f" sessions={sweep['sessions']}"
    )


if __name__ == "__main__":
    main()
