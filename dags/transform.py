"""
### Transform: dbt staging, intermediate and marts (Cosmos)

Runs the dbt project in `dbt_project/` with astronomer-cosmos, one Airflow
task per dbt node, rendered from dbt's manifest (`LoadMode.DBT_MANIFEST`):
`sinergi transform manifest` (dbt parse, run by `make setup`) writes
`dbt_project/target/manifest.json`; this file never runs dbt while it is
parsed and fails with that instruction when the manifest is missing.

Each model task runs `dbt build` on its model (`TestBehavior.BUILD`): the
model, then its data tests and unit tests, so a failing test stops everything
downstream of it. dbt runs in the worker's process (`InvocationMode.DBT_RUNNER`).
The warehouse is resolved when a task starts (`SINERGI_WAREHOUSE_URL`, else
the embedded PostgreSQL) and handed to `dbt_project/profiles.yml` through
environment variables; NIPs are pseudonymised with `SINERGI_NIP_HMAC_KEY`.

Scheduled by data: a run starts when any raw table (`raw.<source>__<entity>`)
is updated by an ingest DAG. Every model task emits its table's Asset
(`postgres://<SINERGI_ASSET_AUTHORITY>/<schema>/<table>`); the marts land in
`audit`, and their Assets schedule the quality-and-publish DAG.
The same build runs outside Airflow as `sinergi transform build`.
"""

from __future__ import annotations

import os

from airflow.sdk import AssetAny

from sinergi.assets import RAW_ASSETS, warehouse_table_asset
from sinergi.orchestration.airflow_home import airflow_home
from sinergi.orchestration.dag_defaults import DEFAULT_ARGS, START_DATE
from sinergi.transform.airflow_support import (
    export_warehouse_env,
    model_relations,
    require_manifest,
)
from sinergi.transform.dbt import PROFILE_NAME, TARGET_NAME, dbt_project_dir

# Cosmos reads its settings at import: its caches go under the Airflow home, no telemetry.
os.environ.setdefault("AIRFLOW__COSMOS__CACHE_DIR", str(airflow_home() / "cosmos_cache"))
os.environ.setdefault("AIRFLOW__COSMOS__ENABLE_TELEMETRY", "False")

from cosmos import (
    DbtDag,
    ExecutionConfig,
    LoadMode,
    ProfileConfig,
    ProjectConfig,
    RenderConfig,
)
from cosmos.constants import InvocationMode, TestBehavior, TestIndirectSelection

MANIFEST = require_manifest()
PROJECT_DIR = dbt_project_dir()

transform = DbtDag(
    dag_id="transform",
    doc_md=__doc__,
    schedule=AssetAny(*RAW_ASSETS.values()),
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["sinergi", "dbt", "transform"],
    project_config=ProjectConfig(
        dbt_project_path=PROJECT_DIR,
        manifest_path=MANIFEST,
        project_name="sinergi",
    ),
    profile_config=ProfileConfig(
        profile_name=PROFILE_NAME,
        target_name=TARGET_NAME,
        profiles_yml_filepath=PROJECT_DIR / "profiles.yml",
    ),
    execution_config=ExecutionConfig(
        invocation_mode=InvocationMode.DBT_RUNNER,
        # a model's build runs only the tests whose every parent is built by then
        # (a relationships test waits for both of its models)
        test_indirect_selection=TestIndirectSelection.CAUTIOUS,
    ),
    render_config=RenderConfig(
        load_method=LoadMode.DBT_MANIFEST,
        test_behavior=TestBehavior.BUILD,
        # A test on two models (relationships) runs as its own task after both,
        # not inside the build of whichever parent happens to come first.
        should_detach_multiple_parents_tests=True,
        # The Assets come from sinergi.assets (below), not from OpenLineage's
        # socket-path URIs, so consumers can build the same strings. (Cosmos takes
        # this from RenderConfig and overrides operator_args' value with it.)
        emit_datasets=False,
    ),
    operator_args={
        "install_deps": False,
        "pre_execute": export_warehouse_env,
    },
)

# Each model or snapshot task emits the Asset of the table it builds.
_RELATIONS = model_relations(MANIFEST)
for _task in transform.tasks:
    _node = (getattr(_task, "extra_context", None) or {}).get("dbt_node_config") or {}
    if _node.get("resource_type") in ("model", "snapshot") and _node.get("name") in _RELATIONS:
        _schema, _table = _RELATIONS[_node["name"]]
        _task.outlets = [*_task.outlets, warehouse_table_asset(_schema, _table)]
