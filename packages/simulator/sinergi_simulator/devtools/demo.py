"""`make demo`: the pipeline end to end, run by a real Airflow, on the embedded defaults.

1. The warehouse (embedded PostgreSQL unless `SINERGI_WAREHOUSE_URL`) is created
   or upgraded, and a simulated world is served over HTTP.
2. Airflow runs as local processes (`LocalAirflow`: API server, scheduler, DAG
   processor, triggerer; LocalExecutor; metadata in its own database), with the
   simulator's endpoints as the sources' Connections.
3. Data arrives as it would: regional files land in the landing zone (the
   file-drop DAG's watcher claims them) and each API source pushes an event
   through Airflow's REST API. Ingest runs load them; their raw Assets start
   the transform; its audit Asset starts quality-and-publish.
4. When the chain has settled: rows per published mart, checks, quarantined
   rows by reason, seconds from the first event to published marts.

Running it again is safe and publishes again: nothing new arrives, nothing new
is loaded. Airflow's, dbt's and GX's logs go to files whose paths are printed.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from psycopg import sql

from sinergi.ingestion.landing import landing_dir
from sinergi.ingestion.registry import load_registry
from sinergi.orchestration.airflow_api import AirflowApi
from sinergi.orchestration.airflow_home import api_url
from sinergi.orchestration.chain import RunSeen, wait_until_settled
from sinergi.orchestration.local_airflow import LocalAirflow
from sinergi.orchestration.notify import notify_rest
from sinergi.transform.dbt import HMAC_KEY_VARIABLE
from sinergi.warehouse.bootstrap import init_warehouse
from sinergi.warehouse.connection import URL_VARIABLE, WarehouseTarget, connect, resolve_target
from sinergi_simulator.api import start_simulator
from sinergi_simulator.devtools.pipeline import drop_files, simulator_connections

log = logging.getLogger(__name__)

DEMO_SEED = 2026
SCALES = {"province": 3000}  # ASN; 3,000 reach every one of the 38 provinces
# The marts' pseudonyms need a key; the demo's own is fine for simulated people.
DEMO_NIP_KEY = "sinergi-demo-key-not-for-real-data"
PIPELINE_DAGS = ("ingest_file_drops", "transform", "quality_publish", "open_data")


def scale_asn(scale: str) -> int:
    """ASN in the demo world: a named scale or a number."""
    if scale in SCALES:
        return SCALES[scale]
    if scale.isdigit() and int(scale) >= 100:
        return int(scale)
    raise ValueError(f"SCALE must be one of {sorted(SCALES)} or a number of ASN >= 100")


@dataclass
class DemoResult:
    runs: list[RunSeen] = field(default_factory=list)
    published: bool = False
    publish_status: str | None = None
    mart_rows: dict[str, int] = field(default_factory=dict)
    quality_lines: list[str] = field(default_factory=list)
    seconds_to_publish: float | None = None
    report_path: str | None = None  # the run report the last quality_publish run wrote


def api_dag_ids() -> list[str]:
    sources = load_registry().sources.values()
    return [f"ingest_{s.name}" for s in sources if s.kind != "file_drop"]


def mart_row_counts(target: WarehouseTarget) -> dict[str, int]:
    """Rows per published mart table (what analysts see)."""
    with connect(target) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "select table_name from information_schema.tables"
                " where table_schema = 'marts' order by table_name"
            )
        ]
        counts = {}
        for table in tables:
            query = sql.SQL("select count(*) from marts.{}").format(sql.Identifier(table))
            counts[table] = conn.execute(query).fetchone()[0]  # type: ignore[index]
        return counts


def last_publish(target: WarehouseTarget, since: datetime) -> tuple[str, datetime] | None:
    """Status and end of the latest publish attempt that finished after `since`."""
    with connect(target) as conn:
        row = conn.execute(
            "select status, finished_at from meta.publish_runs"
            " where finished_at >= %s order by publish_id desc limit 1",
            (since,),
        ).fetchone()
    return (str(row[0]), row[1]) if row else None


def run_details(api: AirflowApi, run: RunSeen) -> str:
    """What a finished run did, from its tasks' return values: rows, models, checks."""
    tasks = {ti["task_id"]: ti for ti in api.task_instances(run.dag_id, run.run_id)}
    failed = sorted(task for task, ti in tasks.items() if ti.get("state") == "failed")
    skipped = sorted(task for task, ti in tasks.items() if ti.get("state") == "skipped")
    if run.dag_id.startswith("ingest_"):
        results = [api.task_result(run.dag_id, run.run_id, task) for task in tasks]
        loaded = sum(int(r.get("rows_loaded") or 0) for r in results if isinstance(r, dict))
        read = sum(int(r.get("rows_read") or 0) for r in results if isinstance(r, dict))
        detail = f"{loaded:,} of {read:,} rows loaded"
    elif run.dag_id == "transform":
        built = api.task_result(run.dag_id, run.run_id, "dbt_build") or {}
        detail = f"{built.get('models', 0)} models, {built.get('tests', 0)} tests" + (
            f" ({built['selection']})" if built.get("selection") else ""
        )
    elif run.dag_id == "quality_publish":
        parts = []
        for task in ("raw_contracts", "quarantine_and_reconcile", "mart_suites"):
            report = api.task_result(run.dag_id, run.run_id, task) or {}
            if report:
                checks, failed_checks = int(report["checks"]), int(report["failed"])
                parts.append(f"{report['step']} {checks - failed_checks}/{checks} passed")
        published = api.task_result(run.dag_id, run.run_id, "publish") or {}
        detail = ", ".join([*parts, f"publish {published.get('status', 'not done')}"])
    else:
        detail = ""
    if failed:
        detail += f"; failed: {', '.join(failed)}"
    if skipped and run.dag_id.startswith("ingest_"):
        detail += f"; skipped: {', '.join(skipped)}"
    return detail


def last_report_path(api: AirflowApi, runs: list[RunSeen]) -> str | None:
    """The report written by the last quality_publish run's `run_report` task, if it ran."""
    quality_runs = [run for run in runs if run.dag_id == "quality_publish"]
    if not quality_runs:
        return None
    last = max(quality_runs, key=lambda run: run.queued_at)
    path = api.task_result("quality_publish", last.run_id, "run_report")
    return str(path) if path else None


def describe_run(run: RunSeen, api: AirflowApi | None = None) -> str:
    """One line per run as it starts and ends (with what it did, when it ended)."""
    line = f"  {run.dag_id:<24} {run.run_type:<16} {run.state}"
    if run.seconds is not None:
        line += f" in {run.seconds:.0f} s"
        if api is not None:
            detail = run_details(api, run)
            line += f": {detail}" if detail else ""
    return line


def run_demo(
    seed: int = DEMO_SEED,
    asn: int = SCALES["province"],
    *,
    echo: Callable[[str], None] = print,
    airflow: LocalAirflow | None = None,
    hold: Callable[[LocalAirflow], None] | None = None,
) -> DemoResult:
    """Serve a world, start Airflow, push the data's events, wait for the published marts.

    `hold`, when given, is called while Airflow still runs (the CLI waits for
    Ctrl-C there); every process started here is stopped before returning.
    """
    from sinergi.quality.report import build_report, render

    airflow = airflow or LocalAirflow()
    airflow.refuse_if_running()  # one line naming the fix, before anything is touched
    os.environ.setdefault(HMAC_KEY_VARIABLE, DEMO_NIP_KEY)
    target = resolve_target()
    init_warehouse(target)
    kind = "configured" if os.environ.get(URL_VARIABLE) else "embedded"
    echo(f"warehouse: database {target.dbname} ({kind})")
    result = DemoResult()
    with start_simulator(seed=seed, asn=asn) as sim:
        echo(f"simulator: {asn:,} ASN (seed {seed}), 4 API sources and regional files")
        airflow.env = {
            **airflow.env,
            **simulator_connections(sim),
            HMAC_KEY_VARIABLE: os.environ[HMAC_KEY_VARIABLE],
            **({URL_VARIABLE: os.environ[URL_VARIABLE]} if os.environ.get(URL_VARIABLE) else {}),
        }
        started = time.monotonic()
        echo("airflow: starting API server, scheduler, DAG processor, triggerer")
        echo(f"airflow: logs in {airflow.log_dir}")
        try:
            airflow.start(wait_for_dags=[*api_dag_ids(), *PIPELINE_DAGS])
            echo(f"airflow: ready in {time.monotonic() - started:.0f} s")
            api = AirflowApi(api_url(), airflow.home)
            first_event = datetime.now(UTC)
            dropped = drop_files(sim.sources, landing_dir())
            for source in load_registry().sources.values():
                if source.kind != "file_drop":
                    notify_rest(source.name, api=api)
            echo(f"events: {dropped} regional files dropped, {len(api_dag_ids())} sources notified")
            runs = wait_until_settled(
                api, first_event, on_change=lambda run: echo(describe_run(run, api))
            )
            result.runs = runs
            publish = last_publish(target, first_event)
            if publish:
                result.publish_status = publish[0]
                result.published = publish[0] == "published"
                result.seconds_to_publish = (publish[1] - first_event).total_seconds()
            result.mart_rows = mart_row_counts(target)
            with connect(target) as conn:
                result.quality_lines = render(build_report(conn))
            result.report_path = last_report_path(api, runs)
            if hold:
                hold(airflow)
        finally:
            airflow.stop()
    return result
