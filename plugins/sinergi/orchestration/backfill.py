"""`sinergi backfill SOURCE --from DAY --to DAY`: Airflow's backfill of `ingest_<SOURCE>`.

Days are days of data in Asia/Jakarta, both ends inclusive, as the nightly
schedule cuts them: the run at 01:00 WIB re-reads the day before it, so day D
is the source time [D 01:00 WIB, D+1 01:00 WIB), the data interval of the run
whose logical date is D 01:00 WIB (`sinergi.ingestion.data_days`);
`sinergi ingest SOURCE --from --to` reads exactly the union of the same days,
outside Airflow, so the two load the same rows.

The backfill itself is Airflow 3's (`POST /api/v2/backfills`), executed by the
running scheduler: one `backfill` run per day, each entity task re-reading its
run's data interval (`sinergi.ingestion.runner`, windowed read), the
watermark untouched. Before creating it, a dry run checks that Airflow would
run exactly the days asked (no more, none missing: a day is over at 01:00 WIB
the next day). The runs are told apart from any others by a marker in their
conf. This waits until every run ended, prints one line per run with its state
and rows loaded, and fails when any run failed.
"""

from __future__ import annotations

import json
import logging
import os
import time as clock
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any

import typer

from sinergi.ingestion.data_days import NIGHTLY_RUN_AT, WIB, day_of
from sinergi.orchestration.airflow_api import AirflowApi, AirflowApiError

log = logging.getLogger(__name__)

REPROCESS_CHOICES = ("none", "failed", "completed")
MARKER_KEY = "sinergi_backfill"
TERMINAL_STATES = ("success", "failed")
_DAY = timedelta(days=1)


class BackfillError(RuntimeError):
    """The backfill could not be created or followed; the message says why."""


def backfill_body(
    source: str,
    first: date,
    last: date,
    *,
    max_active_runs: int = 2,
    reprocess: str = "completed",
    marker: str,
) -> dict[str, Any]:
    """The body of `POST /api/v2/backfills` for the data days `first`..`last`.

    Airflow picks the runs whose run time (01:00 WIB the day after their data day)
    lies in [from_date, to_date], so the bounds are the midnights around those run
    times, which holds for any time of night the schedule uses.
    """
    if reprocess not in REPROCESS_CHOICES:
        raise ValueError(f"reprocess must be one of {REPROCESS_CHOICES}, not {reprocess!r}")
    if last < first:
        raise ValueError(f"--to {last} is before --from {first}")
    return {
        "dag_id": dag_id(source),
        "from_date": datetime.combine(first + _DAY, time(0), tzinfo=WIB).isoformat(),
        "to_date": datetime.combine(last + 2 * _DAY, time(0), tzinfo=WIB).isoformat(),
        "run_backwards": False,
        "dag_run_conf": {MARKER_KEY: marker},
        "reprocess_behavior": reprocess,
        "max_active_runs": max_active_runs,
    }


def dag_id(source: str) -> str:
    return f"ingest_{source}"


@dataclass(frozen=True)
class RunOutcome:
    """How one backfill run ended."""

    day: date
    run_id: str
    state: str
    rows_read: int = 0
    rows_loaded: int = 0
    failed_tasks: list[str] = field(default_factory=list)

    def line(self) -> str:
        text = (
            f"{self.day.isoformat()}  {self.state:<7}  {self.rows_loaded} rows loaded"
            f" ({self.rows_read} read)  {self.run_id}"
        )
        if self.failed_tasks:
            text += f"  failed: {', '.join(self.failed_tasks)}"
        return text


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _check_plan(api: AirflowApi, body: dict[str, Any], first: date, last: date) -> None:
    """Ask Airflow which runs the backfill would create; they must be exactly the days."""
    if api.request("GET", f"/dags/{body['dag_id']}").get("is_paused"):
        raise BackfillError(
            f"{body['dag_id']} is paused: Airflow starts no run of a paused DAG, backfill"
            " runs included. Unpause it first."
        )
    planned = api.request("POST", "/backfills/dry_run", json=body)["backfills"]
    days = {day_of(_time(item["logical_date"])) for item in planned if item.get("logical_date")}
    wanted = {first + n * _DAY for n in range((last - first).days + 1)}
    if days - wanted:
        raise BackfillError(
            f"Airflow would also run {sorted(map(str, days - wanted))}: has the schedule of"
            f" {body['dag_id']} changed from {NIGHTLY_RUN_AT:%H:%M} WIB daily?"
        )
    if wanted - days:
        raise BackfillError(
            f"Airflow would not run {sorted(map(str, wanted - days))}: a day can be backfilled"
            f" once it is over ({NIGHTLY_RUN_AT:%H:%M} WIB the next day), and not while a run of"
            f" it is in flight (or has run, with --reprocess {body['reprocess_behavior']})."
        )


def _runs(api: AirflowApi, dag: str, marker: str) -> list[dict[str, Any]]:
    params = {"conf_contains": marker, "limit": 1000, "order_by": "logical_date"}
    return list(api.request("GET", f"/dags/{dag}/dagRuns", params=params)["dag_runs"])


def _xcom(api: AirflowApi, dag: str, run_id: str, task_id: str) -> Any:
    path = f"/dags/{dag}/dagRuns/{run_id}/taskInstances/{task_id}/xcomEntries/return_value"
    try:
        value = api.request("GET", path)["value"]
    except AirflowApiError:
        return None  # a task that returned nothing (skipped, failed)
    return json.loads(value) if isinstance(value, str) else value


def outcome(api: AirflowApi, run: dict[str, Any]) -> RunOutcome:
    """A finished run's state and the rows its entity tasks read and loaded."""
    dag, run_id = run["dag_id"], run["dag_run_id"]
    read = loaded = 0
    failed = []
    for task in api.task_instances(dag, run_id):
        if task["state"] in ("failed", "upstream_failed"):
            failed.append(task["task_id"])
        if task["task_id"].startswith("load_") and task["state"] == "success":
            summary = _xcom(api, dag, run_id, task["task_id"])
            if isinstance(summary, dict):
                read += int(summary.get("rows_read") or 0)
                loaded += int(summary.get("rows_loaded") or 0)
    return RunOutcome(
        day=day_of(_time(run["logical_date"])),
        run_id=run_id,
        state=run["state"],
        rows_read=read,
        rows_loaded=loaded,
        failed_tasks=sorted(failed),
    )


def run_backfill(
    source: str,
    first: date,
    last: date,
    *,
    api: AirflowApi,
    max_active_runs: int = 2,
    reprocess: str = "completed",
    timeout: float = 3600.0,
    poll: float = 2.0,
    on_run: Callable[[RunOutcome], None] | None = None,
) -> list[RunOutcome]:
    """Create the backfill, wait until every run of it ended; the outcomes by day.

    `on_run` is called as each run ends. Raises BackfillError when Airflow refuses the
    backfill and TimeoutError when runs are still going after `timeout` seconds.
    """
    from sinergi.ingestion.registry import load_registry

    if load_registry().source(source).kind == "file_drop":
        raise BackfillError(f"{source} is a file drop: its DAG has no nightly days to backfill")
    marker = uuid.uuid4().hex
    body = backfill_body(
        source, first, last, max_active_runs=max_active_runs, reprocess=reprocess, marker=marker
    )
    _check_plan(api, body, first, last)
    created = api.request("POST", "/backfills", json=body)
    log.info("backfill %s of %s created: %s .. %s", created["id"], body["dag_id"], first, last)
    deadline = clock.monotonic() + timeout
    ended: dict[str, RunOutcome] = {}
    while True:
        runs = _runs(api, body["dag_id"], marker)
        for run in runs:
            if run["state"] in TERMINAL_STATES and run["dag_run_id"] not in ended:
                ended[run["dag_run_id"]] = outcome(api, run)
                if on_run:
                    on_run(ended[run["dag_run_id"]])
        backfill = api.request("GET", f"/backfills/{created['id']}")
        if backfill.get("completed_at") and runs and len(ended) == len(runs):
            return sorted(ended.values(), key=lambda item: item.day)
        if clock.monotonic() > deadline:
            raise TimeoutError(
                f"backfill {created['id']} of {body['dag_id']}: {len(runs) - len(ended)} of"
                f" {len(runs)} runs still going after {timeout:.0f} s (it goes on in Airflow)"
            )
        clock.sleep(poll)


def backfill(
    source: Annotated[
        str, typer.Argument(help="An API source of sources.yml, e.g. kemnaker_corpu.")
    ],
    first: Annotated[
        datetime,
        typer.Option("--from", formats=["%Y-%m-%d"], help="First day of data (Asia/Jakarta)."),
    ],
    last: Annotated[
        datetime,
        typer.Option(
            "--to", formats=["%Y-%m-%d"], help="Last day of data, inclusive (Asia/Jakarta)."
        ),
    ],
    max_active_runs: Annotated[
        int, typer.Option("--max-active-runs", help="Days run at once.")
    ] = 2,
    reprocess: Annotated[
        str,
        typer.Option(
            "--reprocess",
            help="Days that already have a run: re-run none, the failed, or all completed.",
        ),
    ] = "completed",
    timeout: Annotated[
        float, typer.Option("--timeout", help="Seconds to wait for the runs.")
    ] = 3600.0,
) -> None:
    """Re-read SOURCE's days FROM..TO through Airflow's backfill, under the running scheduler.

    Day D is the source time from D 01:00 to D+1 01:00 WIB, what the nightly run of
    D+1 reads; `sinergi ingest SOURCE --from --to` reads the same outside Airflow. Prints
    one line per day's run (state, rows loaded); exits 1 when a run failed, 2 when the
    backfill could not be created or followed. Airflow: SINERGI_AIRFLOW_API_URL (default
    the local one), SINERGI_AIRFLOW_USER / SINERGI_AIRFLOW_PASSWORD (default the local admin).
    """
    from sinergi.orchestration.airflow_home import api_url

    api = AirflowApi(os.environ.get("SINERGI_AIRFLOW_API_URL") or api_url())
    try:
        outcomes = run_backfill(
            source,
            first.date(),
            last.date(),
            api=api,
            max_active_runs=max_active_runs,
            reprocess=reprocess,
            timeout=timeout,
            on_run=lambda run: typer.echo(run.line()),
        )
    except (BackfillError, AirflowApiError, TimeoutError, KeyError, ValueError, OSError) as error:
        typer.echo(f"backfill {source} failed: {error}", err=True)
        raise typer.Exit(2) from None
    failed = [run for run in outcomes if run.state != "success"]
    loaded = sum(run.rows_loaded for run in outcomes)
    typer.echo(
        f"backfill {source} {first:%Y-%m-%d}..{last:%Y-%m-%d}: {len(outcomes)} runs,"
        f" {len(failed)} failed, {loaded} rows loaded"
    )
    if failed:
        raise typer.Exit(1)
