"""The run report as one self-contained HTML page: inline CSS, inline SVG, no network.

Indonesian labels for the domain (JP, provinsi, pagu/realisasi), numbers in
Indonesian format, times in WIB, a short "cara membaca" under every chart.
A blocked publish is the first thing on the page, in red. The only script
sorts tables when a header is clicked and opens the drill-downs for
printing; without it every table still reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from pathlib import Path

from sinergi.report import formatting as fmt
from sinergi.report import mart_sections as marts
from sinergi.report.governance_section import GovernanceFigures, governance
from sinergi.report.html_blocks import SCRIPT, STYLE, Cell, table, txt
from sinergi.report.mart_figures import MartFigures, Row
from sinergi.report.run_facts import RunFacts
from sinergi.report.run_sections import STATUS_LABEL, banner, changes, run_activity


def render_page(
    facts: RunFacts,
    figures: MartFigures,
    docs: dict[str, Path],
    index_href: str,
    governance_figures: GovernanceFigures | None = None,
) -> str:
    p = facts.publish
    status = str(p["status"])
    year = f"tahun {figures.tahun}" if figures.tahun else "belum ada data pengembangan"
    head = (
        f"<h1>Laporan proses Sinergi – {escape(STATUS_LABEL.get(status, status))}</h1>"
        f'<p class="meta">Run {escape(facts.run_id)}'
        f" · selesai {escape(fmt.waktu(p['finished_at']))}"
        f' · angka {escape(year)} · <a href="{escape(index_href)}">semua laporan</a></p>'
    )
    # a blocked publish is the first thing anyone sees, above even the title
    sections = [head, banner(facts)] if status == "published" else [banner(facts), head]
    if figures.tahun is None:
        sections.append('<p class="meta">Mart belum berisi data pengembangan kompetensi.</p>')
    else:
        sections += [
            marts.kpis(figures, facts),
            marts.attainment(figures),
            marts.learning_mix(figures),
            marts.funding(figures),
            marts.regional_quotas(figures),
            marts.competency(figures),
        ]
    if governance_figures is not None:
        sections.append(governance(governance_figures))
    sections += [changes(facts), run_activity(facts, docs)]
    return (
        '<!doctype html><html lang="id"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Sinergi – {escape(facts.run_id)}</title><style>{STYLE}</style></head><body>"
        + "".join(sections)
        + f"<script>{SCRIPT}</script></body></html>"
    )


def render_index(publishes: Sequence[Row], links: dict[str, str]) -> str:
    """The list of recent runs, newest first, each linking to its report when written."""
    rows = []
    for p in publishes:
        href = links.get(str(p["run_id"]))
        name = escape(str(p["run_id"]))
        status = str(p["status"])
        rows.append(
            [
                Cell(f'<a href="{escape(href)}">{name}</a>' if href else name),
                txt(STATUS_LABEL.get(status, status), "ok" if status == "published" else "bad"),
                Cell(escape(fmt.waktu(p["finished_at"]))),
                txt(p.get("reason") or ""),
            ]
        )
    return (
        '<!doctype html><html lang="id"><head><meta charset="utf-8">'
        f"<title>Sinergi – laporan proses</title><style>{STYLE}</style></head><body>"
        "<h1>Laporan proses Sinergi</h1>"
        '<p class="meta">Setiap percobaan publikasi, terbaru di atas.</p>'
        + table("runs", ["Run", "Status", "Selesai", "Alasan"], rows, sortable=False)
        + "</body></html>"
    )
