"""What started a DAG run, read from the task context Airflow's task runner builds.

The context is made of Airflow's own Task SDK models (the DagRun and asset event
references the runner receives from the API server), not stand-ins.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from airflow.sdk.api.datamodels._generated import (
    AssetAliasReferenceAssetEventDagRun,
    AssetReferenceAssetEventDagRun,
    DagRun,
    DagRunState,
    DagRunType,
)
from airflow.sdk.execution_time.comms import AssetEventDagRunReferenceResult
from airflow.sdk.execution_time.context import TriggeringAssetEventsAccessor

from sinergi.orchestration.ingest_tasks import run_trigger

DUE = datetime(2026, 11, 28, 18, 0, tzinfo=UTC)  # 01:00 WIB
STARTED = DUE + timedelta(seconds=3)
EVENTS_URI = "sinergi://events/siasn"


def dag_run(run_type: DagRunType, **dates: datetime | None) -> DagRun:
    return DagRun(
        dag_id="ingest_siasn",
        run_id=f"{run_type.value}__2026-11-28T18:00:00+00:00",
        logical_date=dates.get("logical_date"),
        data_interval_start=None,
        data_interval_end=None,
        run_after=dates.get("run_after") or DUE,
        start_date=dates.get("start_date", STARTED),
        end_date=None,
        run_type=run_type,
        state=DagRunState.RUNNING,
        consumed_asset_events=[],
        partition_key=None,
    )


def asset_event(
    uri: str, at: datetime, extra: dict[str, Any], aliases: tuple[str, ...] = ()
) -> AssetEventDagRunReferenceResult:
    return AssetEventDagRunReferenceResult(
        asset=AssetReferenceAssetEventDagRun(name=uri.rsplit("/", 1)[-1], uri=uri, extra={}),
        extra=extra,
        source_task_id=None,
        source_dag_id=None,
        source_run_id=None,
        source_map_index=None,
        source_aliases=[AssetAliasReferenceAssetEventDagRun(name=name) for name in aliases],
        timestamp=at,
    )


def context(run: DagRun, *events: AssetEventDagRunReferenceResult) -> dict[str, Any]:
    return {"dag_run": run, "triggering_asset_events": TriggeringAssetEventsAccessor.build(events)}


def test_a_pushed_event_gives_kind_event_at_its_time_with_its_extra() -> None:
    pushed = DUE - timedelta(seconds=1)
    run = dag_run(DagRunType.ASSET_TRIGGERED)
    trigger = run_trigger(context(run, asset_event(EVENTS_URI, pushed, {"entities": ["asn"]})))
    assert trigger.as_json() == {
        "kind": "event",
        "at": pushed.isoformat(),
        "asset": EVENTS_URI,
        "dag_id": "ingest_siasn",
        "run_id": run.run_id,
        "extra": {"entities": ["asn"]},
    }


def test_several_events_give_the_earliest_each_listed_once() -> None:
    first, second = DUE - timedelta(seconds=2), DUE - timedelta(seconds=1)
    events = (
        asset_event(EVENTS_URI, second, {"n": 2}, aliases=("siasn_alias",)),  # listed twice
        asset_event(EVENTS_URI, first, {"n": 1}),
    )
    document = run_trigger(context(dag_run(DagRunType.ASSET_TRIGGERED), *events)).as_json()
    assert document["at"] == first.isoformat()
    assert document["extra"] == {
        "count": 2,
        "events": [
            {"asset": EVENTS_URI, "at": first.isoformat(), "extra": {"n": 1}},
            {"asset": EVENTS_URI, "at": second.isoformat(), "extra": {"n": 2}},
        ],
    }


def test_the_landing_watchers_event_gives_kind_file() -> None:
    dropped = DUE - timedelta(seconds=2)
    claimed = {"claimed": ["/srv/landing/.claimed/35/2024-07/peserta.csv"]}
    run = dag_run(DagRunType.ASSET_TRIGGERED)
    trigger = run_trigger(context(run, asset_event("file:///srv/landing", dropped, claimed)))
    assert trigger.as_json()["kind"] == "file"
    assert (trigger.at, trigger.asset, trigger.extra) == (
        dropped,
        "file:///srv/landing",
        claimed,
    )


def test_schedule_manual_and_backfill_runs() -> None:
    scheduled = run_trigger(context(dag_run(DagRunType.SCHEDULED, logical_date=DUE)))
    assert (scheduled.kind, scheduled.at, scheduled.asset) == ("schedule", DUE, None)

    asked = DUE + timedelta(hours=5)
    manual = run_trigger(context(dag_run(DagRunType.MANUAL, run_after=asked)))
    assert (manual.kind, manual.at) == ("manual", asked)

    day = DUE - timedelta(days=20)  # the historical day a backfill run re-reads
    backfill = run_trigger(context(dag_run(DagRunType.BACKFILL, logical_date=day, run_after=day)))
    assert (backfill.kind, backfill.at) == ("backfill", STARTED)
    assert backfill.as_json()["run_id"].startswith("backfill__")


def test_an_asset_run_whose_events_are_gone_still_records_event() -> None:
    trigger = run_trigger(context(dag_run(DagRunType.ASSET_TRIGGERED)))
    assert (trigger.kind, trigger.at, trigger.asset, trigger.extra) == ("event", DUE, None, {})
