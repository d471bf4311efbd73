"""`make demo`: the pipeline end to end on the embedded defaults.

A simulated world (all 38 provinces) is served over HTTP and dropped as
regional files into the landing zone; then every DAG runs for real, in the
order the scheduler would chain them through their Assets: ingest (four API
sources and the file drops) → transform (dbt via Cosmos, marts into `audit`)
→ quality and publish (GX, quarantine, publish to `marts`). Re-running the
demo is safe: nothing new arrives, so nothing new is loaded.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field

from psycopg import sql

from sinergi.environment import temporary_environment
from sinergi.ingestion.landing import landing_dir
from sinergi.ingestion.registry import load_registry
from sinergi.orchestration.dag_runs import run_dag
from sinergi.orchestration.simulated_sources import simulator_connections
from sinergi.simulator.api import start_simulator
from sinergi.simulator.files import write_files
from sinergi.warehouse.connection import WarehouseTarget, connect, resolve_target

log = logging.getLogger(__name__)

DEMO_SEED = 2026
DEMO_ASN = 3000  # enough for ASN in every one of the 38 provinces
# The marts' pseudonyms need a key; the demo's own is fine for simulated people.
DEMO_NIP_KEY = "sinergi-demo-key-not-for-real-data"


@dataclass
class DemoResult:
    dag_runs: list[tuple[str, str]] = field(default_factory=list)
    mart_rows: dict[str, int] = field(default_factory=dict)
    quality_lines: list[str] = field(default_factory=list)


def ingest_dag_ids() -> list[str]:
    """The ingest DAGs, generated from the registry: one per API source, plus file drops."""
    sources = load_registry().sources.values()
    return [f"ingest_{s.name}" for s in sources if s.kind != "file_drop"] + ["ingest_file_drops"]


def mart_row_counts(target: WarehouseTarget) -> dict[str, int]:
    """Rows per published mart table (what analysts see)."""
    with connect(target) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "select table_name from information_schema.tables"
                " where table_schema = 'marts' order by table_name"
            )
        ]
        counts = {}
        for table in tables:
            query = sql.SQL("select count(*) from marts.{}").format(sql.Identifier(table))
            counts[table] = conn.execute(query).fetchone()[0]  # type: ignore[index]
        return counts


def run_demo(seed: int = DEMO_SEED, asn: int = DEMO_ASN) -> DemoResult:
    """Serve a simulated world, run every DAG in order, and report what was published."""
    from sinergi.quality.report import build_report, render

    result = DemoResult()
    target = resolve_target()
    os.environ.setdefault("SINERGI_NIP_HMAC_KEY", DEMO_NIP_KEY)
    with start_simulator(seed=seed, asn=asn) as sim:
        written = write_files(sim.sources, landing_dir())
        log.info("demo: %d regional files dropped into %s", written["files"], landing_dir())
        with temporary_environment(simulator_connections(sim)):
            for dag_id in ["warehouse_bootstrap", *ingest_dag_ids()]:
                result.dag_runs.append((dag_id, run_dag(dag_id)))
    for dag_id in ("transform", "quality_publish"):
        result.dag_runs.append((dag_id, run_dag(dag_id)))
    result.mart_rows = mart_row_counts(target)
    with connect(target) as conn:
        result.quality_lines = render(build_report(conn))
    return result
