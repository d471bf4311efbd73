"""The watermark comparison: which incremental value is the latest, and whether it is
later than the stored watermark (text in `meta.watermarks`), for both kinds sources
send: ISO-8601 text and epoch milliseconds."""

from __future__ import annotations

from typing import Any

import pytest

from sinergi.ingestion.runner import _later, _latest, _typed

ISO = "2024-03-02T18:00:00.000Z"
MS = 1709402400000


@pytest.mark.parametrize(
    ("value", "than", "later"),
    [
        ("2024-03-02T18:00:00.001Z", ISO, True),
        (ISO, ISO, False),  # the same instant does not move the watermark
        ("2024-03-02T17:59:59.999Z", ISO, False),
        (MS + 1, MS, True),
        (MS, MS, False),
        (1000, 999, True),  # numerically: as text "1000" < "999"
        (10.5, 10, True),
        # ISO-8601 timestamps as instants: as text ".500Z" sorts before "Z"
        ("2026-01-01T00:00:00.500Z", "2026-01-01T00:00:00Z", True),
        ("2026-01-01T00:00:00Z", "2026-01-01T00:00:00.500Z", False),
        # mixed offsets: 06:00+07:00 is 23:00Z the day before
        ("2026-01-01T06:00:00+07:00", "2025-12-31T23:30:00Z", False),
        ("2025-12-31T23:30:00Z", "2026-01-01T06:00:00+07:00", True),
        ("2026-01-01T07:00:00+07:00", "2026-01-01T00:00:00Z", False),  # the same instant
        ("2026-01-01T00:00:00Z", "2026-01-01T07:00:00+07:00", False),
        ("2026-01-01T00:00:00.5", "2026-01-01T00:00:00Z", True),  # no zone: UTC
        # not both timestamps: as text, as before
        ("zzz", "2026-01-01T00:00:00Z", True),
        ("2026-01-01T00:00:00Z", "zzz", False),
        ("999", "1000", True),  # digits are no timestamp (`_typed` makes numbers of them)
    ],
)
def test_later(value: Any, than: Any, later: bool) -> None:
    assert _later(value, than) is later


@pytest.mark.parametrize(
    ("stored", "like", "typed"),
    [
        ("999", 1000, 999),  # a number against numbers, so 1000 is later than 999
        (str(MS), MS, MS),
        ("1709402400000.5", MS, 1709402400000.5),
        ("not a number", MS, "not a number"),  # kept as text, never an error
        (ISO, "2024-03-03T00:00:00.000Z", ISO),
        ("1", True, "1"),  # a boolean is no number
    ],
)
def test_a_stored_watermark_takes_the_type_of_the_values(
    stored: str, like: Any, typed: Any
) -> None:
    result = _typed(stored, like)
    assert (result, type(result)) == (typed, type(typed))


def test_a_watermark_of_epoch_milliseconds_moves_only_forward_numerically() -> None:
    stored = "999"
    assert _later(_latest([998, 1000, None]), _typed(stored, 1000))
    assert not _later(_latest([998, 999]), _typed(stored, 999))


@pytest.mark.parametrize(
    ("values", "latest"),
    [
        ([], None),
        ([None, None], None),
        (
            ["2024-01-02T00:00:00Z", None, "2024-01-03T00:00:00Z", "2023-12-31T00:00:00Z"],
            "2024-01-03T00:00:00Z",
        ),
        ([999, 1000, 5], 1000),  # numerically, not as text
        (["2026-01-01T00:00:00.500Z", "2026-01-01T00:00:00Z"], "2026-01-01T00:00:00.500Z"),
        # the latest instant, in the text its source sent
        (["2025-12-31T23:30:00Z", "2026-01-01T07:00:00+07:00"], "2026-01-01T07:00:00+07:00"),
        (["2026-01-01T06:00:00+07:00", "2025-12-31T23:30:00Z"], "2025-12-31T23:30:00Z"),
        # one instant written two ways: the first seen stays
        (["2026-01-01T07:00:00+07:00", "2026-01-01T00:00:00Z"], "2026-01-01T07:00:00+07:00"),
        (["b", "a", "2026-01-01T00:00:00Z"], "b"),  # not all timestamps: as text
        ([1, 2.5, 2], 2.5),
    ],
)
def test_latest_skips_missing_values_and_compares_like_later(
    values: list[Any], latest: Any
) -> None:
    assert _latest(values) == latest


def test_latest_fast_path_agrees_with_comparing_one_by_one() -> None:
    values = [MS + 7, MS - 3, MS + 7, MS, MS + 1]
    one_by_one = values[0]
    for value in values[1:]:
        if _later(value, one_by_one):
            one_by_one = value
    assert _latest(values) == one_by_one == MS + 7


def test_latest_fast_path_agrees_with_comparing_timestamps_one_by_one() -> None:
    values = [
        "2026-01-01T06:00:00+07:00",
        "2025-12-31T23:30:00Z",
        "2026-01-01T06:30:00.250+07:00",
        "2025-12-31T23:30:00.250Z",  # the same instant as the one before
        "2025-12-31T23:00:00Z",
    ]
    one_by_one = values[0]
    for value in values[1:]:
        if _later(value, one_by_one):
            one_by_one = value
    assert _latest(values) == one_by_one == "2026-01-01T06:30:00.250+07:00"


def test_a_watermark_of_timestamps_moves_only_to_a_later_instant() -> None:
    stored = "2026-01-01T07:00:00.000+07:00"
    assert not _later(_latest(["2025-12-31T23:59:59.999Z"]), _typed(stored, "x"))
    assert not _later(_latest(["2026-01-01T00:00:00Z"]), _typed(stored, "x"))
    assert _later(_latest(["2026-01-01T00:00:00.001Z"]), _typed(stored, "x"))
