"""Transport faults (5xx, 429 with Retry-After, slow answers, truncated bodies), outages,
and named profiles of how real sources behave.

A transient fault is decided per request, but the same request (method and
URL) never fails more than `max_consecutive_faults` times in a row, so a
client that retries always gets through, and what it finally reads is the
clean page. An outage (`outages`, by source name) answers 503 to every data
request of that source until it is lifted: a source failing for good.

A profile is one behaviour real sources show and the clean simulator does
not (`PROFILES`: name -> what it does). Profiles are chosen by name, with the
transient-fault rate as a number in the same list: `sinergi simulate serve
--faults 0.1,ckan_unordered,gzip` or `start_simulator(faults="ckan_unordered")`
(`parse_faults`). Profiles marked "first try" misbehave on the first try of
each distinct request only, so a client that retries reads every page; the
others hold for every request.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Iterable
from dataclasses import dataclass

from sinergi_simulator.config import ServeConfig

logger = logging.getLogger(__name__)

FAULT_KINDS = ("500", "502", "503", "429", "slow", "truncate")
_MAX_TRACKED = 100_000

PROFILES: dict[str, str] = {
    "ckan_estimated_total": "satudata: result.total is an estimate (total_was_estimated: true),"
    " a fifth below the rows it holds",
    "ckan_unordered": "satudata: without `sort`, rows come in an order that changes with every"
    " request (as PostgreSQL may return an unordered query); `sort=_id` orders them",
    "overstated_total": "bpsdm_kemendagri `total`, satudata `result.total` and kemnaker_corpu"
    " `X-Total-Count` claim a tenth (at least 3) more records than are served",
    "repeat_cursor": "siasn: a page read with a cursor names that same cursor as the next one",
    "repeat_link": "kemnaker_corpu: a page read from a Link next URL names that same URL as next",
    "repeat_page": "bpsdm_kemendagri and satudata ignore `offset`: every page is the first",
    "retry_after_seconds": "first try: 429 with `Retry-After: <seconds>`",
    "retry_after_date": "first try: 503 with `Retry-After: <HTTP date>` (IMF-fixdate)",
    "gzip": "bodies gzip-encoded (`Content-Encoding: gzip`) for clients that accept gzip",
    "bom": "JSON bodies start with a UTF-8 byte order mark",
    "html_200": "data requests answered 200 with an HTML error page (text/html)",
    "truncated_record": "first try: the body is cut mid-record, with a Content-Length that"
    " matches the cut body (clean HTTP, broken JSON)",
}


@dataclass(frozen=True)
class FaultSpec:
    """The transient-fault rate and the profiles chosen."""

    rate: float = 0.0
    profiles: frozenset[str] = frozenset()


def parse_faults(value: float | str | Iterable[str] | FaultSpec | None) -> FaultSpec:
    """`0.1`, `"0.1"`, `"ckan_unordered,gzip"`, `"0.05,gzip"` or `["gzip", "bom"]` as a
    `FaultSpec`; an unknown profile name raises `ValueError` listing the known ones."""
    if value is None:
        return FaultSpec()
    if isinstance(value, FaultSpec):
        return value
    if isinstance(value, int | float):
        return FaultSpec(rate=_rate(float(value)))
    parts = value.split(",") if isinstance(value, str) else list(value)
    rate = 0.0
    profiles: set[str] = set()
    for part in (str(p).strip() for p in parts):
        if not part:
            continue
        try:
            number = float(part)
        except ValueError:
            number = None
        if number is not None:
            rate = _rate(number)
            continue
        if part not in PROFILES:
            known = ", ".join(sorted(PROFILES))
            raise ValueError(f"unknown fault profile {part!r} (known: {known}, or a rate 0..1)")
        profiles.add(part)
    return FaultSpec(rate=rate, profiles=frozenset(profiles))


def _rate(value: float) -> float:
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"the transient-fault rate must be within [0, 1], got {value}")
    return value


class FaultInjector:
    """Decides, per request, whether and how to misbehave."""

    def __init__(
        self, config: ServeConfig, seed: int, profiles: Iterable[str] = frozenset()
    ) -> None:
        self.config = config
        self.profiles = frozenset(profiles)
        unknown = self.profiles - PROFILES.keys()
        if unknown:
            raise ValueError(f"unknown fault profiles {sorted(unknown)}")
        self._random = random.Random(seed)
        self._streak: dict[str, int] = {}
        self._tried: set[tuple[str, str]] = set()
        self._lock = threading.Lock()
        self.injected: dict[str, int] = dict.fromkeys((*FAULT_KINDS, *sorted(PROFILES)), 0)
        self.outages: set[str] = set()

    def has(self, profile: str) -> bool:
        return profile in self.profiles

    def count(self, profile: str) -> None:
        """Record that a profile's behaviour was shown (in `injected`)."""
        with self._lock:
            self.injected[profile] += 1

    def first_try(self, profile: str, request_key: str) -> bool:
        """Whether a "first try" profile misbehaves now: it is on and this is the first
        time this request is seen (counted in `injected` when it is)."""
        if profile not in self.profiles:
            return False
        with self._lock:
            if (profile, request_key) in self._tried:
                return False
            if len(self._tried) >= _MAX_TRACKED:
                self._tried.clear()
            self._tried.add((profile, request_key))
            self.injected[profile] += 1
        logger.debug("simulator: %s on %s", profile, request_key)
        return True

    def decide(self, request_key: str) -> str | None:
        """The transient fault to inject for this request, or None to answer normally."""
        if self.config.fault_rate <= 0:
            return None
        with self._lock:
            streak = self._streak.get(request_key, 0)
            if (
                streak >= self.config.max_consecutive_faults
                or self._random.random() >= self.config.fault_rate
            ):
                self._streak.pop(request_key, None)
                return None
            if len(self._streak) >= _MAX_TRACKED:
                self._streak.clear()
            self._streak[request_key] = streak + 1
            kind = self._random.choice(FAULT_KINDS)
            self.injected[kind] += 1
        logger.debug("simulator: injecting %s fault into %s", kind, request_key)
        return kind
