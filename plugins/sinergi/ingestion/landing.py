"""The landing zone of regional uploads: find, claim, load and file away each new file.

Layout: `<landing>/<region code>/<yyyy-mm>/<file>`. A file is *claimed* by an
atomic rename into `<landing>/.claimed/…` (so two sweeps, or the watcher and
a sweep, never load it twice), loaded by the file-drop contract, then moved
to `.done/…` or `.rejected/…`. A crash between claim and load leaves the file
in `.claimed`, and the next sweep loads it; the checksum in `meta.file_loads`
makes that safe. Uploaders should write under a temporary name (a leading
`.`, or `.tmp`/`.part`) and rename when complete: such names are ignored.
"""

from __future__ import annotations

import logging
import os
import re
from collections import Counter
from pathlib import Path
from typing import Any

from sinergi.ingestion.registry import Source, load_registry
from sinergi.paths import state_dir
from sinergi.warehouse.connection import WarehouseTarget, resolve_target

log = logging.getLogger(__name__)

LANDING_VARIABLE = "SINERGI_LANDING_DIR"
CLAIMED, DONE, REJECTED = ".claimed", ".done", ".rejected"
_REGION = re.compile(r"^\d{2}(\.\d{2})?$")
_MONTH = re.compile(r"^\d{4}-\d{2}$")
_PARTIAL_SUFFIXES = (".tmp", ".part", ".crdownload", ".partial")


def landing_dir(source: Source | None = None) -> Path:
    """`SINERGI_LANDING_DIR`, else the registry's `landing_dir` under the state dir."""
    override = os.environ.get(LANDING_VARIABLE)
    if override:
        return Path(override)
    source = source or load_registry().source("bpsdm_daerah")
    path = Path(source.landing_dir)
    return path if path.is_absolute() else state_dir() / path


def is_complete_upload(name: str) -> bool:
    return not name.startswith(".") and not name.lower().endswith(_PARTIAL_SUFFIXES)


def new_files(landing: Path) -> list[Path]:
    """Uploaded files waiting in `<landing>/<region>/<yyyy-mm>/`, oldest folder first."""
    if not landing.exists():
        return []
    found = []
    for region in sorted(p for p in landing.iterdir() if p.is_dir() and _REGION.match(p.name)):
        for month in sorted(p for p in region.iterdir() if p.is_dir() and _MONTH.match(p.name)):
            found.extend(
                sorted(p for p in month.iterdir() if p.is_file() and is_complete_upload(p.name))
            )
    return found


def _move(path: Path, landing: Path, area: str, relative: Path) -> Path:
    destination = landing / area / relative
    destination.parent.mkdir(parents=True, exist_ok=True)
    if destination.exists():  # the same name uploaded again: keep both
        destination = destination.with_name(f"{destination.stem}.{os.getpid()}{destination.suffix}")
    os.replace(path, destination)
    return destination


def claim(path: Path, landing: Path) -> Path | None:
    """Move a new file into `.claimed`; None when someone else claimed it first."""
    try:
        return _move(path, landing, CLAIMED, path.relative_to(landing))
    except FileNotFoundError:
        return None


def claim_new_files(landing: Path) -> list[Path]:
    if not landing.exists():
        return []
    return [claimed for path in new_files(landing) if (claimed := claim(path, landing))]


def claimed_files(landing: Path) -> list[Path]:
    root = landing / CLAIMED
    return new_files(root) if root.exists() else []


def sweep_landing(
    landing: Path | None = None, *, target: WarehouseTarget | None = None
) -> dict[str, Any]:
    """Claim every new file, load every claimed one; a summary per file and totals."""
    from sinergi.ingestion.file_drop import ingest_file

    landing = landing or landing_dir()
    target = target or resolve_target()
    claim_new_files(landing)
    summaries = []
    for path in claimed_files(landing):
        relative = path.relative_to(landing / CLAIMED)
        region = relative.parts[0]
        summary = ingest_file(path, region, target=target).as_dict()
        area = REJECTED if summary["status"] == "rejected" else DONE
        summary["file"] = str(_move(path, landing, area, relative))
        summaries.append(summary)
    totals = Counter(s["status"] for s in summaries)
    result = {
        "files": len(summaries),
        "by_status": dict(totals),
        "rows_read": sum(s["rows_read"] for s in summaries),
        "rows_loaded": sum(s["rows_loaded"] for s in summaries),
        "rows_quarantined": sum(s["rows_quarantined"] for s in summaries),
        "summaries": summaries,
    }
    log.info(
        "landing sweep of %s: %s", landing, {k: v for k, v in result.items() if k != "summaries"}
    )
    return result
