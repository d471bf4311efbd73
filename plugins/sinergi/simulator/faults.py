"""Transport faults: transient ones (5xx, 429 with Retry-After, slow answers, truncated
bodies) and outages.

A transient fault is decided per request, but the same request (method and
URL) never fails more than `max_consecutive_faults` times in a row, so a
client that retries always gets through, and what it finally reads is the
clean page. An outage (`outages`, by source name) answers 503 to every data
request of that source until it is lifted: a source failing for good.
"""

from __future__ import annotations

import logging
import random
import threading

from sinergi.simulator.config import ServeConfig

logger = logging.getLogger(__name__)

FAULT_KINDS = ("500", "502", "503", "429", "slow", "truncate")
_MAX_TRACKED = 100_000


class FaultInjector:
    """Decides, per request, whether and how to misbehave."""

    def __init__(self, config: ServeConfig, seed: int) -> None:
        self.config = config
        self._random = random.Random(seed)
        self._streak: dict[str, int] = {}
        self._lock = threading.Lock()
        self.injected: dict[str, int] = dict.fromkeys(FAULT_KINDS, 0)
        self.outages: set[str] = set()

    def decide(self, request_key: str) -> str | None:
        """The fault to inject for this request, or None to answer normally."""
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
