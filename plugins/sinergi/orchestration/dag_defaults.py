"""Settings every Sinergi DAG shares, so owner, retries and start date agree."""

from __future__ import annotations

from datetime import timedelta

import pendulum

from sinergi.alerts import task_failure_callback

OWNER = "sinergi-data-engineering"
START_DATE = pendulum.datetime(2026, 1, 1, tz="UTC")
NIGHTLY_WIB = "0 1 * * *"  # 01:00 Asia/Jakarta, with the DAG's timezone set to WIB
WIB = pendulum.timezone("Asia/Jakarta")

DEFAULT_ARGS: dict[str, object] = {
    "owner": OWNER,
    "retries": 2,
    "retry_delay": timedelta(seconds=30),
    "retry_exponential_backoff": True,
    "max_retry_delay": timedelta(minutes=10),
    # Logs, records in meta.alerts and posts to the alerts webhook when configured.
    "on_failure_callback": task_failure_callback,
}
