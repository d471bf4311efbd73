"""Write a publish attempt's report and refresh the index of recent runs.

`<reports>/<run>/index.html` per attempt (default `<state>/reports`, or
`SINERGI_REPORTS_DIR`), `<reports>/index.html` listing the recent ones.
The page is written to a temporary name and renamed, so a reader never
opens half a report; writing the same run again replaces it.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

from sinergi.paths import state_dir
from sinergi.quality import config as quality_config
from sinergi.report.governance_section import read_governance
from sinergi.report.mart_figures import read_figures
from sinergi.report.page import render_index, render_page
from sinergi.report.run_facts import data_docs_pages, read_run_facts, recent_publishes
from sinergi.warehouse import schemas
from sinergi.warehouse.connection import WarehouseTarget, connect

log = logging.getLogger(__name__)

INDEX_RUNS = 30


def reports_dir() -> Path:
    override = os.environ.get("SINERGI_REPORTS_DIR")
    path = Path(override).resolve() if override else state_dir() / "reports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def data_docs_site() -> Path:
    return quality_config.expectations_dir() / "uncommitted" / "data_docs" / "local_site"


def _folder(run_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", run_id)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)


def write_report(
    target: WarehouseTarget, run_id: str | None = None, out_dir: Path | None = None
) -> Path:
    """The report of quality run `run_id`'s publish attempt (default: the latest one)."""
    root = out_dir or reports_dir()
    with connect(target) as conn:
        facts = read_run_facts(conn, run_id)
        figures = read_figures(conn, schemas.MARTS)
        governance = read_governance(conn, schemas.MARTS)
        publishes = recent_publishes(conn, INDEX_RUNS)
    page = root / _folder(facts.run_id) / "index.html"
    docs = data_docs_pages(data_docs_site(), facts.run_id)
    _write(page, render_page(facts, figures, docs, "../index.html", governance))
    links = {
        str(p["run_id"]): f"{_folder(str(p['run_id']))}/index.html"
        for p in publishes
        if (root / _folder(str(p["run_id"])) / "index.html").exists()
    }
    _write(root / "index.html", render_index(publishes, links))
    log.info("run report for %s (%s): %s", facts.run_id, facts.publish["status"], page)
    return page
