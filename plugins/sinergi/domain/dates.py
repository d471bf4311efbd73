"""Dates as Indonesian sources write them (docs/source-contracts.md): the file-drop reader's copy.

ISO `2022-12-14` (a time part ignored), `14/12/2022`, `14-12-2022`,
`14.12.2022`, `14 Desember 2022`, `14 Des. 2022` (a month told by its first
three letters, Indonesian or English), or an Excel serial of five digits
(`44909`; day 0 = 1899-12-30, a time fraction ignored; 1927-05-18 to
2099-12-31). Years 1900-2099;
impossible dates (`31/02/2023`) are refused.

The warehouse implements the same rule once, in SQL (`meta.parse_date_id` in
warehouse/sql/007_domain_rules.sql, which dbt staging and the GX raw contracts
call); both must agree on every row of tests/data/rule_vectors/dates.csv.
"""

from __future__ import annotations

import datetime as dt
import re

from sinergi.domain.problems import ValueProblem

MIN_YEAR, MAX_YEAR = 1900, 2099
EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 1 = 1900-01-01, Lotus' 1900 leap-year bug included
# Five digits, up to 2099-12-31: `2022` in a date column is a year, not a serial.
SERIAL_MIN, SERIAL_MAX = 10_000, (dt.date(MAX_YEAR, 12, 31) - EXCEL_EPOCH).days

MONTHS = {
    "jan": 1, "feb": 2, "peb": 2, "mar": 3, "apr": 4, "mei": 5, "may": 5, "jun": 6,
    "jul": 7, "agu": 8, "ags": 8, "agt": 8, "aug": 8, "sep": 9, "okt": 10, "oct": 10,
    "nov": 11, "nop": 11, "des": 12, "dec": 12,
}  # fmt: skip

_FLAGS = re.ASCII | re.IGNORECASE
_ISO = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:[T ].*)?", _FLAGS | re.DOTALL)
_DMY = re.compile(r"([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4})", _FLAGS)
_D_MONTH_Y = re.compile(r"([0-9]{1,2})\s+([a-z]+)\.?\s+([0-9]{4})", _FLAGS)
_SERIAL = re.compile(r"([1-9][0-9]{4})(?:\.[0-9]+)?", _FLAGS)
_TRIM = " \t\n\r\f\v\u00a0"


def is_real_date(year: int, month: int, day: int) -> bool:
    """Whether the parts form a real Gregorian date in MIN_YEAR..MAX_YEAR."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        return False
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True


def excel_serial_to_date(serial: float) -> dt.date:
    if not SERIAL_MIN <= serial < SERIAL_MAX + 1:
        raise ValueProblem(
            f"Excel serial {serial} is outside {SERIAL_MIN}-{SERIAL_MAX} "
            f"({EXCEL_EPOCH + dt.timedelta(SERIAL_MIN)} to {MAX_YEAR}-12-31)"
        )
    return EXCEL_EPOCH + dt.timedelta(days=int(serial))


def _real(year: int, month: int, day: int, text: str) -> dt.date:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueProblem(f"date {text!r}: year {year} is outside {MIN_YEAR}-{MAX_YEAR}")
    if not is_real_date(year, month, day):
        raise ValueProblem(f"date {text!r} does not exist")
    return dt.date(year, month, day)


def parse_date(text: str) -> dt.date:
    """A date in any of the rule's forms; raises ValueProblem (impossible dates included)."""
    value = text.strip(_TRIM)
    if match := _ISO.fullmatch(value):
        return _real(int(match[1]), int(match[2]), int(match[3]), value)
    if match := _DMY.fullmatch(value):
        return _real(int(match[3]), int(match[2]), int(match[1]), value)
    if match := _D_MONTH_Y.fullmatch(value):
        month = MONTHS.get(match[2][:3].lower())
        if month is None:
            raise ValueProblem(f"date {value!r}: unknown month {match[2]!r}")
        return _real(int(match[3]), month, int(match[1]), value)
    if match := _SERIAL.fullmatch(value):
        return excel_serial_to_date(int(match[1]))
    raise ValueProblem(f"date {value!r} is in no accepted form")
