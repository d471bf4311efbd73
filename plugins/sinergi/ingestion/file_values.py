"""Values of regional uploads: dates, amounts and numbers in the file-drop contract's forms.

Used to *check* a row at ingest (quarantine what cannot be read); the raw
table keeps the text as it was in the file, and dbt staging parses it again
with the same rules. Dates: ISO `2022-12-14`, `14/12/2022`, `14-12-2022`,
`14 Desember 2022`, `14 Des 2022`, Excel serials. Amounts: `25000000`,
`25.000.000`, `Rp 25.000.000,00`, `Rp25,000,000`. Counts (JP) and levels in
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
from decimal import Decimal, InvalidOperation

EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 1 = 1900-01-01, Lotus' 1900 leap-year bug included
MIN_YEAR, MAX_YEAR = 1900, 2100
# Serials of 1900-01-01 .. 2100-12-31: a five-digit number in a date column.
_SERIAL_MIN, _SERIAL_MAX = 1, 73415

MONTHS = {
    "januari": 1, "jan": 1, "january": 1,
    "februari": 2, "feb": 2, "pebruari": 2, "peb": 2, "february": 2,
    "maret": 3, "mar": 3, "march": 3,
    "april": 4, "apr": 4,
    "mei": 5, "may": 5,
    "juni": 6, "jun": 6, "june": 6,
    "juli": 7, "jul": 7, "july": 7,
    "agustus": 8, "agu": 8, "agt": 8, "ags": 8, "aug": 8, "august": 8,
    "september": 9, "sep": 9, "sept": 9,
    "oktober": 10, "okt": 10, "oct": 10, "october": 10,
    "november": 11, "nov": 11, "nop": 11, "nopember": 11,
    "desember": 12, "des": 12, "dec": 12, "december": 12,
}  # fmt: skip

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$")
_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_D_MONTH_Y = re.compile(r"^(\d{1,2})\s+([A-Za-z]+)\.?\s+(\d{4})$")
_SERIAL = re.compile(r"^\d{1,5}(?:\.\d+)?$")


class ValueProblem(ValueError):
    """A value the contract cannot read; the message says why."""


def excel_serial_to_date(serial: float) -> dt.date:
    if not _SERIAL_MIN <= serial <= _SERIAL_MAX:
        raise ValueProblem(f"Excel serial {serial} is outside {MIN_YEAR}-{MAX_YEAR}")
    return EXCEL_EPOCH + dt.timedelta(days=int(serial))


def _real(year: int, month: int, day: int, text: str) -> dt.date:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueProblem(f"date {text!r}: year {year} is implausible")
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValueProblem(f"date {text!r} does not exist") from None


def parse_date(text: str) -> dt.date:
    """A date in any form of the contract; raises ValueProblem (impossible dates included)."""
    value = text.strip()
    if match := _ISO.match(value):
        return _real(int(match[1]), int(match[2]), int(match[3]), value)
    if match := _DMY.match(value):
        return _real(int(match[3]), int(match[2]), int(match[1]), value)
    if match := _D_MONTH_Y.match(value):
        month = MONTHS.get(match[2].lower())
        if month is None:
            raise ValueProblem(f"date {value!r}: unknown month {match[2]!r}")
        return _real(int(match[3]), month, int(match[1]), value)
    if _SERIAL.match(value):
        return excel_serial_to_date(float(value))
    raise ValueProblem(f"date {value!r} is in no accepted form")


def parse_amount(text: str) -> Decimal:
    """Rupiah amounts: `Rp` optional, `.` or `,` as thousands separator, `,00`/`.00` cents."""
    value = text.strip().replace(" ", "").replace("\u00a0", "")
    negative = value.startswith("-") or (value.startswith("(") and value.endswith(")"))
    value = re.sub(r"(?i)^rp\.?", "", value.strip("-()")).strip("-")
    negative = negative or text.replace(" ", "").lower().startswith(("rp-", "rp.-"))
    if not value or not re.fullmatch(r"[\d.,]+", value):
        raise ValueProblem(f"amount {text!r} is not a number")
    number = _normalise_separators(value, text)
    try:
        amount = Decimal(number)
    except InvalidOperation:
        raise ValueProblem(f"amount {text!r} is not a number") from None
    return -amount if negative else amount


def _normalise_separators(value: str, text: str) -> str:
    """`25.000.000,00` / `25,000,000.00` / `25.000.000` / `25000000,5` → `25000000.00`-like."""
    last_dot, last_comma = value.rfind("."), value.rfind(",")
    decimal_at = -1
    if last_dot >= 0 and last_comma >= 0:
        decimal_at = max(last_dot, last_comma)
    elif max(last_dot, last_comma) >= 0:
        sep = "." if last_dot >= 0 else ","
        groups = value.split(sep)
        is_thousands = len(groups) > 2 or len(groups[-1]) == 3
        if not is_thousands:
            decimal_at = value.rfind(sep)
    integer = value[:decimal_at] if decimal_at >= 0 else value
    fraction = value[decimal_at + 1 :] if decimal_at >= 0 else ""
    groups = re.split(r"[.,]", integer)
    if len(groups) > 1 and (not 1 <= len(groups[0]) <= 3 or any(len(g) != 3 for g in groups[1:])):
        raise ValueProblem(f"amount {text!r}: thousands separators in the wrong places")
    digits = "".join(groups)
    if not digits.isdigit() or (fraction and not fraction.isdigit()):
        raise ValueProblem(f"amount {text!r} is not a number")
    return f"{digits}.{fraction}" if fraction else digits


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
