"""Planted reporting profiles: per region a delay in days and an error rate, off by default
(a world without them uploads and writes exactly as before), deterministic from the seed."""

from __future__ import annotations

import numpy as np
import pytest

from sinergi_simulator import landing
from sinergi_simulator.api import build_sources
from sinergi_simulator.config import ReportingProfiles
from sinergi_simulator.timeline import PERIOD_LEN_MS, PERIOD_START_MS
from sinergi_simulator.truth import reporting_profiles

PLANTED = ReportingProfiles(max_delay_days=20, max_error_rate=0.3)


def test_off_by_default_uploads_as_before() -> None:
    world = build_sources(7, 200).world
    folders = np.arange(len(world.inst.codes))
    assert not world.config.reporting.enabled
    for period in (1, 12, 24):
        assert np.array_equal(
            landing.folder_upload_ms(world, folders, period),
            landing.upload_ms(world.seed, folders, period),
        )


def test_a_region_uploads_its_planted_days_after_the_month_ends() -> None:
    world = build_sources(7, 200, reporting=PLANTED).world
    profiles = reporting_profiles(world)
    regions = [i for i, code in enumerate(world.inst.codes) if code in profiles]
    assert len(regions) > 500 and not any(c.startswith("KL-") for c in profiles)
    delays = {p["delay_days"] for p in profiles.values()}
    assert delays == set(range(21))  # every delay 0..20 is planted somewhere
    assert all(0 <= p["error_rate"] <= 0.3 for p in profiles.values())
    period = 5
    end = int(PERIOD_START_MS[period] + PERIOD_LEN_MS[period])
    uploaded = landing.folder_upload_ms(world, np.array(regions), period)
    for folder, at in zip(regions, uploaded.tolist(), strict=True):
        late = (at - end) / landing.DAY_MS
        assert 0 <= late - profiles[world.inst.codes[folder]]["delay_days"] < 0.5


def test_profiles_are_deterministic_from_the_seed() -> None:
    first = reporting_profiles(build_sources(7, 200, reporting=PLANTED).world)
    assert first == reporting_profiles(build_sources(7, 200, reporting=PLANTED).world)
    assert first != reporting_profiles(build_sources(8, 200, reporting=PLANTED).world)


@pytest.mark.parametrize(
    "knobs", [{"max_delay_days": -1}, {"max_delay_days": 366}, {"max_error_rate": 0.51}]
)
def test_out_of_range_knobs_are_refused(knobs: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="simulator: max_"):
        ReportingProfiles(**knobs)  # type: ignore[arg-type]
