"""NIP (PNS) and NI PPPK numbers: generation for the world and the validity rule.

PNS NIP (Perka BKN 22/2007): birth date YYYYMMDD + CPNS start YYYYMM + gender
1/2 + 3-digit sequence. NI PPPK: birth date YYYYMMDD + appointment year YYYY
+ `2` + gender 1/2 + 4-digit sequence; its digits 13-14 ("21"/"22") are never
a month, so the two forms cannot be confused. The rule in `is_valid_nip` is the
one the truth manifest's definitions state.

This is a second implementation of the product's NIP rule, on purpose: the
simulator generates the test world the product is checked against, so it must
not borrow the rule it checks (a bug shared by both would pass every test).
It imports nothing from `sinergi`.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

BIRTH_FIRST = np.datetime64("1965-01-01")
BIRTH_LAST = np.datetime64("1999-12-31")
N_BIRTH_DAYS = int((BIRTH_LAST - BIRTH_FIRST).astype(int)) + 1
GROUPS = N_BIRTH_DAYS * 2  # distinct (birth date, gender) pairs


def group_size(n_asn: int) -> int:
    """ASN per (birth date, gender) group so every NIP is unique (sequence stays 3 digits)."""
    size = -(-n_asn // GROUPS)
    if size > 999:
        raise ValueError(f"simulator: {n_asn} ASN do not fit 3-digit NIP sequences")
    return size


def _coprime_multiplier(seed: int) -> int:
    candidate = (seed * 2654435761 + 40503) % GROUPS or 1
    while np.gcd(candidate, GROUPS) != 1:
        candidate = (candidate + 1) % GROUPS or 1
    return candidate


def birth_and_gender(seed: int, index: np.ndarray, n_asn: int) -> tuple[np.ndarray, ...]:
    """(birth day since epoch, gender 1|2, sequence) per ASN index, injective on NIP.

    ASN are grouped `group_size` at a time; an affine permutation gives each
    group a distinct (birth date, gender), and the sequence numbers the ASN in
    the group, so no two ASN share birth date, gender and sequence.
    """
    size = group_size(n_asn)
    group = index // size
    slot = (group * _coprime_multiplier(seed) + seed) % GROUPS
    birth = BIRTH_FIRST.astype(np.int64) + slot // 2
    gender = slot % 2 + 1
    seq = index % size + 1
    return birth.astype(np.int64), gender.astype(np.int64), seq.astype(np.int64)


def _yyyymmdd(days: np.ndarray) -> np.ndarray:
    as_date = days.astype("datetime64[D]")
    years = as_date.astype("datetime64[Y]").astype(np.int64) + 1970
    months = (as_date.astype("datetime64[M]").astype(np.int64) % 12) + 1
    first = as_date.astype("datetime64[M]").astype("datetime64[D]")
    dom = (as_date - first).astype(np.int64) + 1
    return years * 10000 + months * 100 + dom


# Every possible birth date, converted once: a lookup is 5x cheaper than datetime64 casts.
_FIRST_DAY = int(BIRTH_FIRST.astype(np.int64))
_BIRTH_YMD = _yyyymmdd(np.arange(_FIRST_DAY, _FIRST_DAY + N_BIRTH_DAYS, dtype=np.int64))


def birth_yyyymmdd(days: np.ndarray) -> np.ndarray:
    """YYYYMMDD integers from days since epoch (birth dates of the world)."""
    return _BIRTH_YMD[days - _FIRST_DAY]


def pns_nip(birth: np.ndarray, start_ym: np.ndarray, gender: np.ndarray, seq: np.ndarray):
    """18-digit PNS NIPs as int64 (birth YYYYMMDD, start YYYYMM as ints)."""
    return birth * 10**10 + start_ym * 10**4 + gender * 10**3 + seq


def pppk_number(birth: np.ndarray, year: np.ndarray, gender: np.ndarray, seq: np.ndarray):
    """18-digit NI PPPK as int64."""
    return birth * 10**10 + year * 10**6 + (20 + gender) * 10**4 + seq


def _real_date(text: str) -> dt.date | None:
    try:
        return dt.date(int(text[0:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        return None


def is_valid_nip(value: object) -> bool:
    """The validity rule: 18 digits (spaces removed), a real birth date, and either
    a real CPNS start year-month after the birth month plus gender 1/2 (PNS), or an
    appointment year after the birth year then `2` and gender 1/2 (PPPK)."""
    if not isinstance(value, str):
        return False
    text = value.replace(" ", "")
    if len(text) != 18 or not text.isascii() or not text.isdigit():
        return False
    birth = _real_date(text[:8])
    if birth is None:
        return False
    year, month = int(text[8:12]), int(text[12:14])
    if 1 <= month <= 12:
        return (year, month) > (birth.year, birth.month) and text[14] in "12"
    return text[12] == "2" and text[13] in "12" and year > birth.year


def mangle(nip: int | str, how: int) -> str:
    """An invalid NIP derived from a valid one; `how` picks one of five realistic defects."""
    text = f"{int(nip):018d}"
    kind = how % 5
    if kind == 0:
        return text[:-1]  # a digit lost: 17 digits
    if kind == 1:
        return text[:5] + "O" + text[6:]  # letter O typed for zero
    if kind == 2:
        return text[:4] + "0231" + text[8:]  # 31 February as birth date
    if kind == 3:
        at = 14 if int(text[12:14]) <= 12 else 13  # the gender digit of either form
        return text[:at] + "3" + text[at + 1 :]
    return text[:8] + "1950" + "01" + text[14:]  # CPNS start before birth
