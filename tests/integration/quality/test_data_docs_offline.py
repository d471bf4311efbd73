"""GX's Data Docs opened as inside a government network: no internet, and the pages still work.

A real checkpoint builds the site; headless Chromium, every host name
unresolvable, opens it. The index's validation list is drawn by
bootstrap-table, so it is empty unless the vendored JavaScript loads from the
site itself.
"""

from __future__ import annotations

import re
from pathlib import Path

import headless_chromium
import pytest
from report_view import data_docs_validation_rows

from sinergi.quality import runner

from .world import World

pytestmark = pytest.mark.integration

MARTS = ("funding_by_institution_year_source", "participation_by_region_year")
# What a page loads: a tag's src/href, a stylesheet's url(); links (<a href>) may stay remote.
REMOTE_TAG = re.compile(
    r"""<(?:script|link|img|source)\b[^>]*?\b(?:src|href)\s*=\s*["']?((?:https?:)?//[^"'\s>]+)""",
    re.IGNORECASE,
)
REMOTE_CSS_URL = re.compile(r"""url\(\s*["']?((?:https?:)?//[^"')\s]+)""", re.IGNORECASE)


def test_data_docs_work_without_internet(world: World, tmp_path: Path) -> None:
    run_id = runner.new_run_id("offline")
    runner.check_marts(world.target, run_id, marts=list(MARTS))
    site = world.expectations / "uncommitted" / "data_docs" / "local_site"

    rows = data_docs_validation_rows(site)
    for mart in MARTS:
        assert any(f"marts__{mart}" in row and run_id in row for row in rows), (mart, rows)

    suite = f"marts__{MARTS[0]}"
    page = next(p for p in (site / "validations" / suite).rglob("*.html") if run_id in str(p))
    shown = headless_chromium.dom(page)
    assert 'class="bootstrap-table' in shown  # its result tables were drawn by the vendored JS
    assert "Overview" in shown and suite in shown

    remote = {
        (str(path.relative_to(site)), url)
        for path in [*site.rglob("*.html"), *site.rglob("*.css")]
        for pattern in (REMOTE_TAG, REMOTE_CSS_URL)
        for url in pattern.findall(path.read_text(encoding="utf-8"))
    }
    assert not remote, sorted(remote)

    shots = tmp_path / "screenshots"
    headless_chromium.screenshot(site / "index.html", shots / "index.png", height=900)
    headless_chromium.screenshot(page, shots / "validation.png")
    print(f"Data Docs screenshots (offline): {shots}")
