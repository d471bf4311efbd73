"""Days of data, as the nightly schedule cuts them: the one definition.

Day D of data is the source time [D 01:00 WIB, D+1 01:00 WIB): what the
nightly run at 01:00 WIB on D+1 reads. `sinergi ingest --from --to` and
`sinergi backfill` (one Airflow run per day) both read these windows, so
the two load the same rows.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WIB = ZoneInfo("Asia/Jakarta")
# The nightly run's time of day, as in dag_defaults.NIGHTLY_WIB ("0 1 * * *", WIB): a
# unit test holds the two together (dag_defaults imports Airflow, too slow for the CLI).
NIGHTLY_RUN_AT = time(1, 0)
_DAY = timedelta(days=1)


def day_start(day: date) -> datetime:
    """Where day D of data starts: D at the nightly run time, in WIB."""
    return datetime.combine(day, NIGHTLY_RUN_AT, tzinfo=WIB)


def days_window(first: date, last: date) -> tuple[datetime, datetime]:
    """The source time of the data days `first`..`last`, both inclusive: [start, end)."""
    if last < first:
        raise ValueError(f"--to {last} is before --from {first}")
    return day_start(first), day_start(last + _DAY)


def day_of(moment: datetime) -> date:
    """The data day a moment belongs to, e.g. a run's logical date (its interval start)."""
    run_at = timedelta(hours=NIGHTLY_RUN_AT.hour, minutes=NIGHTLY_RUN_AT.minute)
    local = datetime.fromtimestamp(moment.timestamp(), WIB)  # also for pendulum's datetimes
    return (local - run_at).date()
