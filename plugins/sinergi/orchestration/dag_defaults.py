"""Settings every Sinergi DAG shares, so owner, retries and schedules agree."""

from __future__ import annotations

import os
from datetime import timedelta

import pendulum
from airflow.sdk import CronTriggerTimetable

from sinergi.alerts import task_failure_callback

OWNER = "sinergi-data-engineering"
START_DATE = pendulum.datetime(2026, 1, 1, tz="UTC")
NIGHTLY_WIB = "0 1 * * *"  # 01:00 Asia/Jakarta, with the DAG's timezone set to WIB
WIB = pendulum.timezone("Asia/Jakarta")
# Tests of sources that fail for good set fewer retries (the default suits real networks).
RETRIES_VARIABLE = "SINERGI_TASK_RETRIES"

DEFAULT_ARGS: dict[str, object] = {
    "owner": OWNER,
    "retries": int(os.environ.get(RETRIES_VARIABLE) or 2),
    "retry_delay": timedelta(seconds=30),
    "retry_exponential_backoff": True,
    "max_retry_delay": timedelta(minutes=10),
    # Logs, records in meta.alerts and posts to the alerts webhook when configured.
    "on_failure_callback": task_failure_callback,
}


def nightly_timetable() -> CronTriggerTimetable:
    """01:00 WIB, each run covering the day before it (what a backfill run re-reads).

    The ingest DAGs have no start date on purpose, and `run_immediately` is a
    zero buffer: a new deployment waits for the next night instead of starting
    every source at once (Airflow's default would still start last night's run
    when it comes up within 2.4 h of 01:00). After downtime the latest missed
    night runs once, and pushed events pull at any time.
    """
    return CronTriggerTimetable(
        NIGHTLY_WIB, timezone=WIB, interval=timedelta(days=1), run_immediately=timedelta(0)
    )
