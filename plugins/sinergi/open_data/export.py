"""`sinergi open-data export`: the published aggregate marts as CSV files with their metadata.

Reads the published schema (`marts`), never `audit`: what goes out is what
analysts saw. The files are a pure function of the marts (sorted rows, no
clock), and a file whose bytes did not change is not rewritten, so a re-run
on the same marts changes nothing on disk. Files of marts no longer exported
are removed (only the ones the previous `metadata.json` listed).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sinergi.open_data import config
from sinergi.open_data.marts import ManifestMissing, MartTable, read_marts
from sinergi.open_data.metadata import CsvFile, dcat_catalog, satu_data, to_bytes
from sinergi.open_data.suppression import blanked_rows, suppressed_cells
from sinergi.transform.manifest import load_manifest
from sinergi.transform.manifest import manifest_path as dbt_manifest_path
from sinergi.warehouse.connection import WarehouseTarget, connect

log = logging.getLogger(__name__)

METADATA_FILE = "metadata.json"
CATALOG_FILE = "catalog.jsonld"


@dataclass
class ExportResult:
    out_dir: Path
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    suppressed: dict[str, int] = field(default_factory=dict)  # cells per mart


def csv_bytes(table: MartTable, rows: list[dict[str, str | None]]) -> bytes:
    """RFC 4180 CSV, UTF-8, `\\n` line ends; empty for null (and for a suppressed cell)."""
    buffer = io.StringIO()
    names = [c.name for c in table.columns] + [config.FLAG_COLUMN]
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(names)
    for row in rows:
        writer.writerow(["" if row.get(n) is None else row[n] for n in names])
    return buffer.getvalue().encode("utf-8")


def build_files(
    tables: list[MartTable], *, threshold: int, publisher: str, base_url: str = ""
) -> tuple[dict[str, bytes], dict[str, int]]:
    """{file name: bytes} of the export, and the suppressed cells per mart."""
    by_name = {t.name: t for t in tables}
    hidden = suppressed_cells(by_name, config.RELATIONS, threshold)
    files: dict[str, bytes] = {}
    described: dict[str, CsvFile] = {}
    counts: dict[str, int] = {}
    for table in tables:
        data = csv_bytes(table, blanked_rows(table, hidden, config.FLAG_COLUMN))
        name = f"{table.name}.csv"
        files[name] = data
        described[table.name] = CsvFile(
            name, hashlib.sha256(data).hexdigest(), len(data), len(table.rows)
        )
        counts[table.name] = sum(1 for cell in hidden if cell[0] == table.name)
    metadata = satu_data(tables, described, threshold=threshold, publisher=publisher)
    files[METADATA_FILE] = to_bytes(metadata)
    files[CATALOG_FILE] = to_bytes(dcat_catalog(metadata, base_url))
    return files, counts


def write_files(files: dict[str, bytes], out_dir: Path) -> ExportResult:
    """Write what changed; remove the previous export's files no longer produced."""
    out_dir.mkdir(parents=True, exist_ok=True)
    result = ExportResult(out_dir)
    for name in sorted(set(_previous_files(out_dir)) - set(files)):
        (out_dir / name).unlink(missing_ok=True)
        result.removed.append(name)
    # the metadata last: a reader that sees the new metadata finds the new files
    order = sorted(files, key=lambda n: (n in (METADATA_FILE, CATALOG_FILE), n))
    for name in order:
        path = out_dir / name
        if path.exists() and path.read_bytes() == files[name]:
            result.unchanged.append(name)
            continue
        temporary = path.with_name(f".{name}.tmp")
        temporary.write_bytes(files[name])
        temporary.replace(path)
        result.written.append(name)
    return result


def _previous_files(out_dir: Path) -> list[str]:
    path = out_dir / METADATA_FILE
    if not path.exists():
        return []
    try:
        metadata = json.loads(path.read_text(encoding="utf-8"))
        return [d["berkas"]["nama"] for d in metadata.get("dataset", [])]
    except (ValueError, KeyError, TypeError):
        log.warning("%s unreadable: previous files are left alone", path)
        return []


def load_manifest_file(path: Path) -> dict[str, Any]:
    manifest = load_manifest(path)
    if manifest is None:
        raise ManifestMissing(
            f"no dbt manifest at {path}: the export takes the marts and their definitions"
            " from it (`sinergi transform manifest` writes it)"
        )
    return manifest


def export_open_data(
    target: WarehouseTarget,
    out_dir: Path,
    *,
    manifest_path: Path | None = None,
    schema: str | None = None,
    threshold: int | None = None,
) -> ExportResult:
    """Export the published aggregate marts to `out_dir`."""
    manifest = load_manifest_file(manifest_path or dbt_manifest_path())
    limit = config.threshold() if threshold is None else threshold
    published = schema or config.PUBLISHED_SCHEMA
    with connect(target) as conn:
        tables = read_marts(conn, manifest, published)
    if not tables:
        raise ManifestMissing(
            f"no exportable mart in {published}: publish the marts first"
            " (`sinergi quality publish`)"
        )
    files, counts = build_files(
        tables, threshold=limit, publisher=config.publisher(), base_url=config.base_url()
    )
    result = write_files(files, out_dir)
    result.rows = {t.name: len(t.rows) for t in tables}
    result.suppressed = counts
    log.info(
        "open data: %d marts to %s (%d files written, %d unchanged, %d cells suppressed)",
        len(tables),
        out_dir,
        len(result.written),
        len(result.unchanged),
        sum(counts.values()),
    )
    return result
