"""Windowed (backfill) reads: bounds in each source's form, and which records a window keeps."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest

from sinergi.ingestion.paginators import Page
from sinergi.ingestion.raw_json import RawJson
from sinergi.ingestion.raw_loader import Batch, QuarantinedRecord, record_hash
from sinergi.ingestion.registry import Entity, Incremental
from sinergi.ingestion.runner import (
    Window,
    _load_pages,
    counts_in_epoch_ms,
    source_instant,
    source_time,
)

WIB = timezone(timedelta(hours=7))
# 2024-03-03 01:00 WIB, the start of data day 2024-03-03
START = datetime(2024, 3, 2, 18, 0, tzinfo=UTC)
START_MS = 1709402400000


def _entity(field: str = "modified_at", param: str = "modified_after") -> Entity:
    return Entity(
        source="bpsdm_kemendagri",
        name="participations",
        primary_key="partisipasi_id",
        path="/api/v1/participations",
        incremental=Incremental(field=field, param=param),
    )


# --- bounds in the source's own form --------------------------------------------------


def test_source_time_writes_epoch_ms_or_iso_utc_with_milliseconds() -> None:
    assert source_time(START, epoch_ms=True) == str(START_MS)
    assert source_time(START, epoch_ms=False) == "2024-03-02T18:00:00.000Z"
    # a zone other than UTC is converted, not dropped
    assert source_time(START.astimezone(WIB), epoch_ms=False) == "2024-03-02T18:00:00.000Z"
    # the millisecond before the start, as a window's first request sends it
    before = START - timedelta(milliseconds=1)
    assert source_time(before, epoch_ms=True) == str(START_MS - 1)
    assert source_time(before, epoch_ms=False) == "2024-03-02T17:59:59.999Z"


def test_source_time_and_source_instant_round_trip() -> None:
    moment = datetime(2023, 7, 14, 5, 6, 7, 891000, tzinfo=UTC)
    for epoch_ms in (True, False):
        assert source_instant(source_time(moment, epoch_ms=epoch_ms)) == moment


def test_epoch_ms_is_told_by_the_stored_watermark_then_by_the_parameter_name() -> None:
    corpu = _entity("completed_at", "updated_since_ms")
    kemendagri = _entity()
    assert counts_in_epoch_ms(kemendagri, "1709402400000")
    assert not counts_in_epoch_ms(corpu, "2024-03-02T18:00:00.000Z")
    assert counts_in_epoch_ms(corpu, None)
    assert not counts_in_epoch_ms(kemendagri, None)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (START_MS, START),
        (float(START_MS), START),
        (str(START_MS), START),
        ("2024-03-02T18:00:00.000Z", START),
        ("2024-03-02T18:00:00Z", START),
        ("2024-03-03T01:00:00+07:00", START),
        ("2024-03-02T18:00:00", START),  # no zone: UTC, as everywhere in the contract
        ("2024-03-02T18:00:00.001Z", START + timedelta(milliseconds=1)),
        (None, None),
        (True, None),
        ("kemarin", None),
        ({"ts": 1}, None),
    ],
)
def test_source_instant(value: Any, expected: datetime | None) -> None:
    assert source_instant(value) == expected


# --- the window ------------------------------------------------------------------------


def test_a_window_holds_its_start_and_not_its_end() -> None:
    window = Window(START, START + timedelta(days=1))
    end_ms = START_MS + 86_400_000
    assert window.holds(START_MS) and window.holds("2024-03-02T18:00:00.000Z")
    assert not window.holds(START_MS - 1) and not window.holds("2024-03-02T17:59:59.999Z")
    assert window.holds(end_ms - 1) and window.holds("2024-03-03T17:59:59.999Z")
    assert not window.holds(end_ms) and not window.holds("2024-03-03T18:00:00.000Z")
    assert not window.holds(None) and not window.holds("not a time")
    assert window.is_past(end_ms) and not window.is_past(end_ms - 1)


def test_a_window_from_an_airflow_data_interval() -> None:
    window = Window.of(("2024-03-02T18:00:00+00:00", "2024-03-03T18:00:00+00:00"))
    assert window == Window(START, START + timedelta(days=1))
    assert Window.of(("2024-03-02T18:00:00", "2024-03-03T18:00:00")) == window  # naive: UTC


def test_a_window_refuses_naive_or_empty_bounds() -> None:
    with pytest.raises(ValueError, match="time zone"):
        Window(START.replace(tzinfo=None), START + timedelta(days=1))
    with pytest.raises(ValueError, match="empty window"):
        Window(START, START)


# --- which records a windowed read keeps -------------------------------------------------


class _RecordingBatch(Batch):
    """A batch whose COPY and quarantine are lists (no database)."""

    def __init__(self) -> None:
        super().__init__(conn=None, batch_id=7, source="s", entity="e", table="s__e")  # type: ignore[arg-type]
        self.lines: list[bytes] = []
        self.refused: list[QuarantinedRecord] = []

    @contextmanager
    def copy(self) -> Iterator[Any]:  # type: ignore[override]
        lines = self.lines

        class _Copy:
            def write(self, data: bytes) -> None:
                lines.extend(data.splitlines())

        yield _Copy()

    def quarantine(self, records: Any) -> int:
        records = list(records)
        self.refused += records
        self.rows_quarantined += len(records)
        return len(records)


def _page(records: list[Any]) -> Page:
    content = json.dumps(records, separators=(",", ":")).encode()
    items = RawJson.parse(content).items()
    assert items is not None
    return Page(content, content, items, datetime(2026, 1, 1, tzinfo=UTC))


def _record(key: str, stamp: str, hasil: str = "lulus") -> dict[str, Any]:
    return {"partisipasi_id": key, "hasil": hasil, "modified_at": stamp}


def _keys(batch: _RecordingBatch) -> list[str]:
    return [json.loads(line.split(b"\t")[5])["partisipasi_id"] for line in batch.lines]


def test_a_windowed_read_keeps_the_window_skips_what_is_loaded_and_stops_past_the_end() -> None:
    window = Window(START, START + timedelta(days=1))
    loaded_before = _record("P2", "2024-03-03T02:00:00.000Z")
    pages = [
        _page(
            [
                _record("P0", "2024-03-02T17:59:59.999Z"),  # the margin before the start
                _record("P1", "2024-03-02T18:00:00.000Z"),  # the start itself
                loaded_before,
                "not an object",  # no time: left to normal reads
                {"partisipasi_id": "P3"},  # no incremental value: likewise
            ]
        ),
        _page([_record("P4", "2024-03-03T17:00:00.000Z"), _record("P5", "2024-03-03T18:00:00Z")]),
        _page([_record("P6", "2024-03-04T00:00:00.000Z")]),  # wholly past the end: stop
        _page([_record("P7", "2024-03-03T12:00:00.000Z")]),  # never read
    ]
    seen = {("P2", record_hash(json.dumps(loaded_before, separators=(",", ":")).encode()))}
    batch = _RecordingBatch()
    advanced: list[int] = []

    _load_pages(batch, _entity(), iter(pages), seen, advanced.append, window)

    assert _keys(batch) == ["P1", "P4"]
    assert (batch.rows_read, batch.rows_loaded, batch.rows_quarantined) == (3, 2, 0)
    assert advanced == [5, 2, 1], "the page after the first one past the end was read"
    assert batch.watermark_to is None, "a windowed read moved the watermark"
    assert batch.refused == []


def test_a_windowed_read_of_epoch_millisecond_values() -> None:
    window = Window(START, START + timedelta(days=1))
    entity = Entity(
        source="kemnaker_corpu",
        name="completions",
        primary_key="completion_id",
        path="/api/v1/completions",
        incremental=Incremental(field="completed_at", param="updated_since_ms"),
    )
    stamps = [START_MS - 1, START_MS, START_MS + 86_399_999, START_MS + 86_400_000]
    records = [{"completion_id": f"C{n}", "completed_at": ms} for n, ms in enumerate(stamps)]
    batch = _RecordingBatch()
    _load_pages(batch, entity, iter([_page(records)]), set(), lambda _: None, window)
    assert [json.loads(line.split(b"\t")[5])["completion_id"] for line in batch.lines] == [
        "C1",
        "C2",
    ]
    assert batch.rows_read == 2


def test_a_normal_read_still_loads_everything_and_moves_the_watermark() -> None:
    batch = _RecordingBatch()
    pages = [_page([_record("P1", "2024-03-02T18:00:00.000Z"), "not an object"])]
    _load_pages(batch, _entity(), iter(pages), set(), lambda _: None)
    assert _keys(batch) == ["P1"]
    assert (batch.rows_read, batch.rows_loaded, batch.rows_quarantined) == (2, 1, 1)
    assert batch.watermark_to == "2024-03-02T18:00:00.000Z"


def test_window_days_are_whole_days_of_data_in_jakarta() -> None:
    from sinergi.ingestion.data_days import day_of, day_start, days_window

    start, end = days_window(date(2024, 3, 3), date(2024, 3, 5))
    assert start == datetime(2024, 3, 3, 1, 0, tzinfo=WIB) == START
    assert end == datetime(2024, 3, 6, 1, 0, tzinfo=WIB)
    assert days_window(date(2024, 3, 3), date(2024, 3, 3))[1] == START + timedelta(days=1)
    assert day_of(day_start(date(2024, 3, 3))) == date(2024, 3, 3)
    assert day_of(START + timedelta(hours=23, minutes=59)) == date(2024, 3, 3)
    with pytest.raises(ValueError, match="before"):
        days_window(date(2024, 3, 5), date(2024, 3, 3))
