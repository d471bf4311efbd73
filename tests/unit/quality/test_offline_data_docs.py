"""Rewriting a Data Docs site to its vendored assets, on a small site shaped like GX's."""

from __future__ import annotations

import importlib.util
import logging
import os
import re
from pathlib import Path

import pytest

from sinergi.quality.offline_data_docs import (
    SITE_FILES,
    VENDOR_DIR,
    make_offline,
    make_sites_offline,
    remote_references,
)

JQUERY = "https://code.jquery.com/jquery-3.7.1.min.js"
POPPER = "https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js"
FONT_AWESOME = "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/css/all.min.css"
S3 = "https://great-expectations-web-assets.s3.us-east-2.amazonaws.com/"
UNKNOWN = "https://cdn.example.org/chart.js"

PAGE = f"""<html><head>
<link rel="stylesheet" href="{FONT_AWESOME}">
<style>
  .navbar-brand a {{ background: url('{S3}full_logo_dark.png') 0 0 no-repeat; }}
</style>
</head><body>
<img class="NO-CACHE"
     src="{S3}logo-long.png?d=20260101T000000.000000Z&dataContextId=1"
     alt="data integrity" style="width: auto"/>
<a href="https://greatexpectations.io">Great Expectations</a>
<script src="{JQUERY}"></script>
<script src="{POPPER}" integrity="sha384-x" crossorigin="anonymous"></script>
<script src="{UNKNOWN}"></script>
</body></html>
"""
STYLESHEET = f".navbar-brand a {{ background: url('{S3}full_logo_dark.png') 0 0; }}\n"


def _site(root: Path) -> Path:
    site = root / "local_site"
    (site / "validations" / "suite" / "run").mkdir(parents=True)
    (site / "static" / "styles").mkdir(parents=True)
    (site / "static" / "images").mkdir()
    (site / "static" / "images" / "logo-long.png").write_bytes(b"png")
    (site / "index.html").write_text(PAGE)
    (site / "validations" / "suite" / "run" / "page.html").write_text(PAGE)
    (site / "static" / "styles" / "data_docs_default_styles.css").write_text(STYLESHEET)
    return site


def _contents(site: Path) -> dict[Path, tuple[bytes, int]]:
    """Every file's bytes and time, but the stamp (its time is the last pass's)."""
    files = [p for p in site.rglob("*") if p.is_file() and p.name != ".offline-stamp"]
    return {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in files}


def test_cdn_urls_become_paths_to_the_vendored_copies(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    site = _site(tmp_path)

    with caplog.at_level(logging.WARNING, logger="sinergi.quality.offline_data_docs"):
        assert make_offline(site) == 3

    page = (site / "validations" / "suite" / "run" / "page.html").read_text()
    assert '<script src="../../../static/vendor/jquery/jquery.min.js"></script>' in page
    assert '<script src="../../../static/vendor/popper.js/popper.min.js"></script>' in page
    assert 'href="../../../static/vendor/fontawesome-free/css/all.min.css"' in page
    assert 'src="../../../static/images/logo-long.png"' in page  # no tracking query
    assert 'alt="data integrity"' in page  # only the attributes named so are dropped
    assert "url('../../../static/images/logo-long.png')" in page
    assert '<a href="https://greatexpectations.io">' in page  # a link, not a resource
    index = (site / "index.html").read_text()
    assert '<script src="./static/vendor/jquery/jquery.min.js"></script>' in index
    css = (site / "static" / "styles" / "data_docs_default_styles.css").read_text()
    assert "url('../../static/images/logo-long.png')" in css

    for html in (site / "index.html", site / "validations" / "suite" / "run" / "page.html"):
        for local in re.findall(r'(?:src|href)="(\.[^"]+)"', html.read_text()):
            assert (html.parent / local).resolve().is_file(), (html, local)
    assert (site / "static/vendor/fontawesome-free/webfonts/fa-solid-900.woff2").is_file()

    assert remote_references(page) == [UNKNOWN]
    warned = [r.getMessage() for r in caplog.records]
    assert len(warned) == 2 and all(UNKNOWN in w for w in warned)
    assert any("page.html" in w for w in warned) and any("index.html" in w for w in warned)


def test_a_second_pass_changes_nothing(tmp_path: Path) -> None:
    site = _site(tmp_path)
    make_offline(site)
    before = _contents(site)

    assert make_offline(site) == 0
    assert _contents(site) == before  # not even the vendored copies are written again


def test_a_later_build_rewrites_its_pages_without_reading_older_ones(tmp_path: Path) -> None:
    site = _site(tmp_path)
    make_offline(site)
    older = site / "validations" / "suite" / "run" / "page.html"
    hour_ago = older.stat().st_mtime_ns - 3600 * 10**9
    older.write_text(PAGE)  # as if GX had written it long before the last pass
    os.utime(older, ns=(hour_ago, hour_ago))
    last_pass = hour_ago + 600 * 10**9
    os.utime(site / "static" / "vendor" / ".offline-stamp", ns=(last_pass, last_pass))
    newer = site / "validations" / "suite" / "run" / "newer.html"
    newer.write_text(PAGE)
    (site / "index.html").write_text(PAGE)  # GX rebuilds the index every time

    assert make_offline(site) == 2
    assert JQUERY not in newer.read_text()
    assert JQUERY in older.read_text()  # left unread


def test_only_local_sites_are_rewritten(tmp_path: Path) -> None:
    site = _site(tmp_path)
    make_sites_offline(["s3://bucket/index.html", (site / "index.html").as_uri()])
    assert JQUERY not in (site / "index.html").read_text()


def test_every_cdn_url_of_gx_has_a_vendored_file() -> None:
    """A GX upgrade that links other CDN files fails here, not in a government network."""
    spec = importlib.util.find_spec("great_expectations")
    assert spec and spec.submodule_search_locations
    view = Path(next(iter(spec.submodule_search_locations)), "render", "view")
    used = {
        url.split("?")[0]
        for path in (*view.glob("templates/*.j2"), *view.glob("static/styles/*.css"))
        for url in remote_references(path.read_text(), css=path.suffix == ".css")
    }
    assert used and used <= set(SITE_FILES), sorted(used - set(SITE_FILES))

    listed = (VENDOR_DIR / "VENDORED.md").read_text()
    for url, target in SITE_FILES.items():
        if target.startswith("static/vendor/"):
            assert (VENDOR_DIR / target.removeprefix("static/vendor/")).is_file(), target
            assert f"`{url}`" in listed, url
