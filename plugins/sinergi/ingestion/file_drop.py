"""The `bpsdm_daerah` file-drop contract: one regional upload → raw rows + quarantine, once.

A file is recognised by its SHA-256: loaded (or rejected) once, recorded in
`meta.file_loads` in the same transaction as its rows, so dropping it again
changes nothing. A readable file loads its good rows into
`raw.bpsdm_daerah__participations` or `__assessments` (the report type is told
by its columns) and quarantines the rest with a reason; a file that cannot be
read at all (corrupt, wrong type, over the size limit, no recognisable
header) is rejected whole. Always `rows_read = rows_loaded + rows_quarantined`.

Raw keeps the values as text exactly as in the file (Excel dates as ISO
text), under logical field names, plus `region_code`, `file_name`,
`row_number`, `_extra` (the region's own columns) and `_raw` (the original
row by its original headers). The checks here only decide what is loadable;
dbt staging parses the same text with the same rules.

Quarantine reasons (aligned with the simulator's truth manifest):
`missing_required`, `invalid_nip`, `invalid_date` (unreadable, impossible such
as 31 February, or an end before the start), `negative_jp`, `invalid_jp`,
`negative_amount`, `invalid_amount`, `invalid_level` (not 1-5).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sinergi.domain.nip import nip_problem
from sinergi.ingestion.file_readers import SUPPORTED, Row, UnreadableFile, is_blank, open_table
from sinergi.ingestion.file_values import (
    ValueProblem,
    cell_text,
    parse_amount,
    parse_date,
    parse_number,
)
from sinergi.ingestion.raw_loader import (
    QuarantinedRecord,
    canonical_json,
    copy_text_line,
    open_batch,
)
from sinergi.ingestion.registry import Source, load_registry
from sinergi.warehouse.connection import WarehouseTarget, connect, resolve_target

log = logging.getLogger(__name__)

SOURCE = "bpsdm_daerah"
PARTICIPATIONS, ASSESSMENTS = "participations", "assessments"
REGION_CODE = re.compile(r"^\d{2}(\.\d{2})?$")

# Accepted headers per logical field, compared case-, space- and punctuation-insensitively.
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "nip": ("NIP", "NIP Peserta", "No. Induk Pegawai"),
    "nama": ("Nama", "Nama Peserta"),
    "instansi_asal": ("Instansi Asal", "Instansi", "Asal Instansi", "Kode Instansi"),
    "nama_pelatihan": ("Nama Pelatihan", "Pelatihan", "Judul Pelatihan"),
    "kode_pelatihan": ("Kode Pelatihan",),
    "jenis_pelatihan": ("Jenis Pelatihan", "Jenis"),
    "tanggal_mulai": ("Tgl Mulai", "Tanggal Mulai"),
    "tanggal_selesai": ("Tgl Selesai", "Tanggal Selesai"),
    "jp": ("JP", "Jumlah JP", "Jam Pelajaran"),
    "hasil": ("Status", "Hasil", "Keterangan Lulus"),
    "sumber_dana": ("Sumber Dana", "Sumber Anggaran"),
    "biaya": ("Biaya", "Biaya (Rp)", "Biaya Per Peserta"),
    "jabatan": ("Jabatan", "Nama Jabatan"),
    "jenis_kompetensi": ("Jenis Kompetensi", "Kompetensi"),
    "level_standar": ("Level Standar", "Standar"),
    "level_hasil": ("Level Hasil", "Hasil Asesmen", "Level Capaian"),
    "tanggal_asesmen": ("Tanggal Asesmen", "Tgl Asesmen"),
}
REQUIRED = {
    PARTICIPATIONS: (
        "nip", "instansi_asal", "nama_pelatihan", "jenis_pelatihan", "tanggal_mulai", "jp",
    ),
    ASSESSMENTS: (
        "nip", "instansi_asal", "jabatan", "jenis_kompetensi", "level_standar", "level_hasil",
        "tanggal_asesmen",
    ),
}  # fmt: skip
_ASSESSMENT_ONLY = {"jenis_kompetensi", "level_standar", "level_hasil", "tanggal_asesmen"}
_PARTICIPATION_ONLY = {"nama_pelatihan", "jenis_pelatihan", "tanggal_mulai", "jp", "kode_pelatihan"}
DATE_FIELDS = ("tanggal_mulai", "tanggal_selesai", "tanggal_asesmen")
_HEADER_SCAN_ROWS = 10  # a title row or two above the header is common


def header_key(text: str) -> str:
    """`Biaya (Rp)` → `biayarp`: how headers are compared."""
    return re.sub(r"[^0-9a-z]", "", text.lower())


_ALIAS_INDEX = {
    header_key(alias): name for name, aliases in HEADER_ALIASES.items() for alias in aliases
}


@dataclass
class FileSummary:
    """What `sinergi ingest-file` prints (as JSON) and `meta.file_loads.summary` holds."""

    file: str
    region_code: str
    sha256: str
    status: str = "loaded"  # loaded | duplicate | rejected
    report_type: str | None = None
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    quarantine_reasons: dict[str, int] = field(default_factory=dict)
    batch_id: int | None = None
    reason: str | None = None  # why a file was rejected
    detail: str | None = None
    extra_columns: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows_read": self.rows_read,
            "rows_loaded": self.rows_loaded,
            "rows_quarantined": self.rows_quarantined,
            "quarantine_reasons": dict(self.quarantine_reasons),
            "status": self.status,
            "file": self.file,
            "region_code": self.region_code,
            "sha256": self.sha256,
            "report_type": self.report_type,
            "batch_id": self.batch_id,
            "reason": self.reason,
            "detail": self.detail,
            "extra_columns": self.extra_columns,
        }


@dataclass(frozen=True)
class HeaderMap:
    """Column positions: logical field → index, and the region's own columns."""

    header_row: int
    headers: list[str]
    fields: dict[str, int]
    extra: dict[str, int]

    @property
    def report_type(self) -> str | None:
        present = set(self.fields)
        if present & _ASSESSMENT_ONLY:
            return ASSESSMENTS
        if present & _PARTICIPATION_ONLY:
            return PARTICIPATIONS
        return None


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def map_headers(number: int, cells: list[object]) -> HeaderMap:
    headers = [cell_text(cell) or "" for cell in cells]
    fields: dict[str, int] = {}
    extra: dict[str, int] = {}
    for index, header in enumerate(headers):
        name = _ALIAS_INDEX.get(header_key(header))
        if name is not None and name not in fields:
            fields[name] = index
        elif header.strip():
            extra[header] = index
    return HeaderMap(number, headers, fields, extra)


def find_header(rows: Iterator[Row]) -> HeaderMap | None:
    """The first row (of the first few) naming at least two contract fields."""
    for _ in range(_HEADER_SCAN_ROWS):
        row = next(rows, None)
        if row is None:
            return None
        mapped = map_headers(*row)
        if len(mapped.fields) >= 2:
            return mapped
    return None


def row_record(
    header: HeaderMap, number: int, cells: list[object], region: str, name: str
) -> dict[str, Any]:
    """The raw record of one data row: logical fields as text, extras, the original row."""

    def at(index: int, as_date: bool = False) -> str | None:
        return cell_text(cells[index], as_date=as_date) if index < len(cells) else None

    record: dict[str, Any] = {
        field_name: at(index, field_name in DATE_FIELDS)
        for field_name, index in header.fields.items()
    }
    record["_extra"] = {label: at(index) for label, index in header.extra.items()}
    record["_raw"] = {
        (label or f"column_{index + 1}"): at(index) for index, label in enumerate(header.headers)
    }
    for index in range(len(header.headers), len(cells)):  # cells beyond the header
        if (value := at(index)) is not None:
            record["_raw"][f"column_{index + 1}"] = value
    record.update(region_code=region, file_name=name, row_number=number)
    return record


def row_problem(record: dict[str, Any], report_type: str) -> tuple[str, str] | None:
    """(reason, detail) when the row breaks the contract, else None."""
    for name in REQUIRED[report_type]:
        value = record.get(name)
        if value is None or not str(value).strip():
            return "missing_required", f"{name} is missing"
    problem = nip_problem(record["nip"])
    if problem and "e+" in record["nip"].lower():
        problem = "stored as a spreadsheet number, digits lost (NIPs must be text cells)"
    if problem:
        return "invalid_nip", f"nip {record['nip']!r}: {problem}"
    dates: dict[str, date] = {}
    for name in DATE_FIELDS:
        if record.get(name):
            try:
                dates[name] = parse_date(record[name])
            except ValueProblem as error:
                return "invalid_date", f"{name}: {error}"
    start, end = dates.get("tanggal_mulai"), dates.get("tanggal_selesai")
    if start and end and end < start:
        return "invalid_date", "tanggal_selesai is before tanggal_mulai"
    return _number_problem(record)


def _number_problem(record: dict[str, Any]) -> tuple[str, str] | None:
    if record.get("jp"):
        try:
            if parse_number(record["jp"]) < 0:
                return "negative_jp", f"jp {record['jp']!r} is negative"
        except ValueProblem as error:
            return "invalid_jp", f"jp: {error}"
    if record.get("biaya"):
        try:
            if parse_amount(record["biaya"]) < 0:
                return "negative_amount", f"biaya {record['biaya']!r} is negative"
        except ValueProblem as error:
            return "invalid_amount", f"biaya: {error}"
    for name in ("level_standar", "level_hasil"):
        if record.get(name):
            try:
                level = parse_number(record[name])
            except ValueProblem:
                level = None
            if level is None or level != int(level) or not 1 <= level <= 5:
                return "invalid_level", f"{name} {record[name]!r} is not a level 1-5"
    return None


def ingest_file(
    path: Path,
    region_code: str,
    *,
    target: WarehouseTarget | None = None,
    source: Source | None = None,
) -> FileSummary:
    """Load one regional upload by the file-drop contract (see the module docstring)."""
    path = Path(path)
    if not REGION_CODE.match(region_code):
        raise ValueError(
            f"{SOURCE}: region code {region_code!r} is not a Kemendagri code (35, 35.15)"
        )
    source = source or load_registry().source(SOURCE)
    target = target or resolve_target()
    summary = FileSummary(file=str(path), region_code=region_code, sha256=file_sha256(path))
    previous = _previous_load(target, summary.sha256, summary.region_code)
    if previous is not None:
        return _duplicate(summary, previous)
    rejection = _precheck(path, source)
    if rejection is not None:
        return _reject(target, summary, *rejection)
    try:
        with open_table(path) as table:
            header = find_header(table.rows)
            if header is None or header.report_type is None:
                return _reject(target, summary, "no_header", "no row names the contract's columns")
            summary.report_type = header.report_type
            summary.extra_columns = list(header.extra)
            _load_rows(target, source, summary, header, table.rows, path.name)
    except UnreadableFile as error:
        return _reject(target, summary, error.reason, str(error))
    except _AlreadyLoaded as done:
        return _duplicate(summary, done.previous)
    log.info(
        "%s: %s (region %s) %s: %d rows read, %d loaded, %d quarantined %s",
        SOURCE, path.name, region_code, summary.report_type, summary.rows_read,
        summary.rows_loaded, summary.rows_quarantined, summary.quarantine_reasons or "",
    )  # fmt: skip
    return summary


class _AlreadyLoaded(Exception):
    def __init__(self, previous: dict[str, Any]) -> None:
        self.previous = previous


def _precheck(path: Path, source: Source) -> tuple[str, str] | None:
    if not path.is_file():
        return "not_found", f"{path} is not a file"
    if path.suffix.lower() not in SUPPORTED:
        return "wrong_type", f"{path.suffix or 'no extension'} is not one of {', '.join(SUPPORTED)}"
    size = path.stat().st_size
    limit = source.max_file_mb * 1024 * 1024
    if size > limit:
        return "too_large", f"{size} bytes is over the {source.max_file_mb} MB limit"
    if size == 0:
        return "empty", "the file is empty"
    return None


def _load_rows(
    target: WarehouseTarget,
    source: Source,
    summary: FileSummary,
    header: HeaderMap,
    rows: Iterator[Row],
    file_name: str,
) -> None:
    """One batch: COPY good rows, quarantine bad ones, record the file — one transaction."""
    report_type = header.report_type
    assert report_type is not None
    entity = source.entity(report_type)
    reasons: Counter[str] = Counter()
    with open_batch(target, SOURCE, entity.name, entity.table) as batch:
        batch.conn.execute(
            "select pg_advisory_xact_lock(hashtext(%s))", (summary.sha256 + summary.region_code,)
        )
        previous = _previous_load_in(batch.conn, summary.sha256, summary.region_code)
        if previous is not None:  # loaded concurrently since we looked
            raise _AlreadyLoaded(previous)
        prefix = batch.line_prefix(datetime.now(UTC))
        refused: list[QuarantinedRecord] = []
        with batch.copy() as copy:
            for number, cells in rows:
                if is_blank(cells):
                    continue
                record = row_record(header, number, cells, summary.region_code, file_name)
                batch.rows_read += 1
                problem = row_problem(record, report_type)
                if problem is not None:
                    reason, detail = problem
                    reasons[reason] += 1
                    refused.append(
                        QuarantinedRecord(record.get("nip"), reason, {**record, "_detail": detail})
                    )
                    continue
                line, _ = copy_text_line(prefix, canonical_json(record))
                copy.write(line)
                batch.rows_loaded += 1
        batch.quarantine(refused)
        summary.batch_id = batch.batch_id
        summary.rows_read = batch.rows_read
        summary.rows_loaded = batch.rows_loaded
        summary.rows_quarantined = batch.rows_quarantined
        summary.quarantine_reasons = dict(sorted(reasons.items()))
        _record_file(batch.conn, summary, "loaded")


def _previous_load(target: WarehouseTarget, sha256: str, region: str) -> dict[str, Any] | None:
    with connect(target) as conn:
        return _previous_load_in(conn, sha256, region)


def _previous_load_in(conn: Any, sha256: str, region: str) -> dict[str, Any] | None:
    """The earlier load of these bytes for this region: the same bytes from two
    regions are two reports (the region comes from the path), so both load."""
    row = conn.execute(
        "select status, batch_id, path, summary from meta.file_loads"
        " where file_sha256 = %s and region_code = %s",
        (sha256, region),
    ).fetchone()
    if row is None:
        return None
    return {"status": row[0], "batch_id": row[1], "path": row[2], "summary": row[3]}


def _record_file(conn: Any, summary: FileSummary, status: str) -> None:
    conn.execute(
        "insert into meta.file_loads (file_sha256, path, region_code, batch_id, status, summary)"
        " values (%s, %s, %s, %s, %s, %s::jsonb) on conflict (file_sha256, region_code) do nothing",
        (
            summary.sha256,
            summary.file,
            summary.region_code,
            summary.batch_id,
            status,
            json.dumps(summary.as_dict()),
        ),
    )


def _reject(target: WarehouseTarget, summary: FileSummary, reason: str, detail: str) -> FileSummary:
    """Reject the whole file: nothing loaded, the reason recorded against its checksum."""
    summary.status = "rejected"
    summary.reason = reason
    summary.detail = detail
    summary.rows_read = summary.rows_loaded = summary.rows_quarantined = 0
    summary.quarantine_reasons = {}
    summary.batch_id = None
    with connect(target) as conn, conn.transaction():
        _record_file(conn, summary, "rejected")
    log.warning("%s: %s rejected (%s): %s", SOURCE, summary.file, reason, detail)
    return summary


def _duplicate(summary: FileSummary, previous: dict[str, Any]) -> FileSummary:
    """The same bytes were seen before: change nothing. A file rejected before stays
    rejected (same reason), so an identical broken upload is never reported as loaded."""
    log.info(
        "%s: %s already %s (batch %s, as %s); nothing to do",
        SOURCE, summary.file, previous["status"], previous["batch_id"], previous["path"],
    )  # fmt: skip
    before = previous.get("summary") or {}
    summary.batch_id = previous["batch_id"]
    summary.report_type = before.get("report_type")
    summary.detail = f"same content as {previous['path']}, already {previous['status']}"
    if previous["status"] == "rejected":
        summary.status = "rejected"
        summary.reason = before.get("reason")
    else:
        summary.status = "duplicate"
    return summary
