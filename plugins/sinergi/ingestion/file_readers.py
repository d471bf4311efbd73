"""Reading an uploaded `.csv` or `.xlsx` as header + rows, row by row, in bounded memory.

CSV: UTF-8 (with or without BOM), UTF-16 with a BOM (Excel's "Unicode Text")
or Windows-1252, decided by a streaming check of the whole file before the
first row is read; delimiter `;` or `,` (or tab, `|`) sniffed from the first
lines. A NUL byte in 8-bit text means binary data (or UTF-16 without a BOM),
and the file is refused before anything is loaded: PostgreSQL's jsonb cannot
hold NUL, so one such byte would otherwise fail the whole batch mid-load.

XLSX: the first worksheet, read-only (streamed), formulas as their text —
never evaluated, and no cached result either. Before openpyxl sees the file
its zip directory is checked against the unpacked-size and compression-ratio
limits, so a zip bomb is refused in milliseconds (Python's zipfile never
inflates a member beyond its declared size: a member lying about its size
fails its CRC check instead). The sheet's declared dimension is ignored
(a wrong one truncates rows; a huge one turns a tiny file into billions of
empty cells), and merged cells read as what a person sees: the top-left
value across the merged range.

A file that cannot be read at all raises `UnreadableFile` with a reason code
and a message naming the file and what it looks like instead, so the whole
file is rejected rather than half loaded.
"""

from __future__ import annotations

import codecs
import csv
import re
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from sinergi.ingestion.file_values import cell_text

SUPPORTED = (".csv", ".xlsx")
_CHUNK = 1 << 20
_CSV_FIELD_LIMIT = 64 << 20  # the csv module's default (128 KiB) would reject the file
_CP1252_ERRORS = "sinergi-cp1252-c1"


def _cp1252_as_windows(error: UnicodeError) -> tuple[str, int]:
    """Windows decodes cp1252's five undefined bytes (0x81, 0x8d, 0x8f, 0x90, 0x9d) as the
    C1 control of the same number; so do we, so any 8-bit text decodes."""
    assert isinstance(error, UnicodeDecodeError)
    return "".join(map(chr, error.object[error.start : error.end])), error.end


codecs.register_error(_CP1252_ERRORS, _cp1252_as_windows)


class UnreadableFile(ValueError):
    """The file cannot be read as a table; `reason` is a short code, the message the detail.
    `rows_read`: rows already read when the problem showed (0 when found up front)."""

    def __init__(self, reason: str, detail: str, rows_read: int = 0) -> None:
        self.reason = reason
        self.rows_read = rows_read
        super().__init__(detail)


# A row: its number in the file (1-based line / sheet row) and its cells (raw values).
Row = tuple[int, list[object]]


@dataclass(frozen=True)
class ArchiveLimits:
    """What an `.xlsx` may unpack to. A real workbook's sheet XML compresses 5-20:1; deflate
    reaches about 1000:1 on repeated bytes, which is what a zip bomb is made of."""

    max_unpacked_bytes: int = 500 << 20
    max_ratio: float = 100.0
    max_members: int = 10_000
    ratio_floor_bytes: int = 1 << 20  # smaller members are never worth calling a bomb


@dataclass
class Table:
    encoding: str | None
    delimiter: str | None
    rows: Iterator[Row]
    hint: str | None = None  # what the text looks like when it is no table (HTML, JSON)
    sheet: str | None = None
    # the workbook's other sheets: title and a way to read its rows (first lines only)
    other_sheets: Sequence[tuple[str, Callable[[], Iterator[Row]]]] = ()


def describe_content(head: bytes) -> str | None:
    """What the first bytes of a file say it is, when that is not a text table."""
    signatures = (
        (b"%PDF", "a PDF document"),
        (b"PK\x03\x04", "a zip archive (an .xlsx workbook?)"),
        (b"PK\x05\x06", "an empty zip archive"),
        (b"\xd0\xcf\x11\xe0", "an old Excel 97-2003 .xls (or a password-protected) workbook"),
        (b"\x89PNG", "a PNG image"),
        (b"\xff\xd8\xff", "a JPEG image"),
        (b"\x1f\x8b", "a gzip archive"),
        (b"Rar!", "a RAR archive"),
        (b"7z\xbc\xaf", "a 7-Zip archive"),
    )
    for magic, what in signatures:
        if head.startswith(magic):
            return what
    return None


def describe_text(head: bytes) -> str | None:
    """What a text file looks like when it is not a table: an HTML page, XML, JSON."""
    text = head.lstrip(b"\xef\xbb\xbf\xff\xfe \t\r\n").lower()
    if text.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<table")):
        return "an HTML page (a web page or an error page saved under this name?)"
    if text.startswith(b"<?xml") or text.startswith(b"<"):
        return "an XML/markup document"
    if text.startswith((b"{", b"[{", b"[\n", b"[\r", b'["', b"[ ")):
        return "JSON text"
    return None


def _bom_encoding(head: bytes) -> str | None:
    if head.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return "utf-32"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    return None


def detect_encoding(path: Path) -> str:
    """`utf-8-sig` when the whole file is valid UTF-8 (BOM or not), `utf-16` when it starts
    with a UTF-16 BOM and decodes as such, else `cp1252`. Raises UnreadableFile for NUL
    bytes in 8-bit text and for undecodable UTF-16."""
    with path.open("rb") as handle:
        head = handle.read(4)
    bom = _bom_encoding(head)
    if bom == "utf-32":
        raise UnreadableFile(
            "wrong_encoding", f"{path.name}: UTF-32 text; save it as UTF-8 (or UTF-16) CSV"
        )
    if bom == "utf-16":
        return _check_utf16(path)
    utf8 = codecs.getincrementaldecoder("utf-8")()
    is_utf8, offset = True, 0
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            if (nul := chunk.find(b"\x00")) >= 0:
                raise UnreadableFile(
                    "wrong_type",
                    f"{path.name}: NUL byte at byte {offset + nul}: binary data, or UTF-16 "
                    "text without a byte-order mark, not a CSV text file",
                )
            offset += len(chunk)
            if is_utf8:
                try:
                    utf8.decode(chunk)
                except UnicodeDecodeError:
                    is_utf8 = False
    if is_utf8:
        try:
            utf8.decode(b"", final=True)
        except UnicodeDecodeError:
            is_utf8 = False
    return "utf-8-sig" if is_utf8 else "cp1252"


def _check_utf16(path: Path) -> str:
    decoder = codecs.getincrementaldecoder("utf-16")()
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                if "\x00" in decoder.decode(chunk):
                    raise UnreadableFile(
                        "wrong_type", f"{path.name}: UTF-16 text holding NUL characters"
                    )
            decoder.decode(b"", final=True)
    except UnicodeDecodeError as error:
        raise UnreadableFile(
            "wrong_encoding", f"{path.name}: starts with a UTF-16 BOM but is not UTF-16: {error}"
        ) from error
    return "utf-16"


def sniff_delimiter(sample: str) -> str:
    """The delimiter of the first lines: the candidate splitting them most consistently."""
    lines = [line for line in sample.splitlines()[:20] if line.strip()]
    best, best_score = ",", -1
    for candidate in (";", ",", "\t", "|"):
        counts = [line.count(candidate) for line in lines]
        if not counts or counts[0] == 0:
            continue
        score = counts[0] * 10 + sum(1 for c in counts if c == counts[0])
        if score > best_score:
            best, best_score = candidate, score
    return best


@contextmanager
def open_table(path: Path, limits: ArchiveLimits | None = None) -> Iterator[Table]:
    """The rows of a `.csv` or `.xlsx` upload; raises UnreadableFile."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with _open_csv(path) as table:
            yield table
    elif suffix == ".xlsx":
        with _open_xlsx(path, limits or ArchiveLimits()) as table:
            yield table
    else:
        raise UnreadableFile(
            "wrong_type", f"{path.name}: {suffix or 'no extension'} is not .csv/.xlsx"
        )


@contextmanager
def _open_csv(path: Path) -> Iterator[Table]:
    with path.open("rb") as probe:
        head = probe.read(4096)
    if _bom_encoding(head) is None and (what := describe_content(head)):
        rename = " (rename it .xlsx)" if head.startswith(b"PK\x03\x04") else ""
        raise UnreadableFile("wrong_type", f"{path.name}: {what}, not a CSV text file{rename}")
    encoding = detect_encoding(path)
    errors = _CP1252_ERRORS if encoding == "cp1252" else "strict"
    if csv.field_size_limit() < _CSV_FIELD_LIMIT:
        csv.field_size_limit(_CSV_FIELD_LIMIT)
    with path.open("r", encoding=encoding, errors=errors, newline="") as handle:
        sample = handle.read(64 * 1024)
        delimiter = sniff_delimiter(sample)
        handle.seek(0)
        reader = csv.reader(handle, delimiter=delimiter)
        hint = describe_text(sample[:512].encode("utf-8", "replace"))
        yield Table(encoding, delimiter, _csv_rows(path, reader), hint=hint)


def _csv_rows(path: Path, reader: Any) -> Iterator[Row]:
    rows = 0
    try:
        for cells in reader:
            rows += 1
            yield reader.line_num, list(cells)
    except csv.Error as error:
        raise UnreadableFile(
            "unreadable", f"{path.name}: line {reader.line_num}: {error}", rows
        ) from error


def check_archive(path: Path, limits: ArchiveLimits) -> None:
    """Refuse, from its zip directory alone, an `.xlsx` that would unpack too big."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise UnreadableFile("corrupt_xlsx", f"{path.name}: broken zip: {error}") from error
    if len(members) > limits.max_members:
        raise UnreadableFile(
            "zip_bomb",
            f"{path.name}: {len(members)} zip members, over the {limits.max_members} limit",
        )
    unpacked = sum(member.file_size for member in members)
    if unpacked > limits.max_unpacked_bytes:
        raise UnreadableFile(
            "too_large",
            f"{path.name}: unpacks to {unpacked} bytes, over the "
            f"{limits.max_unpacked_bytes >> 20} MB limit for a workbook's contents",
        )
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > limits.ratio_floor_bytes and ratio > limits.max_ratio:
            raise UnreadableFile(
                "zip_bomb",
                f"{path.name}: member {member.filename} packs {member.file_size} bytes into "
                f"{member.compress_size} ({ratio:.0f}:1, over {limits.max_ratio:.0f}:1): "
                "a zip bomb, not a workbook",
            )


@contextmanager
def _open_xlsx(path: Path, limits: ArchiveLimits) -> Iterator[Table]:
    import openpyxl  # heavy: only when a spreadsheet arrives

    if not zipfile.is_zipfile(path):
        with path.open("rb") as probe:
            head = probe.read(4096)
        if head.startswith(b"PK"):
            raise UnreadableFile(
                "corrupt_xlsx", f"{path.name}: a damaged or truncated zip, not a readable .xlsx"
            )
        what = describe_content(head) or describe_text(head)
        if what is None and head and _looks_like_text(head):
            what = "a text file (a CSV? rename it .csv)"
        raise UnreadableFile(
            "wrong_type" if what else "corrupt_xlsx",
            f"{path.name}: {what or 'not an xlsx (zip) file'}, not an .xlsx workbook",
        )
    check_archive(path, limits)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises many types for broken files
        raise UnreadableFile(
            "corrupt_xlsx", f"{path.name}: {type(error).__name__}: {error}"
        ) from error
    try:
        sheets = list(book.worksheets)
        if not sheets:
            raise UnreadableFile("corrupt_xlsx", f"{path.name}: the workbook has no worksheet")
        for sheet in sheets:
            sheet.reset_dimensions()
        first = sheets[0]
        others = [(sheet.title, partial(_xlsx_rows, path, sheet, [])) for sheet in sheets[1:]]
        yield Table(
            None,
            None,
            _xlsx_rows(path, first, merged_ranges(first)),
            sheet=first.title,
            other_sheets=others,
        )
    finally:
        book.close()


def _looks_like_text(head: bytes) -> bool:
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return all(byte >= 0x20 or byte in b"\t\r\n" for byte in head)
    return b"\x00" not in head


# A merged range: (first row, first column, last row, last column), 1-based.
Merge = tuple[int, int, int, int]
_MERGE_REF = re.compile(
    rb"<(?:\w+:)?mergeCell\b[^>]*?\bref=\"([A-Z]{1,3})(\d+):([A-Z]{1,3})(\d+)\""
)
MAX_MERGED_CELLS = 100_000  # a merge larger than this is a trap, not a report layout
MAX_MERGES = 100_000


def merged_ranges(sheet: Any) -> list[Merge]:
    """The sheet's merged ranges, read from its XML (read-only mode does not parse them):
    a streaming scan for `<mergeCell ref="A2:A9"/>` (they follow the rows)."""
    from openpyxl.utils import column_index_from_string

    archive = getattr(getattr(sheet, "parent", None), "_archive", None)
    member = getattr(sheet, "_worksheet_path", None)
    if archive is None or member is None:
        return []
    merges: list[Merge] = []
    tail = b""
    with archive.open(member) as xml:
        while chunk := xml.read(_CHUNK):
            data = tail + chunk
            end = 0
            for match in _MERGE_REF.finditer(data):
                r1, r2 = int(match[2]), int(match[4])
                c1 = column_index_from_string(match[1].decode())
                c2 = column_index_from_string(match[3].decode())
                if (
                    0 < r1 <= r2
                    and 0 < c1 <= c2
                    and (r2 - r1 + 1) * (c2 - c1 + 1) <= (MAX_MERGED_CELLS)
                ):
                    merges.append((r1, c1, r2, c2))
                end = match.end()
            if len(merges) > MAX_MERGES:
                return []
            tail = data[max(end, len(data) - 256) :]
    return merges


def _xlsx_rows(path: Path, sheet: Any, merges: list[Merge]) -> Iterator[Row]:
    starting: dict[int, list[Merge]] = {}
    for merge in merges:
        starting.setdefault(merge[0], []).append(merge)
    active: list[tuple[int, int, int, object]] = []  # last row, first col, last col, value
    rows = 0
    try:
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = list(values)
            for _, c1, r2, c2 in starting.pop(number, ()):
                if c1 <= len(cells) and cells[c1 - 1] is not None:
                    active.append((r2, c1, c2, cells[c1 - 1]))
            if active:
                active = [item for item in active if item[0] >= number]
                _fill_merged(cells, active)
            rows += 1
            yield number, cells
    except Exception as error:
        raise UnreadableFile(
            "corrupt_xlsx",
            f"{path.name}: sheet {sheet.title!r} unreadable after row {rows}: "
            f"{type(error).__name__}: {error}",
            rows,
        ) from error


def _fill_merged(cells: list[object], active: list[tuple[int, int, int, object]]) -> None:
    for _, c1, c2, value in active:
        if len(cells) < c2:
            cells.extend([None] * (c2 - len(cells)))
        for index in range(c1 - 1, c2):
            if cells[index] is None:
                cells[index] = value


def is_blank(cells: list[object]) -> bool:
    return all(cell_text(cell) is None for cell in cells)
