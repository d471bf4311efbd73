"""Progress of a load: a rich bar on a terminal, periodic log lines otherwise.

Airflow task logs and CI are not terminals; there a bar would be noise, while
a line every few seconds tells an operator the load is alive and how fast.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any

log = logging.getLogger(__name__)

ProgressCallback = Callable[[int], None]


class Progress:
    """Counts rows of one batch; `advance(n)` after each page.

    `on_advance` callbacks get the running total (used by the CLI and tests).
    """

    def __init__(
        self,
        label: str,
        *,
        total: int | None = None,
        use_bar: bool | None = None,
        log_every_s: float = 10.0,
        on_advance: ProgressCallback | None = None,
    ) -> None:
        self.label = label
        self.total = total
        self.rows = 0
        self.use_bar = sys.stderr.isatty() if use_bar is None else use_bar
        self.log_every_s = log_every_s
        self.on_advance = on_advance
        self._started = time.monotonic()
        self._last_log = self._started
        self._bar: Any = None
        self._task: Any = None

    def __enter__(self) -> Progress:
        if self.use_bar:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                TextColumn,
                TimeElapsedColumn,
            )
            from rich.progress import Progress as RichProgress

            self._bar = RichProgress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[rate]} rows/s"),
                TimeElapsedColumn(),
                transient=False,
            )
            self._bar.start()
            self._task = self._bar.add_task(self.label, total=self.total, rate="-")
        return self

    def advance(self, rows: int) -> None:
        self.rows += rows
        now = time.monotonic()
        if self._bar is not None:
            self._bar.update(self._task, advance=rows, rate=f"{self.rate(now):,.0f}")
        elif now - self._last_log >= self.log_every_s:
            self._last_log = now
            log.info("%s: %d rows read (%.0f rows/s)", self.label, self.rows, self.rate(now))
        if self.on_advance is not None:
            self.on_advance(self.rows)

    def rate(self, now: float | None = None) -> float:
        elapsed = (now or time.monotonic()) - self._started
        return self.rows / elapsed if elapsed > 0 else 0.0

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._bar is not None:
            self._bar.stop()
