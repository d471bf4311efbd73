"""Where the simulator finds the region reference (`wilayah.csv`) and how it reads it.

The simulated world must use the very region codes the warehouse seeds, so
the lookup order is: `SINERGI_REFERENCE_DIR`, the dbt seed copy, then the
shared reference next to the checkout.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

_REPO_DIR = Path(__file__).resolve().parents[3]
WILAYAH_FILE = "wilayah.csv"


def wilayah_path() -> Path:
    """The `wilayah.csv` to use; raises FileNotFoundError naming every place tried."""
    candidates: list[Path] = []
    override = os.environ.get("SINERGI_REFERENCE_DIR")
    if override:
        candidates.append(Path(override) / WILAYAH_FILE)
    repo = Path(os.environ.get("SINERGI_PROJECT_DIR") or _REPO_DIR)
    candidates.append(repo / "dbt_project" / "seeds" / WILAYAH_FILE)
    candidates.append(repo.parent / "shared" / "reference" / WILAYAH_FILE)
    for path in candidates:
        if path.is_file():
            return path.resolve()
    tried = ", ".join(str(p) for p in candidates)
    raise FileNotFoundError(f"simulator: no {WILAYAH_FILE} found (tried {tried})")


@dataclass(frozen=True)
class Region:
    """One row of `wilayah.csv`."""

    kode: str
    nama: str
    tingkat: str  # provinsi | kabupaten | kota
    kode_provinsi: str


@lru_cache(maxsize=4)
def load_regions(path: Path | None = None) -> tuple[Region, ...]:
    """Provinces first, then regencies/cities, each in code order (a stable world layout)."""
    source = path or wilayah_path()
    with source.open(encoding="utf-8", newline="") as handle:
        rows = [
            Region(
                kode=row["kode"].strip(),
                nama=row["nama"].strip(),
                tingkat=row["tingkat"].strip(),
                kode_provinsi=row["kode_provinsi"].strip(),
            )
            for row in csv.DictReader(handle)
        ]
    provinces = sorted((r for r in rows if r.tingkat == "provinsi"), key=lambda r: r.kode)
    regencies = sorted((r for r in rows if r.tingkat != "provinsi"), key=lambda r: r.kode)
    return tuple(provinces + regencies)
