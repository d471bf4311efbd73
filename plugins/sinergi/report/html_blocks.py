"""The HTML pieces every report section is made of: cells, tables, charts, style.

The style sheet and the script (table sorting, printing) live beside this module and are
inlined into each page, so a page is one file that opens from disk.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from html import escape
from importlib import resources
from typing import Any

from sinergi.report import formatting as fmt

STYLE = resources.files(__package__).joinpath("report.css").read_text(encoding="utf-8")
SCRIPT = resources.files(__package__).joinpath("report.js").read_text(encoding="utf-8")


class Cell:
    """A table cell: its text, and a number to sort by when it shows one."""

    def __init__(self, text: str, sort: float | None = None, cls: str = "") -> None:
        self.text, self.sort, self.cls = text, sort, cls

    def html(self) -> str:
        attrs = ""
        if self.sort is not None:
            attrs += f' data-sort="{self.sort}"'
        klass = " ".join(c for c in ("n" if self.sort is not None else "", self.cls) if c)
        if klass:
            attrs += f' class="{klass}"'
        return f"<td{attrs}>{self.text}</td>"


def num(value: Any, render: Callable[[Any], str] = fmt.angka, cls: str = "") -> Cell:
    return Cell(escape(render(value)), float(value) if value is not None else -1e18, cls)


def txt(value: Any, cls: str = "") -> Cell:
    return Cell(escape("" if value is None else str(value)), cls=cls)


def table(
    name: str, headers: Sequence[str], rows: Iterable[Sequence[Cell]], *, sortable: bool = True
) -> str:
    body = "".join("<tr>" + "".join(c.html() for c in row) + "</tr>" for row in rows)
    if not body:
        return '<p class="meta">Tidak ada baris.</p>'
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    klass = ' class="sortable"' if sortable else ""
    return (
        f'<table{klass} data-table="{escape(name)}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table>"
    )


def figure(name: str, svg: str, howto: str) -> str:
    return (
        f'<figure data-chart="{escape(name)}">{svg}</figure>'
        f'<p class="howto"><b>Cara membaca:</b> {escape(howto)}</p>'
    )


def heading(anchor: str, title: str) -> str:
    """A section title others can link to (`index.html#<anchor>`)."""
    return f'<h2 id="{escape(anchor)}">{escape(title)}</h2>'


def folded(summary: str, body: str) -> str:
    """A long table behind a click on screen; printing opens it (report.js)."""
    return f"<details><summary>{escape(summary)}</summary>{body}</details>"


def as_float(value: Any) -> float | None:
    return float(value) if value is not None else None
