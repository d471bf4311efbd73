"""Values and registry text that hostile or careless uploads bring (no services needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sinergi.ingestion.file_drop import find_header, map_headers
from sinergi.ingestion.file_values import ValueProblem, formula_trigger, parse_level, parse_number
from sinergi.ingestion.registry import RegistryError, parse_registry

FILE_DROP = """
sources:
  bpsdm_daerah:
    kind: file_drop
    description: uploads
    entities:
      participations: {primary_key: nip}
"""


@pytest.mark.parametrize(
    "text",
    ['=HYPERLINK("x")', "+62 812", "-2+3+cmd|' /C calc'!A0", "@SUM(A1)", "\tlulus", "\r=1",
     "  =1+1", "\uff1dSUM(1)", "-Rp 5.000"],
)  # fmt: skip
def test_what_a_spreadsheet_would_run_is_a_formula_trigger(text: str) -> None:
    assert formula_trigger(text)


@pytest.mark.parametrize("text", ["-", "--", " - ", "PKP Angkatan I", "Rp 5.000", "35.15", ""])
def test_placeholders_and_plain_text_are_not(text: str) -> None:
    assert not formula_trigger(text)


@pytest.mark.parametrize("text", ["1e3", "+24", "24.", ".5", "1_000", "Infinity", "24\t", "٣"])
def test_numbers_only_in_the_forms_staging_casts(text: str) -> None:
    with pytest.raises(ValueProblem):
        parse_number(text)


def test_levels_are_whole_digits_one_to_five() -> None:
    assert parse_level(" 3 ") == 3
    for text in ("3.0", "3,0", "0", "6", "tiga"):
        with pytest.raises(ValueProblem):
            parse_level(text)


def test_a_merged_two_row_heading_reads_as_one_header() -> None:
    rows = iter(
        [
            (1, ["No", "NIP", "Pelatihan", "Pelatihan", "Tanggal", "Tanggal", "JP", "Instansi"]),
            (2, ["No", "NIP", "Nama Pelatihan", "Jenis", "Mulai", "Selesai", "JP", "Instansi"]),
            (3, ["1", "199001012015031001", "PKP", "pkp", "1/8/2023", "", "24", "35"]),
        ]
    )
    search = find_header(rows)
    assert search.header is not None
    assert search.header.missing() == []
    assert [number for number, _ in search.rows] == [3]


def test_repeated_and_empty_headers_keep_their_own_labels() -> None:
    mapped = map_headers(1, ["NIP", "Nama", "nip", "", "Catatan", "Catatan"])
    assert mapped.fields == {"nip": 0, "nama": 1}
    assert mapped.repeats == {"nip": [2]}
    assert mapped.labels == ["NIP", "Nama", "nip", "column_4", "Catatan", "Catatan [column 6]"]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "    entities:",
            "    max_file_md: 5\n    entities:",
            "unknown field 'max_file_md' (did you mean 'max_file_mb'?)",
        ),
        ("kind: file_drop", "kind: file_dorp", "'file_dorp' (did you mean 'file_drop'?)"),
        (
            "    entities:",
            "    entites:",
            "field 'entities' is required (found 'entites': a typo?)",
        ),
        (
            "    kind: file_drop",
            "    kind: file_drop\n    kind: rest_json",
            "key 'kind' appears twice",
        ),
        (
            "    entities:",
            "    max_unpacked_mb: 0\n    entities:",
            "'max_unpacked_mb' must be positive",
        ),
    ],
)
def test_registry_typos_name_the_key_they_resemble(old: str, new: str, message: str) -> None:
    assert parse_registry(FILE_DROP, Path("s.yml")).source("bpsdm_daerah").max_unpacked_mb == 500
    broken = FILE_DROP.replace(old, new)
    assert broken != FILE_DROP
    with pytest.raises(RegistryError) as error:
        parse_registry(broken, Path("s.yml"))
    assert message in str(error.value)
