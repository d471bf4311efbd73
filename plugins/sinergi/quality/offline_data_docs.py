"""Make a GX Data Docs site work without internet: its CDN assets served from the site itself.

GX's pages load jQuery, Bootstrap, bootstrap-table, Font Awesome and Vega
from public CDNs, and the index's validation list is drawn by bootstrap-table:
opened inside a government network, with no internet, the list is empty.
The same files, fetched from npm at the CDN versions, are committed in
`data_docs_vendor/` (`deploy/vendor-data-docs-assets.sh`, `VENDORED.md`);
after each Data Docs build they are copied to `<site>/static/vendor/` and
every page's CDN URL is rewritten to a relative path to its copy. GX's logo
tag points at S3 (with a tracking query): it becomes the site's own copy.

A build rewrites only the pages it wrote: a stamp in `static/vendor/` keeps
the time of the last pass, so older pages (already rewritten) are not read
again. Whatever still loads from http(s) afterwards is logged, not raised:
the docs are a view on the results, never a reason to fail the pipeline.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

log = logging.getLogger(__name__)

VENDOR_DIR = Path(__file__).resolve().with_name("data_docs_vendor")
SITE_VENDOR = Path("static", "vendor")

# Each file in VENDOR_DIR and the CDN URL of GX 1.24's templates (templates/*.j2) it
# stands for (VENDORED.md has the versions). GX links 1.19.0's filter-control CSS:
# 1.19.1's has the same rules, only its version banner differs.
_CDN_TABLE = """
jquery/jquery.min.js                                    https://code.jquery.com/jquery-3.7.1.min.js
popper.js/popper.min.js                                 https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js
bootstrap/bootstrap.min.js                              https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js
bootstrap/bootstrap.min.css                             https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css
bootstrap-table/bootstrap-table.min.js                  https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.js
bootstrap-table/bootstrap-table.min.css                 https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.css
bootstrap-table/bootstrap-table-filter-control.min.js   https://unpkg.com/bootstrap-table@1.19.1/dist/extensions/filter-control/bootstrap-table-filter-control.min.js
bootstrap-table/bootstrap-table-filter-control.min.css  https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.css
bootstrap-table/bootstrap-table-filter-control.min.css  https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.min.css
bootstrap-datepicker/bootstrap-datepicker.min.js        https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/js/bootstrap-datepicker.min.js
bootstrap-datepicker/bootstrap-datepicker.min.css       https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/css/bootstrap-datepicker.min.css
fontawesome-free/css/all.min.css                        https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/css/all.min.css
bootstrap-dark/bootstrap-prefers-dark.min.css           https://cdn.jsdelivr.net/npm/@forevolve/bootstrap-dark@1.1.0/dist/css/bootstrap-prefers-dark.css
vega/vega.min.js                                        https://cdn.jsdelivr.net/npm/vega@5
vega-lite/vega-lite.min.js                              https://cdn.jsdelivr.net/npm/vega-lite@5
vega-embed/vega-embed.min.js                            https://cdn.jsdelivr.net/npm/vega-embed@6
"""
CDN_FILES = {url: name for name, url in (row.split() for row in _CDN_TABLE.strip().splitlines())}

# GX's logos on S3 (the navbar's, and the dark theme's in its CSS), as files of the site.
# There is no local dark-theme logo: the dark theme shows the regular one.
S3_ASSETS = "https://great-expectations-web-assets.s3.us-east-2.amazonaws.com/"
LOGO_FILES = {
    S3_ASSETS + "logo-long.png": "static/images/logo-long.png",
    S3_ASSETS + "full_logo_dark.png": "static/images/logo-long.png",
}
# URL (without query) -> path from the site's root
SITE_FILES = {
    **{url: (SITE_VENDOR / name).as_posix() for url, name in CDN_FILES.items()},
    **LOGO_FILES,
}

# The stamp holds a fingerprint of the mapping: a changed mapping rewrites every page again.
STAMP = ".offline-stamp"
FINGERPRINT = hashlib.sha256(repr(sorted(SITE_FILES.items())).encode()).hexdigest()[:16]
# Pages written up to this long before the last pass started are read again: file
# times come from a coarser clock, and another task's build may have been writing.
STAMP_MARGIN_NS = 5 * 1_000_000_000

# Tags that load a resource, and their attributes one by one (a quoted value is one token).
RESOURCE_TAG = re.compile(r"<(script|link|img|source)\b([^>]*)>", re.IGNORECASE)
ATTRIBUTE = re.compile(r"""(\s+)([^\s=>/"']+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>"']+))?""")
URL_ATTRIBUTES = {"src", "href"}
# Dropped from a tag made local: SRI needs a CORS fetch, which a file:// page cannot make.
CORS_ATTRIBUTES = {"integrity", "crossorigin"}
STYLE_BLOCK = re.compile(r"(<style\b[^>]*>)(.*?)(</style>)", re.IGNORECASE | re.DOTALL)
CSS_URL = re.compile(r"""url\(\s*(["']?)([^"')]*?)\1\s*\)""", re.IGNORECASE)
REMOTE = re.compile(r"^(?:https?:)?//", re.IGNORECASE)
# Bytes that are not UTF-8 (a data value in a page) are written back unchanged, not an error.
BYTES_AS_IS = "surrogateescape"


def make_sites_offline(site_urls: Iterable[str]) -> None:
    """`make_offline` on every local site of GX's `get_docs_sites_urls()` (file:// index URLs).

    A site that cannot be rewritten (a full disk, permissions) is logged: the
    checks already ran and their results count, whatever the docs look like.
    """
    for url in site_urls:
        parts = urlsplit(url)
        if parts.scheme != "file":
            continue
        site = Path(unquote(parts.path)).parent
        try:
            make_offline(site)
        except OSError:
            log.exception("Data Docs at %s: could not make them work offline", site)


def make_offline(site_dir: Path) -> int:
    """Serve the site's CDN assets from `<site>/static/vendor/`; return the files rewritten.

    Idempotent: a second pass copies and rewrites nothing.
    """
    if not (site_dir / "index.html").exists():
        return 0
    vendor = site_dir / SITE_VENDOR
    _copy_vendored(vendor)
    stamp = vendor / STAMP
    started = time.time_ns()
    since = _last_pass(stamp)
    rewritten = 0
    for path in _site_files(site_dir):
        try:
            stat = path.stat()
        except FileNotFoundError:  # removed since listed
            continue
        if stat.st_mtime_ns < since:
            continue
        text = path.read_text(encoding="utf-8", errors=BYTES_AS_IS)
        to_root = Path(os.path.relpath(site_dir, path.parent)).as_posix()
        new = (rewrite_css if path.suffix == ".css" else rewrite_html)(text, to_root)
        if new != text and _replace(path, new, stat):
            rewritten += 1
        for url in remote_references(new, css=path.suffix == ".css"):
            log.warning("Data Docs file %s still loads %s (not available offline)", path, url)
    stamp.write_text(FINGERPRINT, encoding="utf-8")
    os.utime(stamp, ns=(started, started))
    log.info("Data Docs at %s: %d files rewritten to local assets", site_dir, rewritten)
    return rewritten


def rewrite_html(text: str, to_root: str) -> str:
    """A page with every known CDN/S3 URL replaced by `<to_root>/<its file in the site>`."""
    text = RESOURCE_TAG.sub(lambda m: _rewrite_tag(m, to_root), text)
    return STYLE_BLOCK.sub(lambda m: m[1] + rewrite_css(m[2], to_root) + m[3], text)


def rewrite_css(text: str, to_root: str) -> str:
    """CSS with every known `url(...)` replaced by `<to_root>/<its file in the site>`."""

    def url(match: re.Match[str]) -> str:
        local = _local(match[2], to_root)
        return match[0] if local is None else f"url('{local}')"

    return CSS_URL.sub(url, text)


def remote_references(text: str, *, css: bool = False) -> list[str]:
    """The http(s) URLs a page or stylesheet loads: tags' src/href, CSS url()."""
    found = [] if css else [url for tag in RESOURCE_TAG.finditer(text) for url in _urls(tag[2])]
    sheets = [text] if css else [m[2] for m in STYLE_BLOCK.finditer(text)]
    found += [m[2] for sheet in sheets for m in CSS_URL.finditer(sheet)]
    return [url for url in found if REMOTE.match(url.strip())]


def _rewrite_tag(tag: re.Match[str], to_root: str) -> str:
    made_local = False

    def attribute(match: re.Match[str]) -> str:
        nonlocal made_local
        if match[2].lower() in URL_ATTRIBUTES and match[3]:
            local = _local(match[3].strip("\"'"), to_root)
            if local is not None:
                made_local = True
                return f'{match[1]}{match[2]}="{local}"'
        return match[0]

    attributes = ATTRIBUTE.sub(attribute, tag[2])
    if not made_local:
        return tag[0]
    attributes = ATTRIBUTE.sub(
        lambda m: "" if m[2].lower() in CORS_ATTRIBUTES else m[0], attributes
    )
    return f"<{tag[1]}{attributes}>"


def _urls(attributes: str) -> Iterator[str]:
    for match in ATTRIBUTE.finditer(attributes):
        if match[2].lower() in URL_ATTRIBUTES and match[3]:
            yield match[3].strip("\"'")


def _local(url: str, to_root: str) -> str | None:
    """The relative path replacing a known URL (GX adds a cache-busting query to its logo)."""
    target = SITE_FILES.get(url.strip().split("?", 1)[0].split("#", 1)[0])
    return None if target is None else f"{to_root}/{target}"


def _site_files(site_dir: Path) -> Iterator[Path]:
    """The site's pages and stylesheets, not the vendored copies."""
    vendor = site_dir / SITE_VENDOR
    for root, dirs, files in os.walk(site_dir):
        if Path(root) == vendor.parent:
            dirs[:] = [d for d in dirs if d != vendor.name]
        for name in files:
            if name.endswith((".html", ".css")):
                yield Path(root, name)


def _last_pass(stamp: Path) -> int:
    """When the last pass with this mapping started, less the margin; 0 rewrites everything."""
    try:
        if stamp.read_text(encoding="utf-8") == FINGERPRINT:
            return stamp.stat().st_mtime_ns - STAMP_MARGIN_NS
    except FileNotFoundError:
        pass
    return 0


def _copy_vendored(vendor: Path) -> None:
    """Copy the vendored files the site lacks or has other bytes of (2 MB: compared in ms)."""
    for source in VENDOR_DIR.rglob("*"):
        if not source.is_file():
            continue
        target = vendor / source.relative_to(VENDOR_DIR)
        if target.is_file() and target.read_bytes() == source.read_bytes():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f"{target.name}.{os.getpid()}.partial")
        shutil.copyfile(source, partial)
        partial.replace(target)


def _replace(path: Path, text: str, read: os.stat_result) -> bool:
    """Write atomically (a reader never sees half a page), unless the page changed since read.

    A page that changed meanwhile is being written by another task's docs
    build, whose own pass rewrites it.
    """
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    partial.write_text(text, encoding="utf-8", errors=BYTES_AS_IS)
    now = path.stat()
    if (now.st_size, now.st_mtime_ns) != (read.st_size, read.st_mtime_ns):
        partial.unlink()
        return False
    partial.replace(path)
    return True
