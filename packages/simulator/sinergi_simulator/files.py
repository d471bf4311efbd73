"""`bpsdm_daerah` file drop: regional uploads as CSV/XLSX in `<out>/<region>/<yyyy-mm>/`.

Each region-month folder gets one participation report and/or one assessment
report. Every file picks its own header variants, date and amount formats,
delimiter and encoding (deterministically from the seed), so a full drop
exercises every variant of the file-drop contract. A folder's rows come from
every ASN block (anyone may train at a province's BPSDM), so a month's rows are
spooled to disk per file as the blocks are generated, then each file is written
from its spool: memory holds one block's rows, never a month of the world.
"""

from __future__ import annotations

import csv
import io
import logging
import pickle
import re
import tempfile
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from sinergi_simulator import landing
from sinergi_simulator.entities import Sources, impossible_date, training_code, world_day
from sinergi_simulator.landing import ASSESSMENT_HEADERS, OPTIONAL, PARTICIPATION_HEADERS
from sinergi_simulator.nip import mangle
from sinergi_simulator.timeline import N_PERIODS, PERIOD_START_MS, WORLD_END_MS, period_year_month
from sinergi_simulator.truth import broken_file_name
from sinergi_simulator.vocab import (
    COMPETENCY_TYPES,
    FIRST_NAMES_F,
    FIRST_NAMES_M,
    FORMULA_LIKE,
    FUNDING_SPELLINGS,
    JOBS,
    LAST_NAMES,
    TRAINING_KINDS,
)
from sinergi_simulator.world import LULUS, PROSES

logger = logging.getLogger(__name__)

MONTHS_LONG = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
               "September", "Oktober", "November", "Desember")  # fmt: skip
MONTHS_SHORT = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")
DATE_FORMATS = ("iso", "dmy_slash", "dmy_dash", "long_id", "short_id", "serial", "date_cell")
AMOUNT_FORMATS = ("plain", "dotted", "rp_dotted_cents", "rp_commas")
ENCODINGS = ("utf-8", "utf-8-sig", "cp1252")
EXCEL_EPOCH_OFFSET = 25569  # Excel serial of 1970-01-01
FIXED_ZIP_TIME = (2000, 1, 1, 0, 0, 0)
FIXED_DOC_TIME = "2000-01-01T00:00:00Z"

RESULT_TEXT = {
    LULUS: ("Lulus", "LULUS", "lulus"),
    2: ("Tidak Lulus", "TIDAK LULUS"),
    PROSES: ("Proses",),
}
COMPETENCY_TEXT = {"teknis": ("teknis", "Teknis"), "manajerial": ("manajerial", "Manajerial"),
                   "sosial_kultural": ("sosial_kultural", "Sosial Kultural")}  # fmt: skip


@dataclass(frozen=True)
class FileStyle:
    """How one file is written: every choice the contract allows a region to make."""

    ext: str
    headers: dict[str, str]
    date_format: str
    amount_format: str
    delimiter: str
    encoding: str
    extra_column: bool
    u: np.ndarray  # spare uniforms for per-file choices


def file_style(sources: Sources, folder: int, period: int, report: str) -> FileStyle:
    """Deterministic style of the file of one folder and report type."""
    u = landing.style_uniforms(sources, np.array([folder]), period, report)[0]
    ext = "xlsx" if u[0] < 0.4 else "csv"
    table = PARTICIPATION_HEADERS if report == "participations" else ASSESSMENT_HEADERS
    drift = min(1.0, sources.world.mess.drift_rate * 10)
    headers = {}
    for i, (field, options) in enumerate(table.items()):
        if field in OPTIONAL and landing.column_dropped(sources, u[1 + i]):
            continue  # a missing optional column
        header = options[int(u[1 + i] * len(options)) % len(options)]
        style = int(u[14] * 4)
        header = (header, header.upper(), header.lower(), header.replace(" ", "_"))[style]
        headers[field] = header
    formats = DATE_FORMATS if ext == "xlsx" else DATE_FORMATS[:-1]
    return FileStyle(
        ext=ext,
        headers=headers,
        date_format=formats[int(u[15] * len(formats))],
        amount_format=AMOUNT_FORMATS[int(u[16] * len(AMOUNT_FORMATS))],
        delimiter=";" if u[17] < 0.5 else ",",
        encoding=ENCODINGS[int(u[18] * len(ENCODINGS))],
        extra_column=u[19] < max(drift, 0.2),
        u=u,
    )


def format_date(days: int, fmt: str) -> Any:
    """A day (since epoch) as a region writes it."""
    day = date.fromordinal(date(1970, 1, 1).toordinal() + days)
    if fmt == "iso":
        return day.isoformat()
    if fmt == "dmy_slash":
        return f"{day.day:02d}/{day.month:02d}/{day.year}"
    if fmt == "dmy_dash":
        return f"{day.day:02d}-{day.month:02d}-{day.year}"
    if fmt == "long_id":
        return f"{day.day} {MONTHS_LONG[day.month - 1]} {day.year}"
    if fmt == "short_id":
        return f"{day.day} {MONTHS_SHORT[day.month - 1]} {day.year}"
    if fmt == "serial":
        return days + EXCEL_EPOCH_OFFSET
    return day  # date_cell: a real Excel date


def format_bad_date(year: int, how: int, fmt: str) -> str:
    """An impossible date in the file's own date style."""
    iso = impossible_date(year, how)
    y, m, d = iso.split("-")
    if fmt == "dmy_slash":
        return f"{d}/{m}/{y}"
    if fmt == "dmy_dash":
        return f"{d}-{m}-{y}"
    if fmt in ("long_id", "short_id") and int(m) <= 12:
        names = MONTHS_LONG if fmt == "long_id" else MONTHS_SHORT
        return f"{int(d)} {names[int(m) - 1]} {y}"
    return iso


def format_file_amount(value: int, fmt: str, ext: str) -> Any:
    if fmt == "plain":
        return value if ext == "xlsx" else str(value)
    dotted = f"{value:,}".replace(",", ".")
    if fmt == "dotted":
        return dotted
    if fmt == "rp_dotted_cents":
        return f"Rp {dotted},00"
    return f"Rp{value:,}"


def _person(gender: int, first: int, last: int) -> str:
    names = FIRST_NAMES_M if gender == 1 else FIRST_NAMES_F
    return names[first] + (f" {LAST_NAMES[last]}" if LAST_NAMES[last] else "")


def _sub_u(u: float, k: int) -> float:
    """Another uniform derived from one, for minor per-row choices."""
    return (float(u) * (7919, 104729, 1299709)[k - 1]) % 1.0


def _spaced_nip(text: str) -> str:
    return f"{text[:8]} {text[8:14]} {text[14]} {text[15:]}"


class MonthBuffer:
    """Rows of one block and month grouped by folder and report type, as logical-field dicts."""

    def __init__(self) -> None:
        self.rows: dict[tuple[int, str], list[dict[str, Any]]] = defaultdict(list)


class MonthSpool:
    """A month's rows per (folder, report) on disk, appended block by block, read in order."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.counts: dict[tuple[int, str], int] = defaultdict(int)

    def _path(self, key: tuple[int, str]) -> Path:
        return self.directory / f"{key[0]}-{key[1]}.pickle"

    def add(self, buffer: MonthBuffer) -> None:
        for key, rows in buffer.rows.items():
            with self._path(key).open("ab") as spool:
                pickle.dump(rows, spool, protocol=pickle.HIGHEST_PROTOCOL)
            self.counts[key] += len(rows)

    def rows(self, key: tuple[int, str]) -> Iterator[dict[str, Any]]:
        with self._path(key).open("rb") as spool:
            while True:
                try:
                    yield from pickle.load(spool)
                except EOFError:
                    return


def _participation_rows(sources: Sources, period: int, block: int, buffer: MonthBuffer) -> None:
    world = sources.world
    rows = landing.participation_file_rows(sources, period, block)
    if not len(rows.src):
        return
    act = world.participations(period, block)
    c = act.columns
    asn = world.asn_block(block)
    names = sources.training_names(period, c["host"][rows.src], {
        k.removeprefix("t_"): v[rows.src] for k, v in c.items() if k.startswith("t_")
    })  # fmt: skip
    year = period_year_month(period)[0]
    for i in range(len(rows.src)):
        s, reason, how = int(rows.src[i]), int(rows.reason[i]), int(rows.how[i])
        a = int(act.owner[s])
        nip = str(int(asn.nip[a]))
        if reason == 0:
            nip = mangle(int(nip), how)
        elif reason == 4:
            nip = ""
        elif _sub_u(c["variant_u"][s], 1) < 0.03:
            nip = _spaced_nip(nip)  # valid once spaces are removed
        final = int(c["final"][s])
        result = PROSES if rows.kind[i] == landing.ORIGIN_REPORT and c["proses"][s] else final
        host, number = int(c["host"][s]), int(c["number"][s])
        jp = int(c["t_jp"][s])
        unknown = reason == 3
        buffer.rows[(int(rows.folder[i]), "participations")].append(
            {
                "nip": nip,
                "nama": _person(int(asn.gender[a]), int(asn.first_name[a]), int(asn.last_name[a])),
                "instansi": int(c["inst"][s]),
                "instansi_u": float(c["variant_u"][s]),
                "pelatihan": f"Pelatihan Tidak Terdaftar {how % 1000}" if unknown else names[i],
                "kode": f"PLT{year % 100:02d}99-999-{how % 10000:04d}"
                if unknown
                else training_code(period, host, number),
                "jenis": TRAINING_KINDS[int(c["t_kind"][s])].file_label,
                "mulai": ("bad", year, how) if reason == 1 else int(c["t_start"][s]),
                "selesai": int(c["t_end"][s]),
                "jp": -jp if reason == 2 else jp,
                "hasil": RESULT_TEXT[result][
                    int(_sub_u(c["variant_u"][s], 2) * 3) % 3 % len(RESULT_TEXT[result])
                ],
                "sumber": FUNDING_SPELLINGS["APBD"][int(_sub_u(c["variant_u"][s], 3) * 3)],
                "biaya": jp * 150_000,
                "free_u": float(c["file_u"][s]),
            }
        )


def _assessment_rows(sources: Sources, period: int, block: int, buffer: MonthBuffer) -> None:
    world = sources.world
    rows = landing.assessment_file_rows(sources, period, block)
    if not len(rows.src):
        return
    act = world.assessments(period, block)
    c = act.columns
    asn = world.asn_block(block)
    year = period_year_month(period)[0]

    def day_of(s: int) -> int:
        return int(world_day(period, c["day"][s]))

    for i in range(len(rows.src)):
        s, reason, how = int(rows.src[i]), int(rows.reason[i]), int(rows.how[i])
        a = int(act.owner[s])
        nip = str(int(asn.nip[a]))
        nip = mangle(int(nip), how) if reason == 0 else ("" if reason == 3 else nip)
        ctype = COMPETENCY_TYPES[int(c["ctype"][s])]
        buffer.rows[(int(rows.folder[i]), "assessments")].append(
            {
                "nip": nip,
                "nama": _person(int(asn.gender[a]), int(asn.first_name[a]), int(asn.last_name[a])),
                "instansi": int(asn.inst[a]),
                "instansi_u": float(c["file_u"][s]),
                "jabatan": JOBS[int(asn.job[a])][0],
                "kompetensi": COMPETENCY_TEXT[ctype][int(_sub_u(c["file_u"][s], 1) * 2)],
                "standar": int(c["standard"][s]),
                "capaian": (0, 6, 7)[how % 3] if reason == 2 else int(c["level"][s]),
                "tanggal": ("bad", year, how) if reason == 1 else day_of(s),
                "free_u": float(c["file_u"][s]),
            }
        )


def _cell_value(sources: Sources, field: str, value: Any, style: FileStyle, row: dict) -> Any:
    if field == "instansi":
        inst = value
        if style.headers["instansi"].lower().replace("_", " ") == "kode instansi":
            return sources.world.inst.codes[inst]
        k = sources.variant_index(np.array([inst]), np.array([row["instansi_u"]]))[0]
        return (
            sources.world.inst.names[inst] if k == 0 else sources.world.inst.variants[inst][k - 1]
        )
    if field in ("mulai", "selesai", "tanggal"):
        if isinstance(value, tuple):
            return format_bad_date(value[1], value[2], style.date_format)
        return format_date(value, style.date_format)
    if field == "biaya":
        return format_file_amount(value, style.amount_format, style.ext)
    return value


def _header(style: FileStyle) -> list[str]:
    header = [style.headers[f] for f in style.headers]
    return [*header, "Keterangan"] if style.extra_column else header


def _body(sources: Sources, rows: Iterable[dict], style: FileStyle) -> Iterator[list]:
    """Cell values of each row, in header order (a generator: rows stream from the spool)."""
    fields = list(style.headers)
    for row in rows:
        values = [_cell_value(sources, f, row[f], style, row) for f in fields]
        if style.extra_column:
            u = row["free_u"]
            values.append(FORMULA_LIKE[int(u * 1000) % len(FORMULA_LIKE)] if u < 0.1 else "")
        yield values


def _write_csv(path: Path, header: list[str], body: Iterable[list], style: FileStyle) -> None:
    with path.open("w", encoding=style.encoding, errors="replace", newline="") as text:
        writer = csv.writer(text, delimiter=style.delimiter, lineterminator="\r\n")
        writer.writerow(header)
        for values in body:
            writer.writerow(["" if v is None else v for v in values])


def _write_xlsx(path: Path, header: list[str], body: Iterable[list]) -> None:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Laporan")
    sheet.append(header)
    for values in body:
        cells = []
        for value in values:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # text stays text, even "=SUM(...)"
            elif isinstance(value, date):
                cell.number_format = "DD/MM/YYYY"
            cells.append(cell)
        sheet.append(cells)
    raw = io.BytesIO()
    workbook.save(raw)
    path.write_bytes(deterministic_zip(raw.getvalue()))


def deterministic_zip(data: bytes) -> bytes:
    """Rewrite an xlsx so it is byte-identical across runs (fixed zip and docProps times)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:)",
                    rb"\g<1>" + FIXED_DOC_TIME.encode() + rb"\g<3>",
                    content,
                )
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            dst.writestr(fixed, content)
    return out.getvalue()


def _write_broken(path: Path, kind: int) -> None:
    if kind == 0:  # a corrupt workbook: a zip cut short
        workbook = Workbook()
        workbook.active.append(["NIP", "Nama"])
        raw = io.BytesIO()
        workbook.save(raw)
        path.write_bytes(deterministic_zip(raw.getvalue())[:300])
    else:  # the wrong type: a PDF scan saved as .csv
        path.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n")


def _write_month(
    sources: Sources,
    out: Path,
    period: int,
    spool: MonthSpool,
    until_ms: int,
    written: dict[str, int],
) -> set[int]:
    """Write the month's files of the folders uploaded by `until_ms`; returns those folders."""
    keys = sorted(spool.counts)
    folder_ids = np.array(sorted({f for f, _ in keys}), dtype=np.int64)
    uploaded = landing.folder_upload_ms(sources.world, folder_ids, period) <= until_ms
    visible = set(folder_ids[uploaded].tolist())
    year, month = period_year_month(period)
    for folder, report in keys:
        if folder not in visible:
            continue
        style = file_style(sources, folder, period, report)
        body = _body(sources, spool.rows((folder, report)), style)
        directory = out / landing.folder_name(sources, folder, period)
        directory.mkdir(parents=True, exist_ok=True)
        code = sources.world.inst.codes[folder].replace(".", "")
        name = "peserta_pelatihan" if report == "participations" else "hasil_asesmen"
        path = directory / f"{name}_{code}_{year}{month:02d}.{style.ext}"
        if style.ext == "xlsx":
            _write_xlsx(path, _header(style), body)
        else:
            _write_csv(path, _header(style), body, style)
        written["files"] += 1
        written[f"{report[:-1]}_rows"] += spool.counts[(folder, report)]
    return visible


def write_files(sources: Sources, out: Path, until_ms: int = WORLD_END_MS) -> dict[str, int]:
    """Write every folder uploaded by `until_ms` under `out`; returns counts of what was written."""
    written = {"files": 0, "participation_rows": 0, "assessment_rows": 0, "broken_files": 0}
    folders: list[tuple[int, int]] = []
    for period in range(1, N_PERIODS):
        if PERIOD_START_MS[period] > until_ms:
            break  # folders are uploaded at the end of their month: none of these yet
        with tempfile.TemporaryDirectory(prefix="sinergi-sim-month-") as spool_dir:
            spool = MonthSpool(Path(spool_dir))
            for block in range(sources.world.n_blocks):
                buffer = MonthBuffer()
                _participation_rows(sources, period, block, buffer)
                _assessment_rows(sources, period, block, buffer)
                spool.add(buffer)
            visible = _write_month(sources, out, period, spool, until_ms, written)
        folders.extend((f, period) for f in sorted(visible))
    for folder, period, kind in landing.broken_files(sources, sorted(folders)):
        directory = out / landing.folder_name(sources, folder, period)
        _write_broken(directory / broken_file_name(folder, period, kind), kind)
        written["broken_files"] += 1
    logger.info("simulator: wrote %s under %s", written, out)
    return written
