"""dbt's manifest, read in one place: where it is and what Sinergi takes from it.

The manifest is dbt's own description of the project (`dbt parse` writes
it), so the rest of Sinergi asks it rather than listing models by hand:
the marts are the models under `models/marts/` (their unique tests or
primary keys give their keys), a staging model's raw table is the one
source it reads, and a source's freshness is what its dbt source yml says.

It is where dbt writes it: `$DBT_TARGET_PATH/manifest.json` when that is
set (relative to the dbt project, as dbt resolves it), else
`dbt_project/target/manifest.json`. Tests set their own target folder; the
DAGs read the repository's.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from sinergi.paths import project_dir

log = logging.getLogger(__name__)

Manifest = Mapping[str, Any]

TARGET_PATH_VARIABLE = "DBT_TARGET_PATH"
# The marts are the models in this folder of the dbt project.
MART_PATH_PREFIX = "models/marts/"
STAGING_PATH_PREFIX = "models/staging/"
_PERIOD_HOURS = {"minute": 1 / 60, "hour": 1, "day": 24}


class ManifestMissing(FileNotFoundError):
    """No manifest where dbt writes it: `sinergi transform manifest` (dbt parse) makes one."""


def dbt_project_dir() -> Path:
    return project_dir() / "dbt_project"


def target_dir() -> Path:
    """dbt's target folder, as dbt resolves DBT_TARGET_PATH."""
    configured = os.environ.get(TARGET_PATH_VARIABLE)
    if not configured:
        return dbt_project_dir() / "target"
    path = Path(configured)
    return path if path.is_absolute() else dbt_project_dir() / path


def manifest_path() -> Path:
    return target_dir() / "manifest.json"


def load_manifest(path: Path | None = None) -> dict[str, Any] | None:
    """The manifest, or None when there is none (yet) or it cannot be read."""
    path = path or manifest_path()
    if not path.exists():
        return None
    try:
        return dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, json.JSONDecodeError) as exc:
        log.warning("dbt manifest %s unreadable (%s)", path, exc)
        return None


def require_manifest() -> dict[str, Any]:
    """The manifest; ManifestMissing, saying how to make it, when there is none."""
    manifest = load_manifest()
    if manifest is None:
        raise ManifestMissing(
            f"no dbt manifest at {manifest_path()}: run `sinergi transform manifest` (dbt parse)"
        )
    return manifest


def relation_name(node: Mapping[str, Any]) -> str:
    return str(node.get("alias") or node["name"])


def mart_models(manifest: Manifest) -> dict[str, str]:
    """{relation name: node id} of the mart models (tables, not views)."""
    marts = {}
    for node_id, node in manifest.get("nodes", {}).items():
        if node.get("resource_type") != "model":
            continue
        if not str(node.get("original_file_path", "")).startswith(MART_PATH_PREFIX):
            continue
        if node.get("config", {}).get("materialized") in ("view", "ephemeral"):
            continue
        marts[relation_name(node)] = node_id
    return marts


def is_mart(node: Any) -> bool:
    """Whether a node of a dbt run result (an object, not the manifest's dict) is a mart model."""
    return node.resource_type == "model" and str(
        getattr(node, "original_file_path", "")
    ).startswith(MART_PATH_PREFIX)


def model_key(manifest: Manifest, node_id: str) -> tuple[str, ...]:
    """A model's key as its contract or its dbt tests state it (first one found)."""
    node = manifest["nodes"][node_id]
    for constraint in node.get("constraints", []):
        if constraint.get("type") == "primary_key" and constraint.get("columns"):
            return tuple(constraint["columns"])
    for column in node.get("columns", {}).values():
        for constraint in column.get("constraints", []):
            if constraint.get("type") == "primary_key":
                return (column["name"],)
    unique_columns: list[tuple[str, ...]] = []
    for test in manifest.get("nodes", {}).values():
        if test.get("resource_type") != "test" or test.get("attached_node") != node_id:
            continue
        meta = test.get("test_metadata") or {}
        kwargs = meta.get("kwargs") or {}
        if meta.get("name") == "unique_combination_of_columns":
            return tuple(kwargs.get("combination_of_columns") or ())
        if meta.get("name") == "unique" and (test.get("column_name") or kwargs.get("column_name")):
            unique_columns.append((str(test.get("column_name") or kwargs["column_name"]),))
    return unique_columns[0] if unique_columns else ()


def staging_sources(manifest: Manifest) -> dict[str, tuple[str, str]]:
    """{relation name: (schema, raw table)} of staging models reading exactly one source."""
    found = {}
    sources = manifest.get("sources", {})
    for node in manifest.get("nodes", {}).values():
        if node.get("resource_type") != "model":
            continue
        if not str(node.get("original_file_path", "")).startswith(STAGING_PATH_PREFIX):
            continue
        upstream = [sources[n] for n in node.get("depends_on", {}).get("nodes", []) if n in sources]
        if len(upstream) == 1:
            found[relation_name(node)] = (str(node["schema"]), raw_table_of(upstream[0]))
    return found


def raw_table_of(source: Mapping[str, Any]) -> str:
    return str(source.get("identifier") or source["name"])


def missing_relations(manifest: Manifest, existing: set[tuple[str, str]]) -> list[str]:
    """Models, seeds and snapshots of the manifest whose table is not in `existing`."""
    missing = []
    for node in manifest.get("nodes", {}).values():
        if node.get("resource_type") not in ("model", "seed", "snapshot"):
            continue
        if node.get("config", {}).get("materialized") == "ephemeral":
            continue
        relation = (str(node["schema"]), relation_name(node))
        if relation not in existing:
            missing.append(".".join(relation))
    return sorted(missing)


def _duration(rule: Mapping[str, Any] | None) -> timedelta | None:
    """dbt's `{count: 26, period: hour}` as a timedelta (None when not set)."""
    if not rule or rule.get("count") is None or rule.get("period") is None:
        return None
    return timedelta(hours=float(rule["count"]) * _PERIOD_HOURS[str(rule["period"])])


def source_freshness(manifest: Manifest) -> dict[str, tuple[timedelta | None, timedelta | None]]:
    """{raw table: (warn after, error after)} from the dbt source ymls' `freshness`.

    The one place staleness is configured: `dbt source freshness` applies it to
    the raw rows' `_extracted_at`, and the quality checks to each entity's last
    successful load, so the two cannot disagree.
    """
    found = {}
    for source in manifest.get("sources", {}).values():
        rules = source.get("freshness") or (source.get("config") or {}).get("freshness") or {}
        found[raw_table_of(source)] = (
            _duration(rules.get("warn_after")),
            _duration(rules.get("error_after")),
        )
    return found
