"""Reading an uploaded `.csv` or `.xlsx` as header + rows, row by row.

CSV: UTF-8 (with or without BOM) or Windows-1252, decided by a streaming
UTF-8 check before reading; delimiter `;` or `,` (or tab, `|`) sniffed from
the first lines. XLSX: the first sheet, read-only (streamed), formulas as
their text — never evaluated, and no cached result either. A file that
cannot be read at all raises `UnreadableFile` with the reason, so the whole
file is rejected rather than half loaded.
"""

from __future__ import annotations

import codecs
import csv
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sinergi.ingestion.file_values import cell_text

SUPPORTED = (".csv", ".xlsx")
_CHUNK = 1 << 20
# Signatures of files that are saved as .csv by mistake: PDF, zip/xlsx, old xls, PNG, JPEG.
_BINARY_MAGIC = (b"%PDF", b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"\x89PNG", b"\xff\xd8\xff")


class UnreadableFile(ValueError):
    """The file cannot be read as a table; `reason` is a short code, the message the detail."""

    def __init__(self, reason: str, detail: str) -> None:
        self.reason = reason
        super().__init__(detail)


# A row: its number in the file (1-based line / sheet row) and its cells (raw values).
Row = tuple[int, list[object]]


@dataclass
class Table:
    encoding: str | None
    delimiter: str | None
    rows: Iterator[Row]


def detect_encoding(path: Path) -> str:
    """`utf-8-sig` when the whole file is valid UTF-8 (BOM or not), else `cp1252`."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8-sig"


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
def open_table(path: Path) -> Iterator[Table]:
    """The rows of a `.csv` or `.xlsx` upload; raises UnreadableFile."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with _open_csv(path) as table:
            yield table
    elif suffix == ".xlsx":
        with _open_xlsx(path) as table:
            yield table
    else:
        raise UnreadableFile(
            "wrong_type", f"{path.name}: {suffix or 'no extension'} is not .csv/.xlsx"
        )


@contextmanager
def _open_csv(path: Path) -> Iterator[Table]:
    with path.open("rb") as probe:
        head = probe.read(4096)
    if b"\x00" in head or head.startswith(_BINARY_MAGIC):
        raise UnreadableFile("wrong_type", f"{path.name}: binary content, not a CSV text file")
    encoding = detect_encoding(path)
    try:
        with path.open("r", encoding=encoding, newline="") as handle:
            delimiter = sniff_delimiter(handle.read(64 * 1024))
            handle.seek(0)
            reader = csv.reader(handle, delimiter=delimiter)
            yield Table(encoding, delimiter, _csv_rows(path, reader))
    except UnicodeDecodeError as error:  # cp1252 has five undefined bytes
        raise UnreadableFile("unreadable", f"{path.name}: undecodable text: {error}") from error


def _csv_rows(path: Path, reader: csv.Reader) -> Iterator[Row]:  # type: ignore[name-defined]
    try:
        for cells in reader:
            yield reader.line_num, list(cells)
    except csv.Error as error:
        raise UnreadableFile(
            "unreadable", f"{path.name}: line {reader.line_num}: {error}"
        ) from error


@contextmanager
def _open_xlsx(path: Path) -> Iterator[Table]:
    import openpyxl  # heavy: only when a spreadsheet arrives

    if not zipfile.is_zipfile(path):
        raise UnreadableFile("corrupt_xlsx", f"{path.name}: not an xlsx (zip) file")
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises many types for broken files
        raise UnreadableFile(
            "corrupt_xlsx", f"{path.name}: {type(error).__name__}: {error}"
        ) from error
    try:
        if not book.worksheets:
            raise UnreadableFile("corrupt_xlsx", f"{path.name}: the workbook has no sheet")
        sheet = book.worksheets[0]
        yield Table(None, None, _xlsx_rows(path, sheet))
    finally:
        book.close()


def _xlsx_rows(path: Path, sheet: object) -> Iterator[Row]:
    try:
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):  # type: ignore[attr-defined]
            yield number, list(values)
    except Exception as error:
        raise UnreadableFile("corrupt_xlsx", f"{path.name}: row unreadable: {error}") from error


def is_blank(cells: list[object]) -> bool:
    return all(cell_text(cell) is None for cell in cells)
