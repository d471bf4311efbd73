"""Ingest benchmark: Sinergi vs dlt vs `psql \\copy`, same rows, same machine, one run.

Loads the simulator's `bpsdm_kemendagri` participations over HTTP into
`raw.bpsdm_kemendagri__participations` and prints:
- Sinergi's rows/s and peak RSS at ~100k and ~1M rows (each load in a fresh
  process, so peak RSS is the loader's own);
- `psql \\copy` of the same rows (exported from the loaded raw table to a
  file) into a table of the same column types: the limit;
- dlt (`dlt[postgres]`, its REST API source, default settings) loading the
  same endpoint.
The simulator runs in its own process. Each load goes into a fresh database.

Sinergi (at each size) and \\copy run `--repeat` times (default 3): the best
rate of each is compared, because other work on a shared 2-core box skews
single runs, and the highest peak RSS per size, because how many pages are
in flight at once depends on timing; dlt (minutes per run) runs once. Each Sinergi line also
shows the CPU seconds the loader and the simulator spent.

Last line: `sinergi/dlt=<ratio> sinergi/copy=<ratio> peak_rss_mb=<n>` (figures at the
largest size; peak RSS is the highest of its runs). Targets (issue 4): >= 10x dlt,
>= 0.5x \\copy, peak RSS at 1M no higher than at 100k.

    python benchmarks/bench_ingest.py                 # 100k and 1M rows
    python benchmarks/bench_ingest.py --asn 16000 32000 --dlt-rows 50000   # quick
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psycopg
from bench_common import drop_database, fresh_database

from sinergi.warehouse.connection import WarehouseTarget, resolve_target

SEED = 42
ENTITY = "participations"
TABLE = "bpsdm_kemendagri__participations"
API_KEY = "bench-key"
PER_ASN = 6.3  # participations served per ASN (simulator default messiness), for sizing


# --------------------------------------------------------------------------- processes
def start_simulator(asn: int) -> tuple[subprocess.Popen[str], str]:
    """The simulator in its own process; returns it and the bpsdm_kemendagri base URL."""
    code = (
        "import json, sys\n"
        "from sinergi.malloc import use_one_arena\n"
        "from sinergi_simulator.api import start_simulator\n"
        "use_one_arena()  # as `sinergi simulate serve` does\n"
        "from sinergi_simulator.config import Credentials\n"
        f"sim = start_simulator(seed={SEED}, asn={asn}, "
        f"credentials=Credentials(kemendagri_api_key={API_KEY!r}))\n"
        "print(json.dumps(sim.urls), flush=True)\n"
        "sys.stdin.read()\n"
        "sim.stop()\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    urls = json.loads(proc.stdout.readline())
    return proc, urls["bpsdm_kemendagri"]


def stop(proc: subprocess.Popen[str]) -> None:
    if proc.stdin:
        proc.stdin.close()
    proc.wait(timeout=30)


def run_child(mode: str, url: str, target: WarehouseTarget, extra: list[str] | None = None) -> dict:
    """Run one load in a fresh process; it prints its figures as JSON on the last line."""
    env = {**os.environ, "SINERGI_WAREHOUSE_URL": target.url}
    command = [sys.executable, __file__, "--child", mode, "--url", url, *(extra or [])]
    out = subprocess.run(command, env=env, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU of a running process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --------------------------------------------------------------------------- children
def child_sinergi(url: str) -> dict[str, Any]:
    from sinergi.ingestion.registry import load_registry
    from sinergi.ingestion.runner import ingest_entity

    os.environ["AIRFLOW_CONN_SINERGI_BPSDM_KEMENDAGRI"] = f"http://:{API_KEY}@{url.split('://')[1]}"
    source = load_registry().source("bpsdm_kemendagri")
    cpu_before = cpu_seconds()
    started = time.perf_counter()
    result = ingest_entity(source, source.entity(ENTITY), progress_bar=False)
    seconds = time.perf_counter() - started
    return {
        "rows": result.rows_loaded,
        "seconds": seconds,
        "peak_rss_mb": peak_rss_mb(),
        "loader_cpu_s": cpu_seconds() - cpu_before,
    }


def child_dlt(url: str, limit: int) -> dict[str, Any]:
    import dlt
    from dlt.sources.rest_api import rest_api_source

    target = resolve_target()
    credentials = (
        f"postgresql://{target.user}:bench@localhost:{target.port}/{target.dbname}"
        f"?host={target.host}"
        if target.uses_socket
        else target.url
    )
    resource_config: dict[str, Any] = {
        "name": ENTITY,
        "endpoint": {
            "path": f"api/v1/{ENTITY}",
            "params": {"limit": 1000},
            "data_selector": "data",
            "paginator": {
                "type": "offset",
                "limit": 1000,
                "offset_param": "offset",
                "limit_param": "limit",
                "total_path": "total",
                "maximum_offset": limit,
            },
        },
    }
    source = rest_api_source(
        {
            "client": {
                "base_url": url + "/",
                "auth": {"type": "api_key", "name": "X-API-Key", "api_key": API_KEY},
            },
            "resources": [resource_config],
        }
    )
    with tempfile.TemporaryDirectory() as pipelines_dir:
        pipeline = dlt.pipeline(
            pipeline_name="bench_dlt",
            destination=dlt.destinations.postgres(credentials=credentials),
            dataset_name="dlt_raw",
            pipelines_dir=pipelines_dir,
        )
        started = time.perf_counter()
        pipeline.run(source)
        seconds = time.perf_counter() - started
    with psycopg.connect(target.conninfo) as conn:
        row = conn.execute(f"select count(*) from dlt_raw.{ENTITY}").fetchone()
    return {"rows": row[0] if row else 0, "seconds": seconds, "peak_rss_mb": peak_rss_mb()}


# --------------------------------------------------------------------------- \copy
def psql_copy(target: WarehouseTarget, work: Path, repeat: int) -> list[dict[str, Any]]:
    """`psql \\copy` of the rows Sinergi loaded, from a file, into the same column types."""
    data = work / "rows.tsv"
    conninfo = target.conninfo
    export = f"\\copy (select * from raw.{TABLE}) to '{data}'"
    subprocess.run(["/usr/bin/psql", conninfo, "-qc", export], check=True)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        rows = conn.execute(f"select count(*) from raw.{TABLE}").fetchone()
    runs = []
    for _ in range(repeat):
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute("drop table if exists raw.copy_limit")
            conn.execute(f"create table raw.copy_limit (like raw.{TABLE})")
        started = time.perf_counter()
        subprocess.run(
            ["/usr/bin/psql", conninfo, "-qc", f"\\copy raw.copy_limit from '{data}'"], check=True
        )
        runs.append({"rows": rows[0] if rows else 0, "seconds": time.perf_counter() - started})
    data.unlink()
    return runs


# --------------------------------------------------------------------------- main
def rate(figures: dict[str, Any]) -> float:
    return figures["rows"] / figures["seconds"] if figures["seconds"] else 0.0


def best(runs: list[dict[str, Any]]) -> dict[str, Any]:
    return max(runs, key=rate)


def show(label: str, figures: dict[str, Any]) -> None:
    extra = "".join(
        f", {name} {figures[key]:.{digits}f}{unit}"
        for key, name, digits, unit in (
            ("peak_rss_mb", "peak RSS", 0, " MB"),
            ("loader_cpu_s", "loader CPU", 1, " s"),
            ("simulator_cpu_s", "simulator CPU", 1, " s"),
        )
        if key in figures
    )
    print(
        f"{label:<28} {figures['rows']:>9,} rows in {figures['seconds']:7.1f} s"
        f" = {rate(figures):>9,.0f} rows/s{extra}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--asn", type=int, nargs="+", default=[16_000, 160_000],
                        help="world sizes (participations ~6.3 per ASN)")  # fmt: skip
    parser.add_argument("--dlt-rows", type=int, default=0,
                        help="stop dlt after this many rows (0 = all, as Sinergi)")  # fmt: skip
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of Sinergi (each size) and \\copy")  # fmt: skip
    parser.add_argument("--child", choices=["sinergi", "dlt"], help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "sinergi":
        print(json.dumps(child_sinergi(args.url)))
        return
    if args.child == "dlt":
        print(json.dumps(child_dlt(args.url, args.dlt_rows or 10**12)))
        return

    server = resolve_target()
    results: dict[int, dict[str, Any]] = {}
    for asn in sorted(args.asn):
        largest = asn == max(args.asn)
        runs = max(args.repeat, 1)
        proc, url = start_simulator(asn)
        try:
            sinergi_runs, copy_runs = [], []
            for run in range(runs):
                target = fresh_database(server)
                try:
                    simulator_cpu = process_cpu_seconds(proc.pid)
                    figures = run_child("sinergi", url, target)
                    figures["simulator_cpu_s"] = process_cpu_seconds(proc.pid) - simulator_cpu
                    show(f"sinergi  ({asn:,} ASN)", figures)
                    sinergi_runs.append(figures)
                    if largest and run == runs - 1:
                        with tempfile.TemporaryDirectory() as work:
                            copy_runs = psql_copy(target, Path(work), runs)
                        for copy in copy_runs:
                            show("psql \\copy (the limit)", copy)
                finally:
                    drop_database(target)
            results[asn] = {
                "sinergi": best(sinergi_runs),
                "peak_rss_mb": max(run["peak_rss_mb"] for run in sinergi_runs),
            }
            if largest:
                results[asn]["copy"] = best(copy_runs)
                target = fresh_database(server)
                try:
                    extra = ["--dlt-rows", str(args.dlt_rows)] if args.dlt_rows else []
                    dlt_figures = run_child("dlt", url, target, extra)
                    show("dlt rest_api (defaults)", dlt_figures)
                    results[asn]["dlt"] = dlt_figures
                finally:
                    drop_database(target)
        finally:
            stop(proc)

    largest = results[max(results)]
    smallest = results[min(results)]
    print(
        f"peak RSS: {smallest['peak_rss_mb']:.0f} MB at {smallest['sinergi']['rows']:,} rows,"
        f" {largest['peak_rss_mb']:.0f} MB at {largest['sinergi']['rows']:,} rows"
    )
    print(
        f"best runs: sinergi {rate(largest['sinergi']):,.0f} rows/s,"
        f" \\copy {rate(largest['copy']):,.0f} rows/s, dlt {rate(largest['dlt']):,.0f} rows/s"
    )
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"load average {load} on {os.cpu_count()} CPUs (other work on the box skews figures)")
    vs_dlt = rate(largest["sinergi"]) / rate(largest["dlt"])
    vs_copy = rate(largest["sinergi"]) / rate(largest["copy"])
    print(
        f"sinergi/dlt={vs_dlt:.1f} sinergi/copy={vs_copy:.2f} "
        f"peak_rss_mb={largest['peak_rss_mb']:.0f}"
    )


if __name__ == "__main__":
    main()
