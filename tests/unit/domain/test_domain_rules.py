"""The Python domain rules (the file-drop reader's) on every shared test vector: NIP,
dates and rupiah (sinergi.domain) and counts (file_values.parse_number)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from rule_vectors import case_id, load

from sinergi.domain.dates import parse_date
from sinergi.domain.nip import nip_invalid_reason, nip_problem
from sinergi.domain.problems import ValueProblem
from sinergi.domain.rupiah import parse_amount
from sinergi.ingestion.file_values import parse_number


@pytest.mark.parametrize("row", load("nip"), ids=case_id)
def test_nip(row: dict[str, str]) -> None:
    assert nip_invalid_reason(row["input"]) == (row["reason"] or None), row["note"]


@pytest.mark.parametrize("row", load("dates"), ids=case_id)
def test_dates(row: dict[str, str]) -> None:
    if row["date"]:
        assert parse_date(row["input"]) == dt.date.fromisoformat(row["date"]), row["note"]
    else:
        with pytest.raises(ValueProblem):
            parse_date(row["input"])


@pytest.mark.parametrize("row", load("rupiah"), ids=case_id)
def test_rupiah(row: dict[str, str]) -> None:
    if row["amount"]:
        amount = parse_amount(row["input"])
        assert (amount, amount.as_tuple().exponent) == (Decimal(row["amount"]), -2), row["note"]
    else:
        with pytest.raises(ValueProblem):
            parse_amount(row["input"])


@pytest.mark.parametrize("row", load("numbers"), ids=case_id)
def test_numbers(row: dict[str, str]) -> None:
    if row["number"]:
        assert parse_number(row["input"]) == Decimal(row["number"]), row["note"]
    else:
        with pytest.raises(ValueProblem):
            parse_number(row["input"])


def test_nip_problem_in_words() -> None:
    """The file-drop reader's quarantine detail: words for each code, None when valid."""
    assert nip_problem(None) == "missing"
    assert nip_problem("199001012020011001") is None
    assert nip_problem("199001011950011001") == "CPNS start is not after birth"
