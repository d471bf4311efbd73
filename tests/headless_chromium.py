"""Open a page as a person would, in Debian's headless Chromium, with no network.

Every host name resolves to nothing and every proxied request goes to a
closed port, so a page that needs a CDN renders without it, as it would
inside a government network. `dom()` returns the document after its scripts
ran; `screenshot()` saves what it looks like.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

CHROMIUM = os.environ.get("SINERGI_CHROMIUM", "/usr/bin/chromium")
TIMEOUT_S = 120

OFFLINE_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--proxy-server=http://127.0.0.1:9",
    "--hide-scrollbars",
    "--virtual-time-budget=10000",
)


def _run(url: str, *flags: str) -> str:
    with tempfile.TemporaryDirectory(prefix="sinergi-chromium-") as profile:
        done = subprocess.run(
            [CHROMIUM, *OFFLINE_FLAGS, f"--user-data-dir={profile}", *flags, url],
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            check=False,
        )
    if done.returncode != 0:
        raise RuntimeError(f"chromium failed on {url} ({done.returncode}): {done.stderr[-2000:]}")
    return done.stdout


def page_url(path: Path) -> str:
    return path.resolve().as_uri()


def dom(path: Path) -> str:
    """The page's DOM after its scripts ran, serialised as HTML."""
    return _run(page_url(path), "--dump-dom")


def screenshot(path: Path, out: Path, *, width: int = 1366, height: int = 3000) -> Path:
    """A PNG of the page at a laptop's width (tall enough to show most of it)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    _run(page_url(path), f"--screenshot={out}", f"--window-size={width},{height}")
    if not out.exists() or out.stat().st_size == 0:
        raise RuntimeError(f"chromium wrote no screenshot of {path}")
    return out
