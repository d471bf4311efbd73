"""Charts as inline SVG: one shape per value, labels escaped, gaps said in words."""

from __future__ import annotations

import re

from sinergi.report import formatting as fmt
from sinergi.report.svg_charts import (
    LABEL_W,
    ORANGE,
    VALUE_W,
    WIDTH,
    Bar,
    bar_chart,
    paired_bars,
    stacked_shares,
)


def test_a_bar_per_value_the_highlighted_in_the_accent_colour() -> None:
    svg = bar_chart(
        [Bar("Aceh", 0.5), Bar("Papua Tengah <DOB>", 0.25, highlighted=True), Bar("X", None)],
        title="20 JP",
        fmt=fmt.persen,
        scale_max=1.0,
        reference=(0.3, "kuota 30 %"),
    )
    bars = re.findall(r'<rect [^>]*width="([\d.]+)"[^>]*fill="([^"]+)"', svg)
    plot = WIDTH - LABEL_W - VALUE_W
    assert [(float(w), colour == ORANGE) for w, colour in bars] == [
        (plot / 2, False),
        (plot / 4, True),
    ]
    assert "Papua Tengah &lt;DOB&gt;" in svg and "<DOB>" not in svg
    assert "tidak ada data" in svg  # a missing value is said, not drawn as zero
    assert "<line" in svg and "kuota 30 %" in svg


def test_stacked_shares_split_each_row_by_its_own_total() -> None:
    svg = stacked_shares(
        [("Nasional", [10.0, 20.0, 70.0]), ("Kosong", [0.0, None, 0.0])],
        ["Formal", "Sosial", "Pengalaman"],
        title="10:20:70",
        fmt=fmt.persen,
    )
    widths = [float(w) for w in re.findall(r'<rect [^>]*width="([\d.]+)" height="13"', svg)]
    assert len(widths) == 3
    assert widths[2] / sum(widths) == 0.7
    assert "tidak ada data" in svg


def test_paired_bars_share_one_scale() -> None:
    svg = paired_bars(
        [("APBN", 100.0, 50.0), ("APBD", 200.0, None)],
        ("Pagu", "Realisasi"),
        title="pagu",
        fmt=fmt.rupiah,
    )
    widths = [
        float(w) for w in re.findall(rf'<rect x="{LABEL_W}" [^>]*width="([\d.]+)" height="13"', svg)
    ]
    assert widths[2] == 2 * widths[0] == 4 * widths[1]
    assert widths[3] == 0.0
