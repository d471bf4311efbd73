"""Values of regional uploads: dates, amounts and numbers in the file-drop contract's forms.

Used to *check* a row at ingest (quarantine what cannot be read); the raw
table keeps the text as it was in the file, and dbt staging parses it again
with the same rules. Dates (`2022-12-14`, `14/12/2022`, `14 Desember 2022`,
Excel serials) and amounts (`25.000.000`, `Rp 25.000.000,00`, `Rp25,000,000`)
by the domain rules (`sinergi.domain.dates`, `sinergi.domain.rupiah`), the
twins of the warehouse's SQL functions. Counts (JP) and levels in
exactly the forms staging casts (`24`, `24,5`, `24.5`; levels whole numbers), so
a row ingestion accepts never fails, or turns null, in staging.

Formula triggers: a text cell starting with `=`, `+`, `-`, `@` (or a tab or
carriage return, or their full-width forms) is what a spreadsheet opening a
CSV export would run as a formula (`=HYPERLINK(...)`, `=cmd|...`). Uploads
are never evaluated here; `formula_trigger` tells the file-drop contract which
text must not travel on toward a mart (see file_drop). `safe_text` makes a
file name (any bytes on disk) valid text for JSON and jsonb.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

# The date and rupiah rules are the domain's (one Python copy, checked against the
# warehouse's SQL by tests/data/rule_vectors); named here for the file-drop contract.
from sinergi.domain.dates import excel_serial_to_date
from sinergi.domain.dates import parse_date as parse_date
from sinergi.domain.problems import ValueProblem
from sinergi.domain.rupiah import parse_amount as parse_amount

# staging's parse_number: `^-?\d+([.,]\d+)?$` after trimming; anything else is null there.
# Only ASCII digits and only spaces trimmed, as PostgreSQL's `btrim` and `[0-9]` do.
_NUMBER = re.compile(r"^-?[0-9]+(?:[.,][0-9]+)?$")
_WHOLE = re.compile(r"^[0-9]+$")


def parse_number(text: str) -> Decimal:
    """A plain count such as JP: `24`, `24.5`, `24,5` (not `1e3`, `+24` or `24.`)."""
    value = text.strip(" ")
    if not _NUMBER.match(value):
        raise ValueProblem(f"{text!r} is not a number")
    return Decimal(value.replace(",", "."))


def parse_level(text: str) -> int:
    """A competency level: a whole number 1-5 written as digits (`3`, not `3.0`: staging
    casts levels to integer, and PostgreSQL refuses `'3.0'::integer`)."""
    value = text.strip(" ")
    if not _WHOLE.match(value) or not 1 <= int(value) <= 5:
        raise ValueProblem(f"{text!r} is not a level 1-5")
    return int(value)


_FORMULA_START = frozenset("=+-@\t\r\uff1d\uff0b\uff0d\uff20")


def formula_trigger(text: str) -> bool:
    """Whether a spreadsheet would read this text as a formula: it starts (after spaces)
    with `=`, `+`, `-`, `@`, a tab or CR, or their full-width forms. Dashes alone (`-`,
    `--`), the usual "none" placeholder, are not."""
    if text[:1] in ("\t", "\r"):
        return True
    value = text.lstrip(" \u00a0")
    if not value or value[0] not in _FORMULA_START:
        return False
    return not set(value) <= {"-", " "}


def cell_text(value: object, *, as_date: bool = False) -> str | None:
    """A spreadsheet cell as the text a person sees (None when empty).

    Never through float for digits: openpyxl gives integers for integer
    cells, and a float here is written without losing what it holds.
    Dates (datetime cells, or serials in a date column) become ISO text.
    Formula cells arrive as their formula text and stay text.
    """
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float) and as_date:
        try:
            return excel_serial_to_date(float(value)).isoformat()
        except ValueProblem:
            return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    text = str(value)
    return text if text.strip() else None


def safe_text(text: str) -> str:
    """A file name, path or message as valid Unicode: bytes that are not UTF-8 (kept by
    Python as lone surrogates, which jsonb and JSON encoders refuse) become U+FFFD."""
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:  # a surrogate that is no escaped byte
        return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
