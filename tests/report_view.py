"""What a person sees in a run report opened in headless Chromium with no network.

Reads the DOM Chromium produced (scripts run, nothing fetched) and counts,
per chart (`figure[data-chart]`), the shapes its SVG drew and, per table
(`table[data-table]`), its body rows. Saves a screenshot beside. Also reads
the rows GX's Data Docs index drew (its list is filled by JavaScript).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import headless_chromium

SHAPES = {"rect", "line", "path", "circle"}
# Every chart a report with data draws (sinergi.report.mart_sections, governance_section).
CHARTS = {
    "jp20_by_province",
    "mix_10_20_70",
    "mix_klasikal",
    "funding_by_source",
    "regional_quota",
    "gaps_by_type",
    "kompeten_by_institution",
    # sinergi.report.governance_section
    "governance_ranked",
    "governance_provinces",
}


@dataclass
class ReportView:
    charts: dict[str, int] = field(default_factory=dict)  # shapes drawn per chart
    tables: dict[str, int] = field(default_factory=dict)  # body rows per table
    text: str = ""
    first_block: str = ""  # the id or class of the first element in <body>
    remote: list[str] = field(default_factory=list)  # src/href that would need the network


class _Reader(HTMLParser):
    def __init__(self, view: ReportView) -> None:
        super().__init__()
        self.view = view
        self.chart: str | None = None
        self.table: str | None = None
        self.in_body = False
        self.texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        for name in ("src", "href"):
            value = a.get(name) or ""
            if tag != "a" and value.startswith(("http://", "https://", "//")):
                self.view.remote.append(value)
        if tag == "body":
            self.in_body = True
        elif self.in_body and not self.view.first_block and tag in ("div", "h1"):
            self.view.first_block = a.get("id") or a.get("class") or tag
        if tag == "figure" and a.get("data-chart"):
            self.chart = a["data-chart"]
            self.view.charts[self.chart] = 0
        elif self.chart and tag in SHAPES:
            self.view.charts[self.chart] += 1
        if tag == "table" and a.get("data-table"):
            self.table = a["data-table"]
            self.view.tables[self.table] = 0
        elif self.table and tag == "tr":
            self.view.tables[self.table] += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "figure":
            self.chart = None
        elif tag == "table" and self.table:
            self.view.tables[self.table] -= 1  # the header row
            self.table = None

    def handle_data(self, data: str) -> None:
        if self.in_body:
            self.texts.append(data)


def open_report(page: Path, screenshot_dir: Path) -> ReportView:
    """The report as Chromium renders it offline; its screenshot goes to `screenshot_dir`."""
    view = ReportView()
    reader = _Reader(view)
    reader.feed(headless_chromium.dom(page))
    view.text = " ".join(" ".join(reader.texts).split())
    shot = headless_chromium.screenshot(page, screenshot_dir / f"{page.parent.name}.png")
    print(f"screenshot of {page}: {shot}")
    return view


def data_docs_validation_rows(site: Path) -> list[str]:
    """The rows bootstrap-table drew in the Data Docs index (none without its JS)."""
    dom = headless_chromium.dom(site / "index.html")
    table = re.search(
        r"<table[^>]*ge-index-page-validation-results-table[^>]*>(.*?)</table>", dom, re.DOTALL
    )
    assert table, "no validation results table in the index"
    return re.findall(r"<tr\b[^>]*\bdata-index=[^>]*>(.*?)</tr>", table[1], re.DOTALL)
