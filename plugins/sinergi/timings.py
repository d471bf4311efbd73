"""Seconds per phase of a long step, logged as one line a night's log can be read by.

`bench-national` prints these lines (`<step> timings: a 1.0 s, b 2.0 s`)
under the step they belong to, so a slow night says which phase grew.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager


class Phases:
    """Wall-clock seconds spent in each named phase of one step."""

    def __init__(self, step: str) -> None:
        self.step = step
        self.seconds: dict[str, float] = {}

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            elapsed = time.perf_counter() - started
            self.seconds[name] = self.seconds.get(name, 0.0) + elapsed

    def log(self, logger: logging.Logger) -> None:
        spent = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in self.seconds.items())
        logger.info("%s timings: %s", self.step, spent)
