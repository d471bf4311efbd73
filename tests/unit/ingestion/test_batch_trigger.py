"""A batch's trigger document: its shape, the default outside Airflow, and small extras."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta, timezone

import pytest

from sinergi.ingestion.batch_trigger import (
    EXTRA_LIMIT,
    BatchTrigger,
    TriggeringEvent,
    batch_trigger,
    current_trigger,
    event_trigger,
    small_extra,
)

AT = datetime(2026, 11, 29, 3, 0, tzinfo=UTC)


def test_the_document_has_every_field_and_a_utc_time() -> None:
    wib = timezone(timedelta(hours=7))
    trigger = BatchTrigger(
        kind="schedule", at=AT.astimezone(wib), dag_id="ingest_siasn", run_id="scheduled__x"
    )
    assert trigger.as_json() == {
        "kind": "schedule",
        "at": "2026-11-29T03:00:00+00:00",
        "asset": None,
        "dag_id": "ingest_siasn",
        "run_id": "scheduled__x",
        "extra": {},
    }


def test_a_kind_outside_the_contract_or_a_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="not one of"):
        BatchTrigger(kind="cron", at=AT)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="time zone"):
        BatchTrigger(kind="cli", at=datetime(2026, 11, 29))


def test_nothing_set_means_cli_now_and_the_block_sets_and_unwinds() -> None:
    before = datetime.now(UTC)
    default = current_trigger()
    assert default.kind == "cli" and before <= default.at <= datetime.now(UTC)
    assert default.asset is default.dag_id is default.run_id is None

    event = BatchTrigger(kind="event", at=AT, asset="sinergi://events/siasn")
    with batch_trigger(event):
        assert current_trigger() is event
        seen: list[BatchTrigger] = []
        thread = threading.Thread(target=lambda: seen.append(current_trigger()))
        thread.start()
        thread.join()
        assert seen[0].kind == "cli", "a new thread starts with nothing set"
    assert current_trigger().kind == "cli"


def test_several_events_give_the_earliest_and_a_capped_list() -> None:
    events = [
        TriggeringEvent("sinergi://events/siasn", AT + timedelta(seconds=n), {"n": n})
        for n in range(25, 0, -1)
    ]
    trigger = event_trigger(events, kind="event", dag_id="ingest_siasn", run_id="r")
    document = trigger.as_json()
    assert document["at"] == (AT + timedelta(seconds=1)).isoformat()
    assert document["asset"] == "sinergi://events/siasn"
    assert document["extra"]["count"] == 25
    assert document["extra"]["events"][0] == {
        "asset": "sinergi://events/siasn",
        "at": (AT + timedelta(seconds=1)).isoformat(),
        "extra": {"n": 1},
    }
    assert len(json.dumps(document["extra"])) <= EXTRA_LIMIT


def test_one_event_keeps_its_extra() -> None:
    extra = {"claimed": ["/landing/.claimed/35/2024-07/a.csv"]}
    trigger = event_trigger([TriggeringEvent("file:///landing", AT, extra)], kind="file")
    assert trigger.as_json()["extra"] == extra


def test_a_large_extra_is_cut_to_its_limit() -> None:
    claimed = {"claimed": [f"/landing/.claimed/35/2024-07/file-{n:04}.csv" for n in range(500)]}
    small = small_extra(claimed, EXTRA_LIMIT)
    assert small["claimed"][:2] == claimed["claimed"][:2]
    assert small["claimed"][-1] == "… 495 more"

    huge = {f"key{n}": "x" * 300 for n in range(100)}
    assert small_extra(huge, EXTRA_LIMIT)["truncated"] is True
    assert len(json.dumps(small_extra(huge, 60))) <= 60
    assert small_extra(None, EXTRA_LIMIT) == {}
