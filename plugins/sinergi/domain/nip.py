"""The NIP rule (docs/domain-rules.md): is an ASN number plausible, and if not, why?

PNS NIP (Perka BKN 22/2007): birth date `YYYYMMDD` + CPNS start `YYYYMM` +
gender `1`/`2` + 3-digit sequence; both dates real (years 1900-2099), start
after birth. NI PPPK numbers are also 18 digits but follow no such date rule.
We tell the two apart without a status column, by digits 13-14: in a PNS NIP
they are the start month (01-12); an NI PPPK has the appointment year then
`2` and the gender (`21`/`22`, never a month). So: a real birth date, then
either a valid PNS tail or a valid PPPK tail.

The warehouse implements the same rule once, in SQL (`meta.nip_invalid_reason`
in warehouse/sql/007_domain_rules.sql, which dbt staging and the GX raw
contracts call); this is the file-drop reader's copy, and both must give the
same reason code on every row of tests/data/rule_vectors/nip.csv. White space
(spaces, tabs, the no-break space) is ignored: `19900101 202001 1 001` is
how it is printed on paper.
"""

from __future__ import annotations

import re

from sinergi.domain.dates import is_real_date

# Which rule a NIP breaks, as a code and in words; the row's quarantine reason is `invalid_nip`.
NIP_REASONS = {
    "nip_missing": "missing",
    "nip_not_18_digits": "not 18 digits",
    "nip_birth_date_invalid": "birth date is not a real date",
    "nip_start_not_after_birth": "CPNS start is not after birth",
    "nip_gender_invalid": "gender digit is not 1 or 2",
    "nip_start_month_invalid": "neither a PNS start month nor a PPPK marker",
    "nip_pppk_year_not_after_birth": "PPPK appointment year is not after birth",
}
_WHITE_SPACE = re.compile(r"[\s\u00a0]", re.ASCII)
_EIGHTEEN_DIGITS = re.compile(r"[0-9]{18}")


def normalise_nip(value: str) -> str:
    """The NIP without the white space people type into it."""
    return _WHITE_SPACE.sub("", value)


def nip_invalid_reason(value: str | None) -> str | None:
    """The reason code of the first rule the value breaks, or None when it is valid."""
    text = normalise_nip(value or "")
    if not text:
        return "nip_missing"
    if not _EIGHTEEN_DIGITS.fullmatch(text):
        return "nip_not_18_digits"
    if not is_real_date(int(text[0:4]), int(text[4:6]), int(text[6:8])):
        return "nip_birth_date_invalid"
    if 1 <= int(text[12:14]) <= 12:  # PNS: CPNS start year-month, then gender
        if text[8:14] <= text[0:6]:
            return "nip_start_not_after_birth"
        if text[14] not in "12":
            return "nip_gender_invalid"
        return None
    # NI PPPK: appointment year, `2`, gender
    if text[12] != "2":
        return "nip_start_month_invalid"
    if text[13] not in "12":
        return "nip_gender_invalid"
    if int(text[8:12]) <= int(text[0:4]):
        return "nip_pppk_year_not_after_birth"
    return None


def nip_problem(value: str | None) -> str | None:
    """Why the value is not a plausible NIP / NI PPPK, in words, or None when it is."""
    reason = nip_invalid_reason(value)
    return None if reason is None else NIP_REASONS[reason]


def is_valid_nip(value: str | None) -> bool:
    return nip_invalid_reason(value) is None
