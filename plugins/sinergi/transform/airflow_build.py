"""The transform DAG's one task: `dbt build` of what the triggering raw tables feed.

Kept out of the DAG file, which is parsed often and must stay cheap: the
warehouse (which may mean starting the embedded PostgreSQL) is resolved and
dbt imported only when the task runs.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any

from sinergi.transform.dbt import PIPELINE_BUILD, hmac_key, run_dbt
from sinergi.transform.manifest import load_manifest, missing_relations
from sinergi.transform.selection import built_marts, dbt_selection, raw_tables_of, triggering_uris
from sinergi.warehouse.connection import WarehouseTarget, connect, resolve_target

log = logging.getLogger(__name__)


def build_triggered(context: Mapping[str, Any]) -> dict[str, Any]:
    """Build downstream of the run's raw Assets (everything when there are none).

    Fails at once, in one line naming SINERGI_NIP_HMAC_KEY, when the key is not set.
    """
    hmac_key()  # raises MissingHmacKey
    target = resolve_target()
    raw_tables = raw_tables_of(triggering_uris(context))
    selection = dbt_selection(raw_tables)
    missing = _missing_tables(target)
    if selection and missing:
        log.info("%d tables not built yet (%s, ...): building everything", len(missing), missing[0])
        selection = None
    args = [*PIPELINE_BUILD, *(["--select", selection] if selection else [])]
    log.info("raw tables changed: %s; dbt %s", raw_tables or "none named", " ".join(args))
    started = time.monotonic()
    results = run_dbt(args, target)
    nodes = getattr(results, "results", None) or []
    summary = {
        "raw_tables": raw_tables,
        "selection": selection or "all",
        "nodes": len(nodes),
        "models": sum(1 for r in nodes if r.node.resource_type == "model"),
        "tests": sum(1 for r in nodes if r.node.resource_type == "test"),
        "marts": built_marts(results),
        "seconds": round(time.monotonic() - started, 1),
    }
    log.info("dbt built %(models)d models and ran %(tests)d tests in %(seconds)s s", summary)
    return summary


def _missing_tables(target: WarehouseTarget) -> list[str]:
    """The project's tables the warehouse lacks (all of them without a manifest)."""
    manifest = load_manifest()
    if manifest is None:
        return ["(no dbt manifest)"]
    with connect(target) as conn:
        existing = {
            (str(schema), str(table))
            for schema, table in conn.execute(
                "select table_schema, table_name from information_schema.tables"
            )
        }
    return missing_relations(manifest, existing)
