"""The quarantine reasons: one list, the dbt seed `quarantine_reasons.csv`.

Every layer that keeps a record out of the marts names why with a code from
this list: ingestion (records refused at load), the GX raw contracts, dbt
staging (`invalid_reason`) and dbt's `int_quarantine_candidates`. dbt reads
the seed through `relationships` tests; Python reads the same file here, so a
code is added in one place (a row of the seed) and every layer sees it.

A code outside the list is still quarantined with its own words (the night
goes on); the list is how the tests and the quality step notice it.
"""

from __future__ import annotations

import csv
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sinergi.paths import reference_dir

log = logging.getLogger(__name__)

SEED_FILE = "quarantine_reasons.csv"
# Where a reason is detected, in the seed's `detected_by` column (space-separated);
# quarantine.records.detected_by says `ingestion`, `gx:<suite>:<rule>` or `dbt:<model>`.
LAYERS = ("ingestion", "raw_contract", "staging", "intermediate")
# Free-text reasons ingestion wrote before it gave codes, and the code each became.
# quarantine.records.reason is free text and rows are not rewritten, so a deployed
# warehouse keeps the old words on older rows: they count as listed (as their code).
FORMER_CODES = {
    "not a JSON object": "not_json_object",
    "contains a NUL character": "nul_character",
}


class ReasonListError(ValueError):
    """The seed is malformed; the message names the file and the row."""


@dataclass(frozen=True)
class QuarantineReason:
    """One row of the seed."""

    code: str
    description: str
    keterangan: str  # the short Indonesian label analysts see
    detected_by: tuple[str, ...]


def seed_path() -> Path:
    """The seed file (`SINERGI_REFERENCE_DIR` moves it, like the other seeds)."""
    return reference_dir() / SEED_FILE


@lru_cache(maxsize=4)
def _load(path: Path) -> dict[str, QuarantineReason]:
    reasons: dict[str, QuarantineReason] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            code = (row.get("reason") or "").strip()
            layers = tuple((row.get("detected_by") or "").split())
            if not code or code != row["reason"]:
                raise ReasonListError(
                    f"{path}:{line}: reason {row.get('reason')!r} is blank or padded"
                )
            if code in reasons:
                raise ReasonListError(f"{path}:{line}: reason {code!r} is listed twice")
            unknown = sorted(set(layers) - set(LAYERS))
            if not layers or unknown:
                raise ReasonListError(
                    f"{path}:{line}: {code}: detected_by {layers} must name layers of {LAYERS}"
                )
            reasons[code] = QuarantineReason(
                code, row.get("description") or "", row.get("keterangan") or "", layers
            )
    return reasons


def quarantine_reasons() -> dict[str, QuarantineReason]:
    """Every listed reason by code, in the seed's order."""
    return _load(seed_path())


def unlisted(codes: Iterable[str]) -> list[str]:
    """The codes that are not in the list, sorted (empty when all are listed).
    A former code (`FORMER_CODES`) is listed when the code it became is."""
    listed = quarantine_reasons()
    return sorted({code for code in codes if FORMER_CODES.get(code, code) not in listed})
