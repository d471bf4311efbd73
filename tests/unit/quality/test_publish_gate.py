"""The publish gate's decision and the mart suites' row-count band."""

from __future__ import annotations

from sinergi.publish.publisher import blocking_reason
from sinergi.quality.config import QualitySettings
from sinergi.quality.discovery import MartTable
from sinergi.quality.mart_suites import row_count_parameters
from sinergi.quality.results import RunSummary

SETTINGS = QualitySettings({"checks": {"row_count_band": {"min_ratio": 0.5, "max_ratio": 2.0}}})


def test_a_run_without_blocking_failures_may_publish() -> None:
    summary = RunSummary("r", 10, 9, 1, [], [{"suite": "s", "expectation": "w"}])
    assert summary.may_publish and blocking_reason(summary) is None


def test_blocking_failures_and_empty_runs_block() -> None:
    failure = {"suite": "marts__f", "expectation": "keys_unique", "column": None}
    assert blocking_reason(RunSummary("r", 3, 2, 1, [failure], [])) == (
        "1 blocking check(s) failed: marts__f.keys_unique"
    )
    assert "no checks" in (blocking_reason(RunSummary("r", 0, 0, 0, [], [])) or "")


def test_row_band_follows_the_last_publish() -> None:
    marts = [MartTable("a", ()), MartTable("b", ())]
    assert row_count_parameters(marts, {"a": 100}, SETTINGS) == {
        "min_rows__a": 50,
        "max_rows__a": 201,
        "min_rows__b": 0,
        "max_rows__b": None,
    }
