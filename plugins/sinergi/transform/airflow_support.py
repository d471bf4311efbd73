"""What the Cosmos transform DAG needs from Sinergi, kept out of the DAG file.

The DAG is parsed often and must stay side-effect free: the warehouse (which
may mean starting the embedded PostgreSQL) is resolved only when a task runs,
by `export_warehouse_env`, and the Assets each model task emits are derived
from dbt's manifest with the same URI builder the ingest DAGs use.
"""

from __future__ import annotations

import json
import logging
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from sinergi.transform.dbt import dbt_env, manifest_path

log = logging.getLogger(__name__)


class ManifestMissing(FileNotFoundError):
    """The transform DAG is built from dbt's manifest, which has not been produced yet."""


def require_manifest(path: Path | None = None) -> Path:
    """The manifest's path; raises with the command that builds it when it is missing."""
    path = path or manifest_path()
    if not path.exists():
        raise ManifestMissing(
            f"dbt manifest not found at {path}: the transform DAG is rendered from it. "
            "Build it with `sinergi transform manifest` (dbt parse; `make setup` runs it) "
            "and the DAG appears on the next parse."
        )
    return path


@lru_cache(maxsize=4)
def _nodes(path: str, mtime: float) -> dict[str, dict[str, Any]]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return dict(data.get("nodes", {}))


def model_relations(path: Path | None = None) -> dict[str, tuple[str, str]]:
    """{model name: (schema, relation name)} of every model and snapshot in the manifest."""
    path = require_manifest(path)
    relations = {}
    for node in _nodes(str(path), path.stat().st_mtime).values():
        if node.get("resource_type") in ("model", "snapshot"):
            relations[node["name"]] = (node["schema"], node.get("alias") or node["name"])
    return relations


def export_warehouse_env(context: Any = None) -> None:
    """pre_execute hook of every dbt task: point dbt's profile at the warehouse.

    Runs in the task's own process, right before Cosmos builds dbt's
    environment from os.environ, so the DAG file never resolves the warehouse.
    """
    from sinergi.warehouse.connection import resolve_target

    target = resolve_target()
    os.environ.update(dbt_env(target))
    if not os.environ.get("SINERGI_NIP_HMAC_KEY"):
        log.warning("SINERGI_NIP_HMAC_KEY is not set: models that pseudonymise NIPs will fail")
