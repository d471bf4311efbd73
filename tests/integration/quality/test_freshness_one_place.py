"""Staleness is configured once, in the dbt source ymls, and the stale check follows it.

`dbt source freshness` reads each source's `freshness`; Sinergi's stale check
and the run report read the same numbers from dbt's parse of them (the
manifest). On a copy of the dbt project with one limit changed, after a real
`dbt parse` (about 20 s), every registry entity has the limit its yml says,
the changed one included. No database.
"""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from sinergi.ingestion.registry import load_registry
from sinergi.paths import project_dir
from sinergi.quality.config import stale_limits
from sinergi.transform.dbt import build_manifest
from sinergi.transform.manifest import ManifestMissing

pytestmark = pytest.mark.integration

HOURS = {"hour": 1, "day": 24}


def _freshness(spec: dict[str, Any]) -> dict[str, Any] | None:
    return (spec.get("config") or {}).get("freshness") or spec.get("freshness")


def _warn_after_as_written(dbt_project: Path) -> dict[str, timedelta]:
    """{raw table: warn_after} read straight from the source ymls (tables override sources)."""
    written = {}
    for path in dbt_project.glob("models/**/_*__sources.yml"):
        for source in yaml.safe_load(path.read_text())["sources"]:
            for table in source["tables"]:
                rule = (_freshness(table) or _freshness(source) or {}).get("warn_after")
                if rule:
                    hours = rule["count"] * HOURS[rule["period"]]
                    written[table.get("identifier") or table["name"]] = timedelta(hours=hours)
    return written


def test_the_stale_limits_are_the_dbt_source_freshness(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dbt_project = tmp_path / "project" / "dbt_project"
    shutil.copytree(
        project_dir() / "dbt_project",
        dbt_project,
        ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"),
    )
    siasn = dbt_project / "models" / "staging" / "siasn" / "_siasn__sources.yml"
    text = siasn.read_text()
    assert "warn_after: {count: 36, period: hour}" in text
    siasn.write_text(
        text.replace(
            "warn_after: {count: 36, period: hour}", "warn_after: {count: 7, period: hour}"
        )
    )
    monkeypatch.setenv("SINERGI_SOURCES_FILE", str(project_dir() / "sources.yml"))
    monkeypatch.setenv("SINERGI_PROJECT_DIR", str(tmp_path / "project"))
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "dbt-target"))
    monkeypatch.setenv("DBT_LOG_PATH", str(tmp_path / "dbt-logs"))

    with pytest.raises(ManifestMissing, match="sinergi transform manifest"):
        stale_limits()  # no parse of the ymls yet: no limits made up
    build_manifest()

    written = _warn_after_as_written(dbt_project)
    limits = stale_limits()
    tables = sorted(entity.table for entity in load_registry().entities())
    assert [t for t in tables if t not in written] == [], "registry entities without freshness"
    assert {t: limits[t] for t in tables} == {t: written[t] for t in tables}
    assert limits["siasn__asn"] == timedelta(hours=7)
    assert limits["bpsdm_daerah__participations"] > timedelta(days=30)  # monthly file drops
