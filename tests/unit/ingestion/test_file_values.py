"""Dates, amounts and cells in every form the file-drop contract allows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from sinergi.ingestion.file_drop import header_key, map_headers
from sinergi.ingestion.file_readers import sniff_delimiter
from sinergi.ingestion.file_values import (
    ValueProblem,
    cell_text,
    parse_amount,
    parse_date,
    parse_number,
)


@pytest.mark.parametrize(
    "text",
    [
        "2022-12-14",
        "14/12/2022",
        "14-12-2022",
        "14 Desember 2022",
        "14 Des 2022",
        "44909",
        "14 des. 2022",
    ],
)
def test_every_date_form(text: str) -> None:
    assert parse_date(text) == dt.date(2022, 12, 14)


@pytest.mark.parametrize(
    "text", ["31/02/2023", "2023-02-29", "14 Foo 2022", "14/12/0022", "kemarin", ""]
)
def test_impossible_or_unreadable_dates(text: str) -> None:
    with pytest.raises(ValueProblem):
        parse_date(text)


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("25000000", Decimal("25000000")),
        ("25.000.000", Decimal("25000000")),
        ("Rp 25.000.000,00", Decimal("25000000.00")),
        ("Rp25,000,000", Decimal("25000000")),
        ("Rp 1.234.567.890,50", Decimal("1234567890.50")),
        ("25,000,000.75", Decimal("25000000.75")),
        ("-Rp 5.000", Decimal("-5000")),
        ("Rp -5.000", Decimal("-5000")),
        ("1500,5", Decimal("1500.5")),
    ],
)
def test_every_amount_form(text: str, amount: Decimal) -> None:
    assert parse_amount(text) == amount


@pytest.mark.parametrize("text", ["Rp", "dua juta", "1.2.3,4,5", "12a"])
def test_unreadable_amounts(text: str) -> None:
    with pytest.raises(ValueProblem):
        parse_amount(text)


def test_numbers() -> None:
    assert parse_number("24,5") == Decimal("24.5")
    with pytest.raises(ValueProblem):
        parse_number("dua puluh")


def test_cells_never_lose_nip_digits_or_evaluate_formulas() -> None:
    assert cell_text(199001012020011001) == "199001012020011001"
    assert cell_text('=HYPERLINK("x")') == '=HYPERLINK("x")'
    assert cell_text(44909, as_date=True) == "2022-12-14"
    assert cell_text(dt.datetime(2022, 12, 14)) == "2022-12-14"
    assert cell_text(24.0) == "24"
    assert cell_text("   ") is None


def test_headers_match_case_space_and_punctuation_insensitively() -> None:
    assert header_key(" Biaya (Rp) ") == "biayarp"
    mapped = map_headers(
        1, ["No. Induk Pegawai", "NAMA PESERTA", "kode instansi", "Level Capaian", "Kolom Daerah"]
    )
    assert mapped.fields == {"nip": 0, "nama": 1, "instansi_asal": 2, "level_hasil": 3}
    assert mapped.extra == {"Kolom Daerah": 4}
    assert mapped.report_type == "assessments"


def test_delimiter_sniffing() -> None:
    assert sniff_delimiter("NIP;Nama;Instansi\n1;Budi, S.Kom;35\n") == ";"
    assert sniff_delimiter("NIP,Nama,Instansi\n1,Budi,35\n") == ","
