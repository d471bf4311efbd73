"""The governance section: institutions ranked by score, the 38 provinces as tiles
coloured by score band with the DOB outlined, and its place on the run page."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from sinergi.report.governance_section import (
    BANDS,
    DOB_OUTLINE,
    PROVINCE_TILES,
    RANKED_BARS,
    GovernanceFigures,
    band_colour,
    governance,
    province_tiles,
    ranked_bars,
)
from sinergi.report.svg_charts import GREY, ORANGE


def institution(rank: int, score: float | None, **extra: object) -> dict[str, object]:
    row: dict[str, object] = {
        "instansi_id": f"{rank:02d}",
        "nama": f"Instansi {rank}",
        "instansi_level": "provinsi",
        "provinsi_kode": "32",
        "provinsi_nama": "Jawa Barat",
        "is_dob": False,
        "governance_score": None if score is None else Decimal(str(score)),
        "national_rank": rank,
        "province_rank": 1,
        "avg_days_to_first_load": Decimal("3.5"),
        "folders_expected": 12,
        "folders_received": 11,
        "quarantined_share": Decimal("0.05"),
        "development_record_share": Decimal("0.8"),
        "double_reports_agreeing_share": None,
        "days_since_last_submission": Decimal("20.0"),
        "records_submitted": 100,
    }
    return {**row, **extra}


def test_the_tile_grid_has_the_38_provinces_on_distinct_cells() -> None:
    assert len(PROVINCE_TILES) == 38
    cells = [(column, row) for _, column, row in PROVINCE_TILES.values()]
    assert len(set(cells)) == 38
    # Aceh far west, Papua far east: the grid reads like the map
    assert PROVINCE_TILES["11"][1] == 0
    assert PROVINCE_TILES["91"][1] == max(column for column, _ in cells)


@pytest.mark.parametrize(
    ("score", "band"),
    [(None, None), (0.0, 0), (49.99, 0), (50.0, 1), (79.9, 2), (80.0, 3), (90.0, 4), (100.0, 4)],
)
def test_a_score_falls_in_its_band(score: float | None, band: int | None) -> None:
    assert band_colour(score) == (GREY if band is None else BANDS[band][1])


def test_tiles_are_coloured_by_score_grey_without_one_and_dob_outlined() -> None:
    provinces = [
        {"provinsi_kode": "32", "nama": "Jawa Barat", "is_dob": False, "governance_score": 92.0},
        {
            "provinsi_kode": "95",
            "nama": "Papua Pegunungan",
            "is_dob": True,
            "governance_score": 41.5,
        },
    ]
    svg = province_tiles(provinces, title="skor")
    tiles = dict(re.findall(r'<rect class="tile" data-province="(\d+)"[^>]*fill="([^"]+)"', svg))
    assert len(tiles) == 38
    assert tiles["32"] == BANDS[4][1] and tiles["95"] == BANDS[0][1]
    assert sum(colour == GREY for colour in tiles.values()) == 36
    outlined = re.findall(r'data-province="(\d+)"[^>]*stroke="' + DOB_OUTLINE, svg)
    assert sorted(outlined) == ["93", "94", "95", "96"]  # a DOB province without data too
    assert "Papua Pegunungan (DOB): skor 41,5" in svg and "92,0" in svg


def test_a_long_ranking_draws_the_best_and_the_worst() -> None:
    rows = [institution(rank, 100 - rank) for rank in range(1, 2 * RANKED_BARS + 11)]
    bars = ranked_bars(rows)
    assert len(bars) == 2 * RANKED_BARS
    assert bars[0].label == "1. Instansi 1" and bars[-1].label.startswith(f"{len(rows)}. ")
    short = ranked_bars(rows[:5])
    assert [b.value for b in short] == [99.0, 98.0, 97.0, 96.0, 95.0]


def test_the_section_ranks_highlights_dob_and_lists_every_institution() -> None:
    rows = [
        institution(1, 88.2),
        institution(2, 61.0, is_dob=True, nama="Pemerintah Provinsi Papua Tengah <DOB>"),
        institution(3, 30.0, provinsi_kode=None, provinsi_nama=None, province_rank=None),
    ]
    html = governance(
        GovernanceFigures(
            tahun=2024,
            institutions=rows,
            provinces=[
                {"provinsi_kode": "32", "nama": "Jawa Barat", "is_dob": False,
                 "governance_score": 88.2},
            ],
        )
    )  # fmt: skip
    assert 'data-chart="governance_ranked"' in html and 'data-chart="governance_provinces"' in html
    ranked = html.split('data-chart="governance_ranked"')[1].split("</figure>")[0]
    fills = re.findall(r'<rect [^>]*fill="([^"]+)"><title>', ranked)
    assert fills[1] == ORANGE and fills[0] != ORANGE
    assert "Papua Tengah &lt;DOB&gt;" in html and "<DOB>" not in html
    body = html.split('data-table="governance_institutions"')[1]
    assert body.count("<tr>") == 1 + len(rows)
    assert "Instansi pusat (K/L)" in body and "11/12" in body


def test_no_section_before_the_scorecard_is_published() -> None:
    assert governance(GovernanceFigures(tahun=None)) == ""
    assert governance(GovernanceFigures(tahun=2024, institutions=[])) == ""
