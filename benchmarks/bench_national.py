"""National benchmark: the nightly pipeline in full, then one day's increment, at any scale.

Default scale: the nation (4.3 M ASN; the simulator draws ~3.5 participations per
ASN a year, ~15 M a year, over all 38 provinces, 514 regencies/cities and 80 K/L).
In one fresh database:

1. full: the simulator's clock at FULL_CLOCK; `sinergi ingest <source>` for the
   four API sources against the simulator's HTTP servers (its own process), the
   landing sweep (`sweep_landing`, what the file-drop DAG runs) over every file
   dropped by then, `sinergi transform build --full-refresh`, `sinergi quality
   publish` (every check, then the publish);
2. incremental: the clock one day on (DAY_CLOCK); the same ingests (from their
   watermarks), the day's file drops swept, `sinergi transform build`, `sinergi
   quality publish`.

Each stage runs in its own process under `/usr/bin/time`, which gives its peak
RSS. Per stage: seconds, rows/s and peak RSS; for the load stages the ratio to
`psql \\copy` of the same raw rows (exported after the run, copied into a table
of the same columns), for the dbt build the ratio to its floor: one `create
table ... as select` per staging model, its compiled SQL over the same raw rows
(the parse every row needs, none of the joins or marts).

The file drops are generated once per scale and cached under
`.sinergi/bench-cache/<asn>/` (each run sweeps hard links to them), so repeated
runs measure the pipeline, not the generator. Last line:

    full_s=<n> incremental_s=<n> peak_rss_mb=<n>

Targets (issue 16, a 2-core machine): full < 1200 s, incremental < 120 s, peak
RSS of any Sinergi process < 2048 MB.

    python benchmarks/bench_national.py                 # 4,300,000 ASN
    python benchmarks/bench_national.py --asn 100000    # a smaller world
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from bench_common import connection_env, drop_database, fresh_database, load
from bench_ingest import process_cpu_seconds
from psycopg import sql

from sinergi.paths import state_dir
from sinergi.warehouse.connection import WarehouseTarget, resolve_target

NATIONAL_ASN = 4_300_000
SEED = 42
FULL_CLOCK = "2024-12-29T00:00:00Z"  # December's folders land in its last 4 days
DAY_CLOCK = "2024-12-30T00:00:00Z"
API_SOURCES = ("siasn", "bpsdm_kemendagri", "kemnaker_corpu", "satudata")
TARGETS = {"full_s": 1200.0, "incremental_s": 120.0, "peak_rss_mb": 2048.0}
HMAC_KEY = "benchmark-key"
PG_SETTINGS = (
    "shared_buffers",
    "work_mem",
    "maintenance_work_mem",
    "effective_cache_size",
    "max_worker_processes",
    "max_parallel_workers",
    "max_parallel_workers_per_gather",
    "jit",
    "server_version",
)
BIN = Path(sys.executable).parent
TIME = "/usr/bin/time"
PSQL = shutil.which("psql") or "/usr/bin/psql"
STAGE_TIMEOUT: list[float | None] = [None]  # --stage-timeout
# The warehouse after the incremental day, per ASN (pg_database_size: raw,
# staging, intermediate, audit and marts), measured at 100,000 ASN (28 KB).
WAREHOUSE_BYTES_PER_ASN = 28_000

SWEEP = """
import json, logging, sys
from pathlib import Path
from sinergi.ingestion.landing import sweep_landing
logging.basicConfig(level=logging.ERROR)  # the world's broken uploads each warn
result = sweep_landing(Path(sys.argv[1]))
print(json.dumps({k: v for k, v in result.items() if k not in ("summaries", "ignored")}))
"""


# --------------------------------------------------------------------------- the world
def cache_dir(asn: int) -> Path:
    return state_dir() / "bench-cache" / str(asn)


def cached_world(asn: int) -> dict[str, Any]:
    """The file drops up to FULL_CLOCK (`base/`) and of the next day (`day/`), written once."""
    root = cache_dir(asn)
    done = root / "world.json"
    if done.exists():
        return json.loads(done.read_text())
    from sinergi_simulator.api import build_sources
    from sinergi_simulator.files import write_files
    from sinergi_simulator.timeline import parse_timestamp

    print(f"generating the world's file drops at {asn:,} ASN into {root} (once)", flush=True)
    shutil.rmtree(root, ignore_errors=True)
    started = time.perf_counter()
    sources = build_sources(SEED, asn)
    base, day = root / "base", root / "day"
    counts = write_files(sources, base, until_ms=parse_timestamp(FULL_CLOCK))
    with tempfile.TemporaryDirectory(dir=root) as tmp:
        write_files(sources, Path(tmp), until_ms=parse_timestamp(DAY_CLOCK))
        for path in sorted(p for p in Path(tmp).rglob("*") if p.is_file()):
            relative = path.relative_to(tmp)
            if not (base / relative).exists():  # uploaded during the day
                (day / relative).parent.mkdir(parents=True, exist_ok=True)
                path.rename(day / relative)
    day_files = sum(1 for p in day.rglob("*") if p.is_file()) if day.exists() else 0
    world = {
        "asn": asn,
        "seed": SEED,
        "base_files": counts["files"] + counts["broken_files"],
        "day_files": day_files,
        "generate_s": round(time.perf_counter() - started, 1),
    }
    done.write_text(json.dumps(world))
    return world


def link_files(cached: Path, landing: Path) -> None:
    """Hard links of the cached drops in the landing folder: the sweep moves the links only."""
    if cached.exists():
        shutil.copytree(cached, landing, copy_function=os.link, dirs_exist_ok=True)


class Simulator:
    """The simulator's HTTP servers in their own process; its clock is set over a pipe."""

    def __init__(self, asn: int, clock: str) -> None:
        command = [sys.executable, __file__, "--serve", "--asn", str(asn), "--clock", clock]
        self.proc = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert self.proc.stdout is not None
        self.env: dict[str, str] = json.loads(self.proc.stdout.readline())

    def set_clock(self, clock: str) -> None:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(clock + "\n")
        self.proc.stdin.flush()
        self.proc.stdout.readline()

    def peak_rss_mb(self) -> float:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def stop(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        self.proc.wait(timeout=60)


def serve(asn: int, clock: str) -> None:
    """The child side of `Simulator`: print the connection URIs, then obey clock lines."""
    from sinergi.malloc import use_one_arena
    from sinergi_simulator.api import start_simulator

    use_one_arena()  # as `sinergi simulate serve` does
    with start_simulator(seed=SEED, asn=asn, clock=clock) as sim:
        print(json.dumps(connection_env(sim.credentials, sim.urls)), flush=True)
        for line in sys.stdin:
            sim.set_clock(line.strip())
            print(sim.now, flush=True)


# --------------------------------------------------------------------------- stages
@dataclass
class Stage:
    name: str
    seconds: float = 0.0
    rows: int = 0
    peak_rss_mb: float = 0.0
    batches: tuple[int, int] = (0, 0)  # (first, last) batch id loaded by the stage
    floor_s: float | None = None  # \copy or the CTAS floor of the same rows
    notes: list[str] = field(default_factory=list)


def timed(
    command: list[str], env: dict[str, str], allowed: tuple[int, ...] = (0,)
) -> tuple[float, float, int, str]:
    """(seconds, peak RSS MB, exit status, stdout and stderr) of one command run under
    /usr/bin/time.

    A command still running after `STAGE_TIMEOUT[0]` seconds is killed, with its
    database sessions (PostgreSQL would finish their queries for nobody): status -9."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        started = time.perf_counter()
        proc = subprocess.Popen(
            [TIME, "-f", "%M", "-o", report.name, *command],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            out, err = proc.communicate(timeout=STAGE_TIMEOUT[0])
            status = proc.returncode
        except subprocess.TimeoutExpired:
            out, err = stop_command(proc, env)
            status = -9
        except KeyboardInterrupt:
            stop_command(proc, env)
            raise
        seconds = time.perf_counter() - started
        if status not in (*allowed, -9):
            sys.stderr.write(out[-4000:] + err[-4000:])
            raise SystemExit(f"{' '.join(command[:3])} failed with {status}")
        peak_kb = int(report.read().strip().splitlines()[-1])
    return seconds, peak_kb / 1024, status, out + err


def stop_command(proc: subprocess.Popen[str], env: dict[str, str]) -> tuple[str, str]:
    """Kill the command under /usr/bin/time (which then writes its peak) and its sessions."""
    try:
        children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
    except FileNotFoundError:  # time has gone already (a ^C reaches the whole group)
        children = []
    for pid in children:
        os.kill(int(pid), signal.SIGKILL)
    out, err = proc.communicate()
    terminate_sessions(WarehouseTarget.from_url(env["SINERGI_WAREHOUSE_URL"]))
    return out, err


def terminate_sessions(target: WarehouseTarget) -> None:
    with psycopg.connect(target.conninfo, autocommit=True) as conn:
        conn.execute(
            "select pg_terminate_backend(pid) from pg_stat_activity"
            " where datname = current_database() and pid <> pg_backend_pid()"
        )


def last_batch(target: WarehouseTarget) -> int:
    with psycopg.connect(target.conninfo) as conn:
        row = conn.execute("select coalesce(max(batch_id), 0) from meta.load_batches").fetchone()
    return int(row[0]) if row else 0


def loaded_rows(target: WarehouseTarget, first: int, last: int) -> int:
    with psycopg.connect(target.conninfo) as conn:
        row = conn.execute(
            "select coalesce(sum(rows_loaded), 0) from meta.load_batches"
            " where batch_id between %s and %s",
            (first, last),
        ).fetchone()
    return int(row[0]) if row else 0


def load_stage(
    name: str, commands: list[list[str]], env: dict[str, str], target: WarehouseTarget
) -> Stage:
    stage = Stage(name)
    first = last_batch(target) + 1
    for command in commands:
        seconds, peak, status, _ = timed(command, env)
        stage.seconds += seconds
        stage.peak_rss_mb = max(stage.peak_rss_mb, peak)
        if status == -9:
            stage.notes.append(f"{command[-1]} STOPPED after {seconds:.0f} s")
    stage.batches = (first, last_batch(target))
    stage.rows = loaded_rows(target, *stage.batches)
    return stage


def run_pipeline(
    kind: str, env: dict[str, str], target: WarehouseTarget, landing: Path, simulator: Simulator
) -> list[Stage]:
    """One nightly run: API ingest, file-drop sweep, dbt build, quality + publish."""
    sinergi = str(BIN / "sinergi")
    cpu = process_cpu_seconds(simulator.proc.pid)
    api = load_stage(
        f"{kind}: ingest API", [[sinergi, "ingest", s] for s in API_SOURCES], env, target
    )
    api.notes.append(f"simulator CPU {process_cpu_seconds(simulator.proc.pid) - cpu:.0f} s")
    show(api)
    files = load_stage(
        f"{kind}: file drops", [[sys.executable, "-c", SWEEP, str(landing)]], env, target
    )
    show(files)
    build = Stage(f"{kind}: dbt build")
    flags = ["--full-refresh"] if kind == "full" else []
    build.seconds, build.peak_rss_mb, code, _ = timed([sinergi, "transform", "build", *flags], env)
    build.notes.append("STOPPED: did not finish" if code == -9 else "")
    build.rows = api.rows + files.rows  # the raw rows it parses
    build.batches = (api.batches[0], files.batches[1])
    show(build)
    slowest_nodes(Path(env["DBT_TARGET_PATH"]) / "run_results.json")
    if kind == "full":
        calibration(target)
    quality = Stage(f"{kind}: quality + publish")
    quality.seconds, quality.peak_rss_mb, code, output = timed(
        [sinergi, "quality", "publish"], env, (0, 1)
    )
    quality.notes.append({0: "published", 1: "publish blocked by a check"}.get(code, "STOPPED"))
    show(quality)
    steps = re.findall(r"quality step (\S+): ([\d.]+) s", output)
    print("  steps: " + ", ".join(f"{step} {seconds} s" for step, seconds in steps), flush=True)
    for step, spent in re.findall(r"(\S+) timings: (.*)", output):
        print(f"    {step}: {spent}", flush=True)
    return [api, files, build, quality]


def slowest_nodes(run_results: Path, count: int = 8) -> None:
    """The build's slowest dbt nodes (models and tests), from its run_results.json."""
    if not run_results.exists():
        return
    results = json.loads(run_results.read_text())["results"]
    tests = sum(r["execution_time"] for r in results if r["unique_id"].startswith("test."))
    slowest = sorted(results, key=lambda r: r["execution_time"], reverse=True)[:count]
    print(
        f"  slowest of {len(results)} nodes (tests {tests:.0f} s in all): "
        + ", ".join(f"{r['unique_id'].split('.')[2]} {r['execution_time']:.1f} s" for r in slowest),
        flush=True,
    )


def calibration(target: WarehouseTarget) -> None:
    """Participations a year per ASN in the built fact table: the spec's ~15 M at 4.3 M ASN
    (trainings; e-learning completions counted apart)."""
    with psycopg.connect(target.conninfo) as conn:
        asn = conn.execute(
            "select count(distinct nip) filter (where is_valid) from staging.stg_siasn__asns"
        ).fetchone()
        years = conn.execute(
            "select tahun, count(*) filter (where not is_elearning_completion), count(*)"
            " from audit.fct_participations group by 1 order by 1"
        ).fetchall()
    n_asn = max(int(asn[0]) if asn else 0, 1)
    scale = NATIONAL_ASN / n_asn / 1e6
    print(
        f"  calibration, {n_asn:,} ASN: trainings (+ e-learning) a year: "
        + ", ".join(
            f"{year} {trainings:,} (+{total - trainings:,}) = {trainings / n_asn:.2f}/ASN,"
            f" {trainings * scale:.1f} M ({total * scale:.1f} M) at {NATIONAL_ASN / 1e6:.1f} M ASN"
            for year, trainings, total in years
        ),
        flush=True,
    )


# --------------------------------------------------------------------------- floors
def raw_tables(conn: psycopg.Connection, first: int, last: int) -> list[str]:
    names = [
        name
        for (name,) in conn.execute(
            "select table_name from information_schema.tables where table_schema = 'raw'"
            " and table_type = 'BASE TABLE' order by 1"
        )
    ]
    return [
        name
        for name in names
        if conn.execute(
            sql.SQL("select 1 from raw.{} where _batch_id between %s and %s limit 1").format(
                sql.Identifier(name)
            ),
            (first, last),
        ).fetchone()
    ]


def copy_floor(target: WarehouseTarget, stage: Stage, work: Path) -> float:
    """Seconds `psql \\copy` takes to load the stage's raw rows from files, table by table."""
    first, last = stage.batches
    seconds = 0.0
    with psycopg.connect(target.conninfo, autocommit=True) as conn:
        conn.execute("create schema if not exists bench_floor")
        for name in raw_tables(conn, first, last):
            data = work / f"{name}.tsv"
            export = (
                f"\\copy (select * from raw.{name} where _batch_id between {first}"
                f" and {last}) to '{data}'"
            )
            subprocess.run([PSQL, target.conninfo, "-qc", export], check=True)
            conn.execute(f"drop table if exists bench_floor.{name}")
            conn.execute(f"create table bench_floor.{name} (like raw.{name})")
            started = time.perf_counter()
            copy = f"\\copy bench_floor.{name} from '{data}'"
            subprocess.run([PSQL, target.conninfo, "-qc", copy], check=True)
            seconds += time.perf_counter() - started
            data.unlink()
    return seconds


def staging_sql(dbt_target: Path) -> dict[str, str]:
    """Each staging model's compiled select, as the last full-refresh build compiled it."""
    return {
        path.stem: path.read_text()
        for path in sorted((dbt_target / "compiled").rglob("models/staging/**/stg_*.sql"))
    }


def ctas_floor(target: WarehouseTarget, compiled: dict[str, str], first: int, last: int) -> float:
    """Seconds of one `create table ... as select` per staging model over the same raw rows."""
    raw_ref = re.compile(r'(?:"[^"]+"\.)?"raw"\."(\w+)"')
    seconds = 0.0
    with psycopg.connect(target.conninfo, autocommit=True) as conn:
        conn.execute("create schema if not exists bench_floor")
        conn.execute("set jit = off")
        conn.execute("set work_mem = '64MB'")  # as dbt's sessions (sinergi.transform.dbt)
        conn.execute(f"set sinergi.nip_hmac_key = '{HMAC_KEY}'")
        for name, select in compiled.items():
            body = raw_ref.sub(
                lambda m: (
                    f'(select * from raw."{m[1]}" where _batch_id between {first}'
                    f' and {last}) as "{m[1]}"'
                ),
                select,
            )
            conn.execute(f"drop table if exists bench_floor.{name}")
            started = time.perf_counter()
            conn.execute(f"create table bench_floor.{name} as {body}")  # type: ignore[arg-type]
            seconds += time.perf_counter() - started
    return seconds


# --------------------------------------------------------------------------- output
def show(stage: Stage) -> None:
    rate = f"{stage.rows / stage.seconds:>9,.0f} rows/s" if stage.rows else " " * 16
    floor = ""
    if stage.floor_s:
        kind = "CTAS floor" if "dbt" in stage.name else "\\copy"
        floor = f"  {stage.seconds / stage.floor_s:5.1f}x {kind} ({stage.floor_s:.1f} s)"
    notes = "".join(f"  [{n}]" for n in stage.notes if n)
    print(
        f"{stage.name:<30} {stage.seconds:8.1f} s {stage.rows:>11,} rows {rate}"
        f" peak {stage.peak_rss_mb:6.0f} MB{floor}{notes}",
        flush=True,
    )


def check_disk(target: WarehouseTarget, asn: int) -> None:
    """Stop before the world is generated when the server's disk cannot hold the warehouse.

    A national warehouse needs about 120 GB: finding that out an hour into
    the full run, at the disk's end, costs the hour. The data directory is
    known only on a local server (and to a superuser); elsewhere, say so.
    """
    needed = asn * WAREHOUSE_BYTES_PER_ASN
    with psycopg.connect(target.conninfo) as conn:
        try:
            row = conn.execute("show data_directory").fetchone()
        except psycopg.Error:
            row = None
    data_directory = Path(row[0]) if row else None
    if data_directory is None or not data_directory.exists():
        print(f"disk: the warehouse will need about {needed / 1e9:.0f} GB; not checked", flush=True)
        return
    free = shutil.disk_usage(data_directory).free
    print(
        f"disk: the warehouse will need about {needed / 1e9:.0f} GB"
        f" ({WAREHOUSE_BYTES_PER_ASN / 1000:.0f} KB per ASN), {free / 1e9:.0f} GB free"
        f" under {data_directory}",
        flush=True,
    )
    if needed > free:
        sys.exit(f"bench-national: not enough disk for {asn:,} ASN (free some, or a smaller --asn)")


def warehouse_size(target: WarehouseTarget, asn: int, phase: str) -> None:
    """The warehouse's size on disk by schema, and per ASN (what a larger world will need)."""
    with psycopg.connect(target.conninfo) as conn:
        schemas = conn.execute(
            "select n.nspname, sum(pg_total_relation_size(c.oid))::bigint from pg_class c"
            " join pg_namespace n on n.oid = c.relnamespace where c.relkind in ('r', 'm')"
            " and n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')"
            " group by 1 order by 2 desc"
        ).fetchall()
        [(total,)] = conn.execute("select pg_database_size(current_database())").fetchall()
    parts = ", ".join(f"{name} {size / 1e6:,.0f} MB" for name, size in schemas)
    print(
        f"  warehouse after {phase}: {total / 1e9:.2f} GB, {total / asn / 1000:.1f} KB per ASN"
        f" ({parts})",
        flush=True,
    )


def machine(target: WarehouseTarget) -> None:
    import dbt.version

    memory = next(
        line
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    print(
        f"machine: {os.cpu_count()} CPUs, {int(memory.split()[1]) / 1024**2:.1f} GB RAM,"
        f" {platform.platform()}, Python {platform.python_version()},"
        f" dbt-core {dbt.version.__version__}, {load()}"
    )
    with psycopg.connect(target.conninfo) as conn:
        values = [
            f"{name}={conn.execute(f'show {name}').fetchone()[0]}"  # type: ignore[index]
            for name in PG_SETTINGS
        ]
    print("postgresql: " + " ".join(values) + " (dbt sessions: jit=off work_mem=64MB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--asn", type=int, default=NATIONAL_ASN, help="world size (ASN)")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    parser.add_argument("--stage-timeout", type=float, help="stop a command after this many s")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--clock", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.asn, args.clock)
        return

    STAGE_TIMEOUT[0] = args.stage_timeout
    check_disk(resolve_target(), args.asn)
    world = cached_world(args.asn)
    print(
        f"world: {args.asn:,} ASN, seed {SEED}: {world['base_files']:,} files to {FULL_CLOCK},"
        f" {world['day_files']:,} more the next day (generated once in"
        f" {world['generate_s']:.0f} s, cached in {cache_dir(args.asn)})",
        flush=True,
    )
    target = fresh_database(resolve_target())
    machine(target)
    work = Path(tempfile.mkdtemp(prefix="bench-national-", dir=cache_dir(args.asn)))
    dbt_target = work / "dbt-target"
    simulator = Simulator(args.asn, FULL_CLOCK)
    try:
        env = {
            **os.environ,
            **simulator.env,
            "SINERGI_WAREHOUSE_URL": target.url,
            "SINERGI_NIP_HMAC_KEY": HMAC_KEY,
            "DBT_TARGET_PATH": str(dbt_target),
            "DBT_LOG_PATH": str(work / "dbt-logs"),
            "SINERGI_REPORTS_DIR": str(work / "reports"),
        }
        landing = work / "landing"
        link_files(cache_dir(args.asn) / "base", landing)
        full = run_pipeline("full", env, target, landing, simulator)
        warehouse_size(target, args.asn, "the full night")
        compiled = staging_sql(dbt_target)
        simulator.set_clock(DAY_CLOCK)
        link_files(cache_dir(args.asn) / "day", landing)
        day = run_pipeline("incremental", env, target, landing, simulator)
        warehouse_size(target, args.asn, "the incremental day")
        simulator_peak = simulator.peak_rss_mb()
        print(f"floors (after the runs, not timed in them) {load()}", flush=True)
        for stages in (full, day):
            for stage in stages[:2]:
                stage.floor_s = copy_floor(target, stage, work)
            stages[2].floor_s = ctas_floor(target, compiled, *stages[2].batches)
    finally:
        simulator.stop()
        if not args.keep:
            drop_database(target)
        shutil.rmtree(work, ignore_errors=True)

    print(f"\n{args.asn:,} ASN, {load()}")
    for stage in full + day:
        show(stage)
    full_s = sum(s.seconds for s in full)
    day_s = sum(s.seconds for s in day)
    peak = max(s.peak_rss_mb for s in full + day)
    print(f"simulator (not Sinergi): peak RSS {simulator_peak:.0f} MB")
    stopped = any("STOPPED" in note for stage in full + day for note in stage.notes)
    if stopped:
        print(f"a stage was STOPPED at --stage-timeout {args.stage_timeout:.0f} s: lower bounds")
    for name, value in (("full_s", full_s), ("incremental_s", day_s), ("peak_rss_mb", peak)):
        verdict = "MISSES" if value >= TARGETS[name] else "unknown" if stopped else "meets"
        print(f"{name:<14} {value:8.1f}  target < {TARGETS[name]:.0f}: {verdict}")
    print(f"full_s={full_s:.0f} incremental_s={day_s:.0f} peak_rss_mb={peak:.0f}")


if __name__ == "__main__":
    main()
