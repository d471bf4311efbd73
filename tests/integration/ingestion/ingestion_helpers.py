"""Shared pieces of the ingestion integration tests (imported by the tests and conftest)."""

from __future__ import annotations

from sinergi.ingestion.http import HttpSettings

SEED = 11
ASN = 400

# Patient enough for the simulator's faults (3 in a row at most), fast enough for tests:
# the 3 s "slow" fault trips the 1 s read timeout and is retried.
FAST_HTTP = HttpSettings(read_timeout_s=1.0, backoff_base_s=0.02, backoff_max_s=0.1)
