"""The `bpsdm_daerah` file-drop contract: one regional upload → raw rows + quarantine, once.

A file is recognised by its SHA-256: loaded (or rejected) once, recorded in
`meta.file_loads` in the same transaction as its rows, so dropping it again
changes nothing. A readable file loads its good rows into
`raw.bpsdm_daerah__participations` or `__assessments` (the report type is told
by its columns) and quarantines the rest with a reason; a file that cannot be
read at all (corrupt, wrong type, over the size limit, no recognisable
header) is rejected whole.

Raw keeps the values as text exactly as in the file (Excel dates as ISO
text), under logical field names, plus `region_code`, `file_name`,
`row_number`, `_extra` (the region's own columns) and `_raw` (the original
row by its original headers; empty cells left out). The checks here only decide what is loadable;
dbt staging parses the same text with the same rules.

Quarantine reasons (the codes of `IngestionReason`, ingestion/reasons.py; aligned with
the simulator's truth manifest):
`missing_required`, `invalid_nip`, `invalid_date` (unreadable, impossible such
as 31 February, or an end before the start), `negative_jp`, `invalid_jp`,
`negative_amount`, `invalid_amount`, `invalid_level` (not 1-5); and, for what
real uploads do that the simulator does not: `field_too_large` (a cell over
32,767 characters, Excel's own limit), `conflicting_columns` (the same header
twice with different values), `unknown_instansi` (a number that is no
Kemendagri code, such as BPS's `3273` for `32.73`) and `formula_like_text`.

Formula-like text: a contract text field that can travel toward a mart
(`TEXT_FIELDS`: institution, training, kind, result, funding source, job,
competency type) starting with `=`, `+`, `-`, `@`, tab or CR would run as a
formula when an analyst opens a CSV export of that mart in a spreadsheet.
Such a row is quarantined (its text kept there, never evaluated), so it
cannot reach a mart; rewriting the text (a leading `'`) would change the
data and break matching. The region's own columns and `_raw` keep such text
as it is: raw is not published, and nothing downstream reads them.

A file is rejected whole (a reason and a detail naming the file, and the
line or sheet) when it cannot be read (`wrong_type`, `wrong_encoding`,
`corrupt_xlsx`, `unreadable`, `too_large`, `zip_bomb`, `empty`), holds no
report (`no_header`, `not_a_report`: an open-data aggregate), lacks a
required column (`missing_columns`: every row would be quarantined), or
holds more than one report (`several_reports`: report columns on more than
one sheet). Always `rows_read = rows_loaded + rows_quarantined +
rows_rejected` (the last: rows read before a file turned out unreadable).
A symbolic link is never followed: refused without reading (`symlink`).
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
from itertools import chain
from pathlib import Path
from typing import Any

import psycopg

from sinergi.domain.nip import nip_problem
from sinergi.ingestion.file_readers import (
    SUPPORTED,
    ArchiveLimits,
    Row,
    Table,
    UnreadableFile,
    is_blank,
    open_table,
)
from sinergi.ingestion.file_values import (
    ValueProblem,
    cell_text,
    formula_trigger,
    parse_amount,
    parse_date,
    parse_level,
    parse_number,
    safe_text,
)
from sinergi.ingestion.raw_loader import (
    QuarantinedRecord,
    batch_on,
    canonical_json,
    copy_text_line,
)
from sinergi.ingestion.reasons import IngestionReason
from sinergi.ingestion.registry import Source, load_registry
from sinergi.warehouse.connection import WarehouseTarget, connect, resolve_target

log = logging.getLogger(__name__)

SOURCE = "bpsdm_daerah"
PARTICIPATIONS, ASSESSMENTS = "participations", "assessments"
REGION_CODE = re.compile(r"^\d{2}(\.\d{2})?$")
RowProblem = tuple[IngestionReason, str]
"""Why a row is quarantined: the reason (a code of the list) and a detail naming the cell."""

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
# Text that can travel toward a mart (matched, mapped or shown there): never formula-like.
# `nama` is left out on purpose: marts hold no names.
TEXT_FIELDS = (
    "instansi_asal", "nama_pelatihan", "kode_pelatihan", "jenis_pelatihan", "hasil",
    "sumber_dana", "jabatan", "jenis_kompetensi",
)  # fmt: skip
_HEADER_SCAN_ROWS = 10  # a title row or two above the header is common
MAX_CELL_CHARS = 32_767  # Excel's own limit for a cell: longer text came from no spreadsheet
_MAX_LABEL_CHARS = 200  # a header label longer than this is cut (it is repeated on every row)
_QUARANTINE_TEXT_CHARS = 1_000  # what is kept of an over-long cell in quarantine
_QUARANTINE_CHUNK = 1_000  # refused rows held before they are written
_QUEUED_COPY_BYTES = 1 << 20  # a file this large is sent from a writer thread (raw_loader)
_CODE_LIKE = re.compile(r"^[0-9][0-9.\s]*$")
_OPEN_DATA_COLUMNS = {"satuan", "tahun"}


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
    rows_rejected: int = 0  # read before the file turned out unreadable (rolled back)
    quarantine_reasons: dict[str, int] = field(default_factory=dict)
    batch_id: int | None = None
    reason: str | None = None  # why a file was rejected
    detail: str | None = None
    extra_columns: list[str] = field(default_factory=list)
    sheet: str | None = None  # the worksheet read, for an .xlsx
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows_read": self.rows_read,
            "rows_loaded": self.rows_loaded,
            "rows_quarantined": self.rows_quarantined,
            "rows_rejected": self.rows_rejected,
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
            "sheet": self.sheet,
            "warnings": self.warnings,
        }


@dataclass(frozen=True)
class HeaderMap:
    """Column positions: logical field → index, and the region's own columns.

    `labels` are the column names `_raw` uses: the header text, `column_<n>` for an
    empty one, `<header> [column <n>]` for a repeated one. `repeats` lists, per
    field, further columns under the same header (compared as headers are)."""

    header_row: int
    headers: list[str]
    fields: dict[str, int]
    extra: dict[str, int]
    labels: list[str] = field(default_factory=list)
    repeats: dict[str, list[int]] = field(default_factory=dict)

    @property
    def report_type(self) -> str | None:
        present = set(self.fields)
        if present & _ASSESSMENT_ONLY:
            return ASSESSMENTS
        if present & _PARTICIPATION_ONLY:
            return PARTICIPATIONS
        return None

    def missing(self) -> list[str]:
        """Required fields of its report type with no column at all."""
        report_type = self.report_type
        return [f for f in REQUIRED[report_type] if f not in self.fields] if report_type else []


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _labels(headers: list[str]) -> list[str]:
    labels: list[str] = []
    seen: set[str] = set()
    for index, header in enumerate(headers):
        label = header.strip()
        if len(label) > _MAX_LABEL_CHARS:
            label = label[:_MAX_LABEL_CHARS] + "…"
        if not label:
            label = f"column_{index + 1}"
        elif label in seen:
            label = f"{label} [column {index + 1}]"
        seen.add(label)
        labels.append(label)
    return labels


def map_headers(number: int, cells: list[object]) -> HeaderMap:
    headers = [cell_text(cell) or "" for cell in cells]
    labels = _labels(headers)
    fields: dict[str, int] = {}
    extra: dict[str, int] = {}
    repeats: dict[str, list[int]] = {}
    for index, header in enumerate(headers):
        name = _ALIAS_INDEX.get(header_key(header))
        if name is not None and name not in fields:
            fields[name] = index
            continue
        if name is not None and header_key(header) == header_key(headers[fields[name]]):
            repeats.setdefault(name, []).append(index)
        if header.strip():
            extra[labels[index]] = index
    return HeaderMap(number, headers, fields, extra, labels, repeats)


def _subheader(header: Row, below: Row) -> HeaderMap | None:
    """The header of a two-row heading (a group label such as `Tanggal` merged over the
    `Mulai` / `Selesai` columns under it), when every filled cell of the row below is a
    header, alone or after its group label, or repeats the heading above it (a merge down,
    `No` over both rows); else None (the row below is data)."""
    _, top = header
    cells = below[1]
    texts = [cell_text(cell) or "" for cell in cells]
    if not any(t.strip() for t in texts):
        return None
    top_texts = [cell_text(cell) or "" for cell in top]
    combined = list(top_texts) + [""] * max(0, len(texts) - len(top_texts))
    for index, text in enumerate(texts):
        if not text.strip() or (index < len(top_texts) and text == top_texts[index]):
            continue  # empty, or the heading above merged down over this row
        group = next((t for t in reversed(top_texts[: index + 1]) if t.strip()), "")
        joined = f"{group} {text}".strip()
        if _ALIAS_INDEX.get(header_key(joined)):
            combined[index] = joined
        elif _ALIAS_INDEX.get(header_key(text)):
            combined[index] = text
        else:
            return None
    return map_headers(below[0], list(combined))


@dataclass
class HeaderSearch:
    header: HeaderMap | None
    rows: Iterator[Row]
    first_cells: list[str]  # the first non-blank row's texts, to say what the file holds


def find_header(rows: Iterator[Row]) -> HeaderSearch:
    """The first row (of the first few) naming at least two contract fields; with the row
    below it when that completes a two-row (merged) heading."""
    first: list[str] = []
    for _ in range(_HEADER_SCAN_ROWS):
        row = next(rows, None)
        if row is None:
            break
        if not first and not is_blank(row[1]):
            first = [cell_text(cell) or "" for cell in row[1]]
        mapped = map_headers(*row)
        if len(mapped.fields) < 2:
            continue
        below = next(rows, None)
        if below is None:
            return HeaderSearch(mapped, rows, first)
        merged = _subheader(row, below)
        if merged is not None and len(merged.fields) > len(mapped.fields):
            return HeaderSearch(merged, rows, first)
        return HeaderSearch(mapped, chain([below], rows), first)
    return HeaderSearch(None, rows, first)


def row_record(
    header: HeaderMap, number: int, cells: list[object], region: str, name: str
) -> dict[str, Any]:
    """The raw record of one data row: logical fields as text, extras, the original row
    (empty cells left out of `_extra` and `_raw`: a wide header must not make every row
    of a small file a large record)."""

    def at(index: int, as_date: bool = False) -> str | None:
        return cell_text(cells[index], as_date=as_date) if index < len(cells) else None

    record: dict[str, Any] = {
        field_name: at(index, field_name in DATE_FIELDS)
        for field_name, index in header.fields.items()
    }
    record["_extra"] = {
        label: value for label, index in header.extra.items() if (value := at(index)) is not None
    }
    record["_raw"] = {
        label: value
        for index, label in enumerate(header.labels)
        if (value := at(index)) is not None
    }
    for index in range(len(header.labels), len(cells)):  # cells beyond the header
        if (value := at(index)) is not None:
            record["_raw"][f"column_{index + 1}"] = value
    record.update(region_code=region, file_name=name, row_number=number)
    return record


def _cell_problem(header: HeaderMap, cells: list[object]) -> RowProblem | None:
    """A cell longer than any spreadsheet cell. (NUL, which jsonb refuses, cannot get this
    far: the reader refuses text files holding it, and XML cannot hold it.)"""
    for index, cell in enumerate(cells):
        if isinstance(cell, str) and len(cell) > MAX_CELL_CHARS:
            label = header.labels[index] if index < len(header.labels) else f"column_{index + 1}"
            return (
                "field_too_large",
                f"column {label!r} holds {len(cell)} characters, over the {MAX_CELL_CHARS}"
                " a spreadsheet cell can hold",
            )
    return None


def _repeat_problem(header: HeaderMap, cells: list[object]) -> RowProblem | None:
    for name, others in header.repeats.items():
        first = header.fields[name]
        value = (cell_text(cells[first]) if first < len(cells) else None) or ""
        for other in others:
            again = (cell_text(cells[other]) if other < len(cells) else None) or ""
            if again.strip() and value.strip() != again.strip():
                return (
                    "conflicting_columns",
                    f"{name}: column {header.labels[first]!r} holds {value!r} but column "
                    f"{header.labels[other]!r} holds {again!r}",
                )
    return None


def row_problem(record: dict[str, Any], report_type: str) -> RowProblem | None:
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
    return _number_problem(record) or _text_problem(record)


def _number_problem(record: dict[str, Any]) -> RowProblem | None:
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
                parse_level(record[name])
            except ValueProblem:
                return "invalid_level", f"{name} {record[name]!r} is not a level 1-5"
    return None


def _text_problem(record: dict[str, Any]) -> RowProblem | None:
    instansi = record.get("instansi_asal") or ""
    code = re.sub(r"\s", "", instansi)
    if _CODE_LIKE.match(instansi) and not REGION_CODE.match(code):
        hint = f" (a BPS code? Kemendagri writes {code[:2]}.{code[2:]})" if len(code) == 4 else ""
        return (
            "unknown_instansi",
            f"instansi_asal {instansi!r} is a number but no Kemendagri region code"
            f" (35, 35.15){hint}",
        )
    for name in TEXT_FIELDS:
        value = record.get(name)
        if value and formula_trigger(value):
            return (
                "formula_like_text",
                f"{name} {value[:80]!r} starts like a spreadsheet formula; kept out of the marts"
                " (a CSV export opened in a spreadsheet would run it)",
            )
    return None


def check_row(
    header: HeaderMap, number: int, cells: list[object], region: str, file_name: str
) -> tuple[dict[str, Any], RowProblem | None]:
    """A data row's raw record, and why it is quarantined (None when it loads)."""
    assert header.report_type is not None
    record = row_record(header, number, cells, region, file_name)
    problem = (
        _cell_problem(header, cells)
        or _repeat_problem(header, cells)
        or row_problem(record, header.report_type)
    )
    return record, problem


def refused_record(
    record: dict[str, Any], problem: RowProblem, file_name: str, number: int
) -> QuarantinedRecord:
    """What `quarantine.records` keeps of a refused row: its record, the reason and where."""
    reason, detail = problem
    kept = _quarantine_copy(record) if reason == "field_too_large" else record
    return QuarantinedRecord(
        (record.get("nip") or "")[:64] or None,
        reason,
        {**kept, "_detail": f"{file_name}, row {number}: {detail}"},
    )


def ingest_file(
    path: Path,
    region_code: str,
    *,
    target: WarehouseTarget | None = None,
    source: Source | None = None,
) -> FileSummary:
    """Load one regional upload by the file-drop contract (see the module docstring), over
    a connection of its own. A sweep of many files uses one `FileLoader` instead."""
    source = source or load_registry().source(SOURCE)
    with connect(target or resolve_target(), autocommit=True) as conn:
        return FileLoader(conn, source).load(Path(path), region_code)


class FileLoader:
    """Loads uploads one after another over one connection, which it never commits itself.

    On an autocommit connection each file is a transaction of its own. Inside a
    transaction the caller holds open, each file's batch is a savepoint (a bad or failing
    file is undone alone, and recorded) and the caller's commit keeps them all: a sweep
    commits a group of files at once instead of one commit, and two connections, per file.
    """

    def __init__(self, conn: psycopg.Connection, source: Source) -> None:
        self.conn = conn
        self.source = source
        self.tables_ready: set[str] = set()  # raw tables this connection created or saw

    def load(self, path: Path, region_code: str) -> FileSummary:
        if not REGION_CODE.match(region_code):
            raise ValueError(
                f"{SOURCE}: region code {region_code!r} is not a Kemendagri code (35, 35.15)"
            )
        if path.is_symlink():  # never read through a link: it may point anywhere
            return refuse_link(path, region_code)
        name = safe_text(path.name)
        summary = FileSummary(
            file=safe_text(str(path)), region_code=region_code, sha256=file_sha256(path)
        )
        previous = _previous_load_in(self.conn, summary.sha256, summary.region_code)
        if previous is not None:
            return as_duplicate(summary, previous)
        rejection = precheck(path, self.source)
        if rejection is not None:
            return _reject(self.conn, summary, *rejection)
        limits = ArchiveLimits(max_unpacked_bytes=self.source.max_unpacked_mb << 20)
        try:
            with open_table(path, limits) as table:
                report = take_report(table, summary, name)
                if not isinstance(report, Report):
                    return _reject(self.conn, summary, *report)
                self._load_rows(summary, report.header, report.rows, name, path.stat().st_size)
        except UnreadableFile as error:
            return _reject(
                self.conn, summary, error.reason, str(error), rows_rejected=summary.rows_read
            )
        except _AlreadyLoaded as done:
            return as_duplicate(summary, done.previous)
        log_loaded(summary)
        return summary

    def _load_rows(
        self,
        summary: FileSummary,
        header: HeaderMap,
        rows: Iterator[Row],
        file_name: str,
        size: int,
    ) -> None:
        """One batch: COPY good rows, quarantine bad ones, record the file — kept or undone
        together. Rows stream through; refused ones are written every `_QUARANTINE_CHUNK`
        (between two COPYs of the batch), so no file is ever held whole."""
        report_type = header.report_type
        assert report_type is not None
        entity = self.source.entity(report_type)
        reasons: Counter[str] = Counter()
        ready = entity.table in self.tables_ready
        with batch_on(
            self.conn, SOURCE, entity.name, entity.table, ensure_table=not ready
        ) as batch:
            with batch.conn.pipeline():
                batch.conn.execute(
                    "select pg_advisory_xact_lock(hashtext(%s))",
                    (summary.sha256 + summary.region_code,),
                )
                previous = _previous_load_in(batch.conn, summary.sha256, summary.region_code)
            if previous is not None:  # loaded concurrently since we looked
                raise _AlreadyLoaded(previous)
            prefix = batch.line_prefix(datetime.now(UTC))
            refused: list[QuarantinedRecord] = []
            finished = False
            while not finished:
                with batch.copy(queued=size > _QUEUED_COPY_BYTES) as copy:
                    for number, cells in rows:
                        if is_blank(cells):
                            continue
                        record, problem = check_row(
                            header, number, cells, summary.region_code, file_name
                        )
                        batch.rows_read += 1
                        summary.rows_read = batch.rows_read
                        if problem is None:
                            line, _ = copy_text_line(prefix, canonical_json(record))
                            copy.write(line)
                            batch.rows_loaded += 1
                            continue
                        reasons[problem[0]] += 1
                        refused.append(refused_record(record, problem, file_name, number))
                        if len(refused) >= _QUARANTINE_CHUNK:
                            break  # end this COPY to write them; the next one goes on
                    else:
                        finished = True
                batch.quarantine(refused)
                refused.clear()
            summary.batch_id = batch.batch_id
            summary.rows_read = batch.rows_read
            summary.rows_loaded = batch.rows_loaded
            summary.rows_quarantined = batch.rows_quarantined
            summary.quarantine_reasons = dict(sorted(reasons.items()))
            _record_file(batch.conn, summary, "loaded")
        self.tables_ready.add(entity.table)


class _AlreadyLoaded(Exception):
    def __init__(self, previous: dict[str, Any]) -> None:
        self.previous = previous


def refuse_link(path: Path, region_code: str) -> FileSummary:
    """A symbolic link in the landing zone: refused unread, and not recorded in
    `meta.file_loads` (it has no content of its own to take a checksum of)."""
    try:
        points_to = safe_text(str(path.readlink()))
    except OSError:
        points_to = "?"
    summary = FileSummary(
        file=safe_text(str(path)),
        region_code=region_code,
        sha256="",
        status="rejected",
        reason="symlink",
        detail=(
            f"{safe_text(path.name)}: a symbolic link (to {points_to}), not an uploaded file;"
            " links are never followed"
        ),
    )
    log.warning("%s: %s rejected (symlink): %s", SOURCE, summary.file, summary.detail)
    return summary


def precheck(path: Path, source: Source) -> tuple[str, str] | None:
    name = safe_text(path.name)
    if not path.is_file():
        return "not_found", f"{name} is not a regular file"
    if path.suffix.lower() not in SUPPORTED:
        return (
            "wrong_type",
            f"{name}: {path.suffix or 'no extension'} is not one of {', '.join(SUPPORTED)}",
        )
    size = path.stat().st_size
    limit = source.max_file_mb * 1024 * 1024
    if size > limit:
        return "too_large", f"{name}: {size} bytes is over the {source.max_file_mb} MB limit"
    if size == 0:
        return "empty", f"{name}: the file is empty (0 bytes)"
    return None


@dataclass
class Report:
    """A file's report table: its header and the rows below it."""

    header: HeaderMap
    rows: Iterator[Row]


def take_report(table: Table, summary: FileSummary, name: str) -> Report | tuple[str, str]:
    """The report in `table`, with its sheet, type, extra columns and ignored sheets noted
    on `summary`; or why the file holds none (reason, detail)."""
    summary.sheet = table.sheet
    search = find_header(table.rows)
    rejection = report_problem(name, table, search)
    if rejection is not None:
        return rejection
    header = search.header
    assert header is not None and header.report_type is not None
    summary.report_type = header.report_type
    summary.extra_columns = list(header.extra)
    summary.warnings.extend(ignored_sheets(table))
    return Report(header, search.rows)


def report_problem(name: str, table: Table, search: HeaderSearch) -> tuple[str, str] | None:
    """Why the file holds no loadable report, or None."""
    header = search.header
    where = f"{name}" + (f", sheet {table.sheet!r}" if table.sheet else "")
    if header is None or header.report_type is None:
        if table.hint:
            return "wrong_type", f"{where}: {table.hint}, not a report table"
        found = [cell for cell in search.first_cells if cell.strip()]
        if not found:
            elsewhere = _report_sheets(table)
            if elsewhere:
                return "no_header", f"{where}: empty; the report is on sheet {elsewhere[0]!r}"
            return "empty", f"{where}: no text in the first {_HEADER_SCAN_ROWS} rows"
        keys = {header_key(cell) for cell in found}
        if keys >= _OPEN_DATA_COLUMNS:
            return (
                "not_a_report",
                f"{where}: an open-data aggregate (columns {', '.join(found[:8])}): one row per"
                " region and year, while a report has one row per ASN (NIP)",
            )
        elsewhere = _report_sheets(table)
        if elsewhere:
            return (
                "no_header",
                f"{where}: no report columns; sheet {elsewhere[0]!r} has them, but only the"
                " first sheet is read: move it first",
            )
        return (
            "no_header",
            f"{where}: no row of the first {_HEADER_SCAN_ROWS} names two of the contract's"
            f" columns (first row: {', '.join(found[:8])})",
        )
    missing = header.missing()
    if missing:
        accepted = "; ".join(f"{f}: {', '.join(HEADER_ALIASES[f])}" for f in missing)
        return (
            "missing_columns",
            f"{where}: a {header.report_type} report without column(s) for"
            f" {', '.join(missing)} (header row {header.header_row}; accepted headers: {accepted})",
        )
    elsewhere = _report_sheets(table)
    if elsewhere:
        return (
            "several_reports",
            f"{where}: sheets {', '.join(repr(s) for s in elsewhere[:5])} also hold report"
            " columns, but a file is one report and only the first sheet is read:"
            " upload one file per report",
        )
    return None


def _report_sheets(table: Table) -> list[str]:
    """The other sheets whose first rows name a report's columns."""
    found = []
    for title, read in table.other_sheets:
        rows = read()
        try:
            header = find_header(rows).header
        finally:
            close = getattr(rows, "close", None)
            if close is not None:
                close()
        if header is not None and header.report_type is not None:
            found.append(title)
    return found


def ignored_sheets(table: Table) -> list[str]:
    if not table.other_sheets:
        return []
    titles = [title for title, _ in table.other_sheets]
    shown = ", ".join(repr(t) for t in titles[:5]) + (" …" if len(titles) > 5 else "")
    return [f"{len(titles)} other sheet(s) without report columns ignored: {shown}"]


def _quarantine_copy(record: dict[str, Any]) -> dict[str, Any]:
    """The record with over-long text cut, so a huge cell is not stored whole again."""

    def cut(value: Any) -> Any:
        if isinstance(value, str) and len(value) > _QUARANTINE_TEXT_CHARS:
            return f"{value[:_QUARANTINE_TEXT_CHARS]}… [{len(value)} characters]"
        if isinstance(value, dict):
            return {key: cut(item) for key, item in value.items()}
        return value

    return {key: cut(value) for key, value in record.items()}


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


def _reject(
    conn: psycopg.Connection,
    summary: FileSummary,
    reason: str,
    detail: str,
    *,
    rows_rejected: int = 0,
) -> FileSummary:
    """Reject the whole file: nothing loaded, the reason recorded against its checksum.
    `rows_rejected`: rows read (and rolled back) before the file turned out unreadable."""
    mark_rejected(summary, reason, detail, rows_rejected=rows_rejected)
    with conn.transaction():  # a savepoint when the caller holds a transaction open
        _record_file(conn, summary, "rejected")
    log_rejected(summary)
    return summary


def mark_rejected(
    summary: FileSummary, reason: str, detail: str, *, rows_rejected: int = 0
) -> FileSummary:
    """The summary of a file rejected whole: nothing loaded, the reason and detail."""
    summary.status = "rejected"
    summary.reason = reason
    summary.detail = safe_text(detail)  # readers name the file as the system gave it
    summary.rows_read = summary.rows_rejected = rows_rejected
    summary.rows_loaded = summary.rows_quarantined = 0
    summary.quarantine_reasons = {}
    summary.batch_id = None
    return summary


def log_rejected(summary: FileSummary) -> None:
    log.warning("%s: %s rejected (%s): %s", SOURCE, summary.file, summary.reason, summary.detail)


def log_loaded(summary: FileSummary) -> None:
    log.info(
        "%s: %s (region %s) %s: %d rows read, %d loaded, %d quarantined %s",
        SOURCE, safe_text(Path(summary.file).name), summary.region_code, summary.report_type,
        summary.rows_read, summary.rows_loaded, summary.rows_quarantined,
        summary.quarantine_reasons or "",
    )  # fmt: skip


def as_duplicate(summary: FileSummary, previous: dict[str, Any]) -> FileSummary:
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
