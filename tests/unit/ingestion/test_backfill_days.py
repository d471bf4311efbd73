"""`sinergi backfill` and `sinergi ingest --from --to` cover the same days as Airflow's runs.

Airflow's own timetable code (the ingest DAGs' nightly timetable, as the
scheduler deserialises it) decides which runs a backfill request creates and
what each run's data interval is; these tests hold `days_window` and
`backfill_body` to it.
"""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta

import pytest

from sinergi.ingestion.data_days import NIGHTLY_RUN_AT, WIB, day_of, day_start, days_window
from sinergi.orchestration.backfill import backfill_body


def _airflow_runs(body: dict) -> list[tuple[datetime, datetime]]:
    """The data intervals of the runs Airflow's backfill creates for `body` (as
    `SerializedDAG.iter_dagrun_infos_between` walks the timetable)."""
    from airflow.serialization.decoders import decode_timetable
    from airflow.serialization.encoders import encode_timetable
    from airflow.timetables.base import TimeRestriction

    from sinergi.orchestration.dag_defaults import nightly_timetable

    timetable = decode_timetable(encode_timetable(nightly_timetable()))
    earliest = datetime.fromisoformat(body["from_date"])
    latest = datetime.fromisoformat(body["to_date"])
    restriction = TimeRestriction(earliest, latest, catchup=True)
    runs, info = [], None
    while True:
        info = timetable.next_dagrun_info_v2(last_dagrun_info=info, restriction=restriction)
        if info is None:
            return runs
        assert info.data_interval is not None
        runs.append((info.data_interval.start, info.data_interval.end))


@pytest.mark.parametrize(
    ("first", "last"),
    [
        (date(2024, 3, 3), date(2024, 3, 5)),
        (date(2023, 6, 10), date(2023, 6, 10)),
        (date(2023, 12, 31), date(2024, 1, 1)),
    ],
)
def test_backfill_runs_are_the_days_asked_and_cover_the_ingest_window(
    first: date, last: date
) -> None:
    body = backfill_body("kemnaker_corpu", first, last, marker="m")
    runs = _airflow_runs(body)
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    assert runs == [(day_start(day), day_start(day + timedelta(days=1))) for day in days]
    assert [day_of(start) for start, _ in runs] == days
    # back to back, together exactly what `sinergi ingest --from --to` reads
    assert all(a[1] == b[0] for a, b in itertools.pairwise(runs))
    assert (runs[0][0], runs[-1][1]) == days_window(first, last)


def test_the_run_time_is_the_dags_schedule() -> None:
    from sinergi.orchestration.dag_defaults import NIGHTLY_WIB
    from sinergi.orchestration.dag_defaults import WIB as DAG_ZONE

    minute, hour = NIGHTLY_WIB.split()[:2]
    assert (int(hour), int(minute)) == (NIGHTLY_RUN_AT.hour, NIGHTLY_RUN_AT.minute)
    moment = datetime(2024, 7, 1, 12, 0, tzinfo=WIB)
    assert moment.utcoffset() == DAG_ZONE.utcoffset(moment) == timedelta(hours=7)


def test_backfill_body() -> None:
    body = backfill_body(
        "siasn", date(2024, 3, 3), date(2024, 3, 5), marker="abc", max_active_runs=3
    )
    assert body == {
        "dag_id": "ingest_siasn",
        "from_date": "2024-03-04T00:00:00+07:00",
        "to_date": "2024-03-07T00:00:00+07:00",
        "run_backwards": False,
        "dag_run_conf": {"sinergi_backfill": "abc"},
        "reprocess_behavior": "completed",
        "max_active_runs": 3,
    }
    with pytest.raises(ValueError, match="reprocess"):
        backfill_body("siasn", date(2024, 3, 3), date(2024, 3, 5), marker="m", reprocess="all")
