"""The NIP rule (SPEC §1): is an ASN number plausible?

PNS NIP (Perka BKN 22/2007): birth date `YYYYMMDD` + CPNS start `YYYYMM` +
gender `1`/`2` + 3-digit sequence; both dates real, start after birth.
NI PPPK numbers are also 18 digits but follow no such date rule. We tell the
two apart without a status column, by digits 13-14: in a PNS NIP they are
the start month (01-12); an NI PPPK has the appointment year then `2` and
the gender (`21`/`22`, never a month). So: a real birth date, then either a
valid PNS tail or a valid PPPK tail. The simulator generates by the same
rule, and dbt implements it again in SQL.

Spaces are ignored (`19900101 202001 1 001` is written that way on paper).
"""

from __future__ import annotations

import datetime as dt


def normalise_nip(value: str) -> str:
    """The NIP without the spaces people type into it."""
    return value.replace(" ", "").strip()


def _real_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def nip_problem(value: str | None) -> str | None:
    """Why the value is not a plausible NIP / NI PPPK, or None when it is."""
    if value is None or not value.strip():
        return "missing"
    text = normalise_nip(value)
    if len(text) != 18 or not text.isascii() or not text.isdigit():
        return "not 18 digits"
    birth = _real_date(int(text[0:4]), int(text[4:6]), int(text[6:8]))
    if birth is None:
        return "birth date is not a real date"
    year, month = int(text[8:12]), int(text[12:14])
    if 1 <= month <= 12:  # PNS: CPNS start year-month, then gender
        if (year, month) <= (birth.year, birth.month):
            return "CPNS start is not after birth"
        if text[14] not in "12":
            return "gender digit is not 1 or 2"
        return None
    # NI PPPK: appointment year, `2`, gender
    if text[12] != "2" or text[13] not in "12":
        return "neither a PNS start month nor a PPPK marker"
    if year <= birth.year:
        return "PPPK appointment year is not after birth"
    return None


def is_valid_nip(value: str | None) -> bool:
    return nip_problem(value) is None
