"""The report's section on the data-governance scorecard (marts.governance_scorecard_yearly):
institutions ranked by their composite score, and a tile map of the 38 provinces.

The year shown is the latest one in which any institution submitted data. A
province's tile shows the mean score of its institutions (the provincial
government and its regencies and cities); the four DOB provinces are outlined.
Nothing is shown before the scorecard is first published.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from sinergi.report import formatting as fmt
from sinergi.report.html_blocks import as_float, figure, folded, heading, num, table, txt
from sinergi.report.svg_charts import GREY, WIDTH, Bar, bar_chart
from sinergi.warehouse import schemas

Row = dict[str, Any]

MART = "governance_scorecard_yearly"
RANKED_BARS = 15  # the best and the worst shown when there are more than twice as many

# The 38 provinces on a tile grid shaped like the archipelago, west to east:
# code -> (short label, column, row).
PROVINCE_TILES: dict[str, tuple[str, int, int]] = {
    "11": ("Aceh", 0, 0), "12": ("Sumut", 1, 0), "21": ("Kepri", 3, 0),
    "65": ("Kaltara", 7, 0), "75": ("Gtlo", 9, 0), "71": ("Sulut", 10, 0),
    "82": ("Malut", 11, 0),
    "13": ("Sumbar", 1, 1), "14": ("Riau", 2, 1), "61": ("Kalbar", 5, 1),
    "64": ("Kaltim", 7, 1), "76": ("Sulbar", 8, 1), "72": ("Sulteng", 9, 1),
    "96": ("PBD", 12, 1), "92": ("Pabar", 13, 1), "91": ("Papua", 14, 1),
    "17": ("Bkl", 1, 2), "15": ("Jambi", 2, 2), "19": ("Babel", 3, 2),
    "62": ("Kalteng", 5, 2), "63": ("Kalsel", 6, 2), "73": ("Sulsel", 8, 2),
    "74": ("Sultra", 9, 2), "81": ("Maluku", 11, 2), "94": ("Pateng", 13, 2),
    "95": ("Papeg", 14, 2),
    "16": ("Sumsel", 2, 3), "31": ("DKI", 4, 3), "93": ("Pasel", 14, 3),
    "18": ("Lampung", 2, 4), "36": ("Banten", 3, 4), "32": ("Jabar", 4, 4),
    "33": ("Jateng", 5, 4), "35": ("Jatim", 6, 4), "51": ("Bali", 7, 4),
    "52": ("NTB", 8, 4), "53": ("NTT", 9, 4),
    "34": ("DIY", 5, 5),
}  # fmt: skip
# score bands, low to high: (lower bound, colour, legend)
BANDS: tuple[tuple[float, str, str], ...] = (
    (0.0, "#c53030", "< 50"),
    (50.0, "#dd6b20", "50–65"),
    (65.0, "#d69e2e", "65–80"),
    (80.0, "#68d391", "80–90"),
    (90.0, "#2f855a", "≥ 90"),
)
TILE_W, TILE_H, TILE_GAP, TILE_TOP = 48, 40, 2, 8
DOB_OUTLINE = "#1a202c"


@dataclass(frozen=True)
class GovernanceFigures:
    tahun: int | None
    institutions: list[Row] = field(default_factory=list)  # best first
    provinces: list[Row] = field(default_factory=list)


_YEAR = "select max(tahun) as tahun from {s}.{t} where records_submitted > 0"

_INSTITUTIONS = """
select instansi_id, coalesce(instansi_nama, instansi_id) as nama, instansi_level,
       provinsi_kode, provinsi_nama, is_dob, governance_score, national_rank, province_rank,
       avg_days_to_first_load, folders_expected, folders_received, quarantined_share,
       development_record_share, double_reports_agreeing_share, days_since_last_submission,
       records_submitted
from {s}.{t}
where tahun = %(tahun)s and governance_score is not null
order by national_rank, nama
"""

_PROVINCES = """
select provinsi_kode, max(provinsi_nama) as nama, bool_or(is_dob) as is_dob,
       avg(governance_score) as governance_score, count(*) as institution_count
from {s}.{t}
where tahun = %(tahun)s and governance_score is not null and provinsi_kode is not null
group by provinsi_kode
order by provinsi_kode
"""


def read_governance(conn: psycopg.Connection, schema: str = schemas.MARTS) -> GovernanceFigures:
    """The scorecard's latest year as published in `schema`; empty before its first publish."""
    found = conn.execute("select to_regclass(%s)", (f"{schema}.{MART}",)).fetchone()
    if not found or found[0] is None:
        return GovernanceFigures(tahun=None)

    def rows(query: str, **params: Any) -> list[Row]:
        text = sql.SQL(query).format(s=sql.Identifier(schema), t=sql.Identifier(MART))  # type: ignore[arg-type]
        with conn.cursor(row_factory=dict_row) as cur:
            return list(cur.execute(text, params).fetchall())

    tahun = rows(_YEAR)[0]["tahun"]
    if tahun is None:
        return GovernanceFigures(tahun=None)
    return GovernanceFigures(
        tahun=tahun,
        institutions=rows(_INSTITUTIONS, tahun=tahun),
        provinces=rows(_PROVINCES, tahun=tahun),
    )


def band_colour(score: float | None) -> str:
    if score is None:
        return GREY
    colour = BANDS[0][1]
    for low, band, _ in BANDS:
        if score >= low:
            colour = band
    return colour


def _skor(value: float | None) -> str:
    return fmt.angka(value, 1) if value is not None else "–"


def ranked_bars(institutions: Sequence[Row]) -> list[Bar]:
    """All institutions best first, or the best and worst RANKED_BARS of a long list."""
    shown = list(institutions)
    if len(shown) > 2 * RANKED_BARS:
        shown = shown[:RANKED_BARS] + shown[-RANKED_BARS:]
    return [
        Bar(
            f"{r['national_rank']}. {r['nama']}", as_float(r["governance_score"]), bool(r["is_dob"])
        )
        for r in shown
    ]


def province_tiles(provinces: Sequence[Row], *, title: str) -> str:
    """The 38 provinces as tiles on a grid shaped like the map, coloured by score band;
    a province without a score is grey, a DOB province outlined; a legend below."""
    by_code = {str(p["provinsi_kode"]): p for p in provinces}
    columns = 1 + max(c for _, c, _ in PROVINCE_TILES.values())
    rows = 1 + max(r for _, _, r in PROVINCE_TILES.values())
    left = (WIDTH - columns * (TILE_W + TILE_GAP)) / 2
    legend_y = TILE_TOP + rows * (TILE_H + TILE_GAP) + 10
    body: list[str] = []
    for code, (short, column, row) in PROVINCE_TILES.items():
        province = by_code.get(code)
        score = as_float(province["governance_score"]) if province else None
        x = left + column * (TILE_W + TILE_GAP)
        y = TILE_TOP + row * (TILE_H + TILE_GAP)
        dob = bool(province["is_dob"]) if province else code in ("93", "94", "95", "96")
        name = str(province["nama"]) if province and province["nama"] else short
        tip = f"{name}{' (DOB)' if dob else ''}: skor {_skor(score)}"
        stroke = f' stroke="{DOB_OUTLINE}" stroke-width="2.5"' if dob else ""
        body.append(
            f'<rect class="tile" data-province="{code}" x="{x:.1f}" y="{y}" width="{TILE_W}"'
            f' height="{TILE_H}" rx="3" fill="{band_colour(score)}"{stroke}>'
            f"<title>{escape(tip)}</title></rect>"
        )
        body.append(
            f'<text x="{x + TILE_W / 2:.1f}" y="{y + 16}" text-anchor="middle"'
            f' font-size="10">{escape(short)}</text>'
            f'<text x="{x + TILE_W / 2:.1f}" y="{y + 31}" text-anchor="middle"'
            f' font-size="11" font-weight="bold">{escape(_skor(score))}</text>'
        )
    x = left
    for _, colour, label in (*BANDS, (0.0, GREY, "tidak ada data")):
        body.append(f'<rect x="{x:.1f}" y="{legend_y}" width="12" height="12" fill="{colour}"/>')
        body.append(f'<text x="{x + 16:.1f}" y="{legend_y + 10}">{escape(label)}</text>')
        x += 28 + 7 * len(label)
    body.append(
        f'<rect x="{x:.1f}" y="{legend_y}" width="12" height="12" fill="none"'
        f' stroke="{DOB_OUTLINE}" stroke-width="2.5"/>'
        f'<text x="{x + 16:.1f}" y="{legend_y + 10}">DOB</text>'
    )
    height = legend_y + 22
    return (
        f'<svg class="chart" role="img" viewBox="0 0 {WIDTH} {height}"'
        f' preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def _days(value: Any) -> str:
    return fmt.angka(value, 1) if value is not None else "–"


def governance(g: GovernanceFigures) -> str:
    """The section: the ranked chart, the province tiles, every institution in a table."""
    if g.tahun is None or not g.institutions:
        return ""
    ranked = figure(
        "governance_ranked",
        bar_chart(
            ranked_bars(g.institutions),
            title=f"Skor tata kelola data per instansi, {g.tahun}",
            fmt=_skor,
            scale_max=100.0,
        ),
        "Skor 0–100 setiap instansi pelapor: ketepatan waktu (30 %), keabsahan (30 %),"
        " kelengkapan (20 %) dan konsistensi laporan ganda (20 %); docs/governance-scorecard.md"
        " memuat rumusnya. Nomor di depan nama adalah peringkat nasional; bila instansi banyak,"
        f" hanya {RANKED_BARS} terbaik dan {RANKED_BARS} terendah yang digambar. Batang oranye"
        " adalah instansi di provinsi DOB.",
    )
    tiles = figure(
        "governance_provinces",
        province_tiles(g.provinces, title=f"Skor tata kelola data per provinsi, {g.tahun}"),
        "Setiap kotak adalah satu provinsi, diletakkan kira-kira seperti di peta dari Aceh"
        " (kiri atas) sampai Papua (kanan). Angka dan warna adalah rata-rata skor instansi di"
        " provinsi itu (pemerintah provinsi serta kabupaten/kotanya); abu-abu berarti tidak ada"
        " laporan. Kotak bergaris tebal adalah empat provinsi DOB.",
    )
    rows = (
        [
            num(r["national_rank"]),
            txt(r["nama"], "dob" if r["is_dob"] else ""),
            txt(r["provinsi_nama"] or "Instansi pusat (K/L)"),
            num(r["governance_score"], _skor),
            num(r["province_rank"]),
            num(r["avg_days_to_first_load"], _days),
            txt(
                f"{r['folders_received']}/{r['folders_expected']}" if r["folders_expected"] else "–"
            ),
            num(r["quarantined_share"], fmt.persen),
            num(r["development_record_share"], fmt.persen),
            num(r["double_reports_agreeing_share"], fmt.persen),
            num(r["days_since_last_submission"], _days),
        ]
        for r in g.institutions
    )
    headers = [
        "Peringkat", "Instansi", "Provinsi", "Skor", "Peringkat di provinsi",
        "Hari sampai dimuat", "Folder diterima", "Dikarantina", "ASN tercatat",
        "Laporan ganda sepakat", "Hari sejak kiriman terakhir",
    ]  # fmt: skip
    return (
        heading("tata_kelola", "Tata kelola data")
        + ranked
        + tiles
        + folded(
            f"Semua instansi pelapor – {len(g.institutions)}",
            table("governance_institutions", headers, rows),
        )
    )
