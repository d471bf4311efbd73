"""The world's calendar: monthly periods, timestamps and the simulation clock.

Period 0 is December 2022 (master data and catalogues published before the
world starts); periods 1-24 are the months of 2023 and 2024, the two fiscal
years of the world. Every record gets a timestamp inside its period, strictly
increasing with its position in its stream, so "records up to the clock" and
"records after a watermark" are prefixes and suffixes of a stream.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import numpy as np

YEARS: tuple[int, ...] = (2023, 2024)
N_PERIODS = 25  # period 0 = 2022-12, then 24 months
WIB_OFFSET_MS = 7 * 3600 * 1000  # Asia/Jakarta is UTC+7 all year

_MONTHS = np.arange(np.datetime64("2022-12"), np.datetime64("2025-02"), dtype="datetime64[M]")
PERIOD_START_DAY: np.ndarray = _MONTHS[:N_PERIODS].astype("datetime64[D]").astype(np.int64)
PERIOD_END_DAY: np.ndarray = _MONTHS[1 : N_PERIODS + 1].astype("datetime64[D]").astype(np.int64)
PERIOD_START_MS: np.ndarray = PERIOD_START_DAY * 86_400_000
PERIOD_LEN_MS: np.ndarray = (PERIOD_END_DAY - PERIOD_START_DAY) * 86_400_000
WORLD_START_MS = int(PERIOD_START_MS[0])
WORLD_END_MS = int(PERIOD_START_MS[-1] + PERIOD_LEN_MS[-1] - 1)


def period_year_month(period: int) -> tuple[int, int]:
    """(year, month) of a period."""
    month = _MONTHS[period].astype(object)
    return month.year, month.month


def period_of_ms(ms: int) -> int:
    """The period holding a timestamp, clamped to the world."""
    idx = int(np.searchsorted(PERIOD_START_MS, ms, side="right")) - 1
    return min(max(idx, 0), N_PERIODS - 1)


def iso_ms(ms: np.ndarray, zone: bool = True) -> list[str]:
    """ISO-8601 UTC strings with milliseconds and `Z` (left to the caller if not `zone`)."""
    text = np.datetime_as_string(ms.astype("datetime64[ms]"), unit="ms").tolist()
    return [t + "Z" for t in text] if zone else text


def iso_days(days: np.ndarray) -> list[str]:
    """ISO dates from days since 1970-01-01, vectorised."""
    return np.datetime_as_string(days.astype("datetime64[D]"), unit="D").tolist()


def parse_timestamp(value: str | int | float | datetime) -> int:
    """Epoch milliseconds from an ISO string (with or without zone), epoch ms or a datetime.

    Naive values are UTC, as everywhere in the contract.
    """
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return int(moment.timestamp() * 1000)
    if isinstance(value, int | float):
        return int(value)
    text = value.strip()
    if text.lstrip("-").isdigit():
        return int(text)
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return round(moment.timestamp() * 1000)


def format_ms(ms: int) -> str:
    """One timestamp as the contract writes it."""
    return iso_ms(np.array([ms], dtype=np.int64))[0]


class Clock:
    """The simulation clock shared by all servers: records with timestamp <= now are served."""

    def __init__(self, now_ms: int = WORLD_END_MS) -> None:
        self._lock = threading.Lock()
        self._now = now_ms

    @property
    def now_ms(self) -> int:
        with self._lock:
            return self._now

    def set(self, value: str | int | float | datetime) -> int:
        """Move the clock (forward or back) and return it in epoch ms."""
        ms = parse_timestamp(value)
        with self._lock:
            self._now = ms
        return ms
