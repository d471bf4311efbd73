"""Charts as inline SVG, drawn here so the report needs no script, font or CDN.

Each function returns one `<svg>` element that scales to the page width
and prints as it shows. Values arrive already computed; labels arrive as
plain text and are escaped here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

WIDTH = 760
LABEL_W = 260
VALUE_W = 110
ROW_H = 20
BAR_H = 13
TOP = 8

BLUE = "#2b6cb0"
ORANGE = "#dd6b20"
GREY = "#a0aec0"
RED = "#c53030"
PALETTE = ("#2b6cb0", "#38a169", "#d69e2e", "#805ad5", "#dd6b20", "#319795")


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    highlighted: bool = False  # drawn in the accent colour (a DOB province, say)


def _svg(height: float, title: str, body: list[str]) -> str:
    return (
        f'<svg class="chart" role="img" viewBox="0 0 {WIDTH} {height:.0f}"'
        f' preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def _text(x: float, y: float, text: str, *, anchor: str = "start", cls: str = "") -> str:
    klass = f' class="{cls}"' if cls else ""
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{klass}>{escape(text)}</text>'


def _clip(label: str, limit: int = 34) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def bar_chart(
    bars: Sequence[Bar],
    *,
    title: str,
    fmt: Callable[[float | None], str],
    scale_max: float | None = None,
    reference: tuple[float, str] | None = None,
) -> str:
    """Horizontal bars, one per row; `reference` draws a labelled vertical line."""
    values = [b.value for b in bars if b.value is not None]
    top = max([scale_max or 0.0, *values, reference[0] if reference else 0.0]) or 1.0
    plot_w = WIDTH - LABEL_W - VALUE_W
    height = TOP * 2 + ROW_H * max(len(bars), 1) + (16 if reference else 0)
    body: list[str] = []
    for i, bar in enumerate(bars):
        y = TOP + i * ROW_H
        body.append(_text(LABEL_W - 6, y + BAR_H - 2, _clip(bar.label), anchor="end"))
        if bar.value is not None:
            w = max(plot_w * bar.value / top, 0.0)
            colour = ORANGE if bar.highlighted else BLUE
            body.append(
                f'<rect x="{LABEL_W}" y="{y}" width="{w:.1f}" height="{BAR_H}" fill="{colour}">'
                f"<title>{escape(bar.label)}: {escape(fmt(bar.value))}</title></rect>"
            )
            body.append(_text(LABEL_W + w + 4, y + BAR_H - 2, fmt(bar.value), cls="value"))
        else:
            body.append(_text(LABEL_W + 4, y + BAR_H - 2, "tidak ada data", cls="muted"))
    if reference:
        x = LABEL_W + plot_w * reference[0] / top
        bottom = TOP + ROW_H * len(bars)
        body.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{TOP - 4}" y2="{bottom}"'
            f' stroke="{RED}" stroke-dasharray="4 3"/>'
        )
        body.append(_text(x, bottom + 13, reference[1], anchor="middle", cls="reference"))
    return _svg(height, title, body)


def stacked_shares(
    rows: Sequence[tuple[str, Sequence[float | None]]],
    parts: Sequence[str],
    *,
    title: str,
    fmt: Callable[[float | None], str],
) -> str:
    """One 100 % bar per row split into `parts`; a legend on top."""
    plot_w = WIDTH - LABEL_W - 20
    legend_h = 22
    height = legend_h + TOP * 2 + ROW_H * max(len(rows), 1)
    body: list[str] = []
    x = float(LABEL_W)
    for i, part in enumerate(parts):
        colour = PALETTE[i % len(PALETTE)]
        body.append(f'<rect x="{x:.0f}" y="4" width="12" height="12" fill="{colour}"/>')
        body.append(_text(x + 16, 14, part))
        x += 24 + 7.5 * len(part)
    for r, (label, shares) in enumerate(rows):
        y = legend_h + TOP + r * ROW_H
        body.append(_text(LABEL_W - 6, y + BAR_H - 2, _clip(label), anchor="end"))
        known = [s or 0.0 for s in shares]
        total = sum(known)
        if total <= 0:
            body.append(_text(LABEL_W + 4, y + BAR_H - 2, "tidak ada data", cls="muted"))
            continue
        x = float(LABEL_W)
        for i, (part, share) in enumerate(zip(parts, known, strict=True)):
            w = plot_w * share / total
            colour = PALETTE[i % len(PALETTE)]
            tip = f"{label} – {part}: {fmt(share / total)}"
            body.append(
                f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{BAR_H}" fill="{colour}">'
                f"<title>{escape(tip)}</title></rect>"
            )
            if w > 38:
                body.append(
                    _text(x + w / 2, y + BAR_H - 2, fmt(share / total), anchor="middle", cls="in")
                )
            x += w
    return _svg(height, title, body)


def paired_bars(
    rows: Sequence[tuple[str, float | None, float | None]],
    names: tuple[str, str],
    *,
    title: str,
    fmt: Callable[[float | None], str],
) -> str:
    """Two bars per row (pagu above realisasi, say) on one scale."""
    plot_w = WIDTH - LABEL_W - VALUE_W
    pair_h = BAR_H * 2 + 10
    legend_h = 22
    height = legend_h + TOP * 2 + pair_h * max(len(rows), 1)
    top = max([v for _, a, b in rows for v in (a, b) if v is not None] or [1.0]) or 1.0
    body: list[str] = []
    for i, name in enumerate(names):
        x = LABEL_W + i * 160
        body.append(f'<rect x="{x}" y="4" width="12" height="12" fill="{(BLUE, GREY)[i]}"/>')
        body.append(_text(x + 16, 14, name))
    for r, (label, first, second) in enumerate(rows):
        y = legend_h + TOP + r * pair_h
        body.append(_text(LABEL_W - 6, y + BAR_H + 3, _clip(label), anchor="end"))
        for i, (name, value) in enumerate(zip(names, (first, second), strict=True)):
            yy = y + i * (BAR_H + 2)
            w = plot_w * (value or 0.0) / top
            body.append(
                f'<rect x="{LABEL_W}" y="{yy}" width="{w:.1f}" height="{BAR_H}"'
                f' fill="{(BLUE, GREY)[i]}"><title>{escape(label)} – {escape(name)}:'
                f" {escape(fmt(value))}</title></rect>"
            )
            body.append(_text(LABEL_W + w + 4, yy + BAR_H - 2, fmt(value), cls="value"))
    return _svg(height, title, body)
