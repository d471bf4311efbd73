"""The NIP rule of SPEC §1, for PNS and PPPK numbers."""

from __future__ import annotations

import pytest

from sinergi.domain.nip import is_valid_nip, nip_problem


@pytest.mark.parametrize(
    "nip",
    [
        "199001012020011001",  # PNS: born 1990-01-01, CPNS 2020-01, male, 001
        "19900101 202001 2 001",  # the same, typed with spaces, female
        "198502282019212005",  # PPPK: born 1985-02-28, appointed 2019, `2`, male
        "200002292023062999",  # leap day birth date
    ],
)
def test_valid(nip: str) -> None:
    assert is_valid_nip(nip), nip_problem(nip)


@pytest.mark.parametrize(
    ("nip", "problem"),
    [
        ("19900101202001100", "not 18 digits"),
        ("1990O1012020011001", "not 18 digits"),
        ("199002312020011001", "birth date"),
        ("199001012020013001", "gender"),
        ("199001011950011001", "not after birth"),
        ("199001011980212001", "PPPK appointment year"),
        ("199001012020231001", "neither"),
        ("", "missing"),
        (None, "missing"),
    ],
)
def test_invalid(nip: str | None, problem: str) -> None:
    assert problem in (nip_problem(nip) or "")
