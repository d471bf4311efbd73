"""A step's phase timings: summed per phase, logged as the one line bench-national reads."""

from __future__ import annotations

import logging
import re

import pytest

from sinergi.timings import Phases


def test_phases_add_up_and_log_one_line(caplog: pytest.LogCaptureFixture) -> None:
    phases = Phases("publish")
    for _ in range(2):
        with phases.phase("copies"):
            pass
    with pytest.raises(RuntimeError), phases.phase("swaps"):
        raise RuntimeError("a failed phase still counts")
    with caplog.at_level(logging.INFO):
        phases.log(logging.getLogger("test"))

    assert list(phases.seconds) == ["copies", "swaps"]
    # the pattern benchmarks/bench_national.py prints these lines by
    [(step, spent)] = re.findall(r"(\S+) timings: (.*)", caplog.text)
    assert step == "publish"
    assert re.fullmatch(r"copies \d+\.\d s, swaps \d+\.\d s", spent)
