"""The Great Expectations file context in `expectations/` and running suites in it.

GX is imported here and only here, lazily: `import great_expectations` costs
about ten seconds, too much for DAG parsing or for a CLI `--help`. Suites are
built in code from the committed configuration (`raw_contracts.yml`,
`quality.yml`) on every run, so they follow the warehouse as it is (a new
mart gets its suite without anyone writing JSON) and GX stores, renders
(Data Docs) and runs them. The context is configured by the committed
`great_expectations.yml` but keeps its datasources in memory: GX's file mode
would rewrite that file (new random ids) on every run, from every task.
Checkpoints and validation definitions live in memory too: they name the
datasource's assets, which a run registers only for the tables it checks, so
persisted ones would make the next run fail to load them ("Could not find
asset ...") whenever it checks other tables. Suites, validation results and
Data Docs are files under `expectations/uncommitted/`.
The warehouse credential reaches GX only as the `${SINERGI_GX_WAREHOUSE_URL}`
placeholder, set in this process's environment.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sinergi.quality.config import expectations_dir
from sinergi.quality.offline_data_docs import make_sites_offline
from sinergi.quality.results import CheckResult, to_json
from sinergi.warehouse.connection import WarehouseTarget

log = logging.getLogger(__name__)

DATASOURCE_NAME = "sinergi_warehouse"
URL_PLACEHOLDER_VARIABLE = "SINERGI_GX_WAREHOUSE_URL"
SAMPLE_SIZE = 20  # unexpected values kept in meta.dq_results details


@dataclass
class SuiteSpec:
    """One suite to run on one table: its name, the table and GX expectation objects."""

    name: str
    schema: str
    table: str
    expectations: list[Any] = field(default_factory=list)
    query: str | None = None  # validate these rows only (e.g. new raw batches), not the table


def quiet_gx() -> None:
    """GX logs hundreds of INFO lines and draws progress bars: keep task logs readable."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    logging.getLogger("great_expectations").setLevel(logging.WARNING)


# Stores whose records name datasource assets: built afresh by every run, never persisted.
RUN_SCOPED_STORES = {
    "checkpoint_store": "CheckpointStore",
    "validation_definition_store": "ValidationDefinitionStore",
}
IN_MEMORY_BACKEND = {"class_name": "InMemoryStoreBackend"}


def _project_config(root: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """The committed `great_expectations.yml` (file stores anchored at `root`) and its datasources.

    The checkpoint and validation-definition stores are held in memory whatever
    the file says (see the module note): a run defines all it runs.
    """
    spec = yaml.safe_load((root / "great_expectations.yml").read_text(encoding="utf-8"))
    datasources = spec.pop("fluent_datasources", None) or {}
    stores = spec.setdefault("stores", {})
    for name, class_name in RUN_SCOPED_STORES.items():
        stores[name] = {"class_name": class_name, "store_backend": dict(IN_MEMORY_BACKEND)}
    spec["checkpoint_store_name"] = "checkpoint_store"
    for section in ("stores", "data_docs_sites"):
        for entry in spec.get(section, {}).values():
            backend = entry.setdefault("store_backend", {})
            if backend.get("class_name") != IN_MEMORY_BACKEND["class_name"]:
                backend["root_directory"] = str(root)
    return spec, datasources


def get_context(target: WarehouseTarget) -> Any:
    """A context configured by `expectations/great_expectations.yml`, the warehouse its datasource.

    Suites, validation results and Data Docs are files under
    `expectations/uncommitted/`; the datasource and its table assets, the
    checkpoints and validation definitions are held in memory (see the note in
    `great_expectations.yml`), the connection string the committed placeholder.
    """
    quiet_gx()
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        DataContextConfigSchema,
    )

    os.environ[URL_PLACEHOLDER_VARIABLE] = target.sqlalchemy_url
    spec, datasources = _project_config(expectations_dir())
    loaded = DataContextConfigSchema().load(spec)
    context = gx.get_context(project_config=DataContextConfig(**loaded), mode="ephemeral")
    source = datasources.get(DATASOURCE_NAME) or {}
    if source.get("type", "postgres") != "postgres":
        raise ValueError(f"great_expectations.yml: {DATASOURCE_NAME} must be of type postgres")
    context.data_sources.add_postgres(
        name=DATASOURCE_NAME,
        connection_string=source.get("connection_string", "${" + URL_PLACEHOLDER_VARIABLE + "}"),
    )
    return context


def _batch_definition(context: Any, spec: SuiteSpec) -> Any:
    datasource = context.data_sources.get(DATASOURCE_NAME)
    asset_name = f"{spec.schema}.{spec.table}"
    try:
        asset = datasource.get_asset(asset_name)
    except LookupError:
        if spec.query:
            asset = datasource.add_query_asset(asset_name, query=spec.query)
        else:
            asset = datasource.add_table_asset(
                asset_name, table_name=spec.table, schema_name=spec.schema
            )
    try:
        return asset.get_batch_definition("whole")
    except KeyError:
        return asset.add_batch_definition_whole_table("whole")


def run_checkpoint(
    context: Any,
    name: str,
    suites: Sequence[SuiteSpec],
    *,
    run_name: str,
    parameters: Mapping[str, Any] | None = None,
) -> list[CheckResult]:
    """Run the suites as one checkpoint (one Data Docs build) and return their results."""
    import great_expectations as gx

    if not suites:
        return []
    definitions = []
    for spec in suites:
        suite = gx.ExpectationSuite(name=spec.name, expectations=list(spec.expectations))
        suite = context.suites.add_or_update(suite)
        definitions.append(
            context.validation_definitions.add_or_update(
                gx.ValidationDefinition(
                    name=spec.name,
                    data=_batch_definition(context, spec),
                    suite=suite,
                )
            )
        )
    checkpoint = context.checkpoints.add_or_update(
        gx.Checkpoint(
            name=name,
            validation_definitions=definitions,
            actions=[],  # Data Docs are built once below
            result_format={"result_format": "COMPLETE"},
        )
    )
    outcome = checkpoint.run(
        expectation_parameters=dict(parameters or {}),
        run_id=gx.RunIdentifier(run_name=run_name),
    )
    build_data_docs(context, outcome.run_results)
    # the pages load their JS and CSS from CDNs, unreachable in government networks
    make_sites_offline(site["site_url"] for site in context.get_docs_sites_urls())
    results: list[CheckResult] = []
    for validation in outcome.run_results.values():
        results.extend(_check_results(validation.suite_name, validation.results))
    log.info(
        "checkpoint %s: %d checks, %d failed; Data Docs: %s",
        name,
        len(results),
        sum(not r.success for r in results),
        data_docs_path(context),
    )
    return results


def build_data_docs(context: Any, run_results: Mapping[Any, Any]) -> None:
    """One Data Docs build for a checkpoint's results: their pages, their suites, the index.

    GX's UpdateDataDocsAction builds the site once per validation result, the
    index and its templates included: 17 builds and about 60 of the 100 seconds
    of the mart suites at 5,000 ASN, growing with the marts.
    """
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
    )

    identifiers: list[Any] = list(run_results)
    identifiers += [ExpectationSuiteIdentifier(name=r.suite_name) for r in run_results.values()]
    context.build_data_docs(resource_identifiers=identifiers, build_index=True)


def _check_results(suite: str, expectation_results: Sequence[Any]) -> list[CheckResult]:
    converted = []
    for item in expectation_results:
        config = item.expectation_config
        meta = dict(config.meta or {})
        result = dict(item.result or {})
        exception = item.exception_info or {}
        unexpected_rows = (result.get("details") or {}).get("unexpected_rows")
        sample = next(
            (
                found
                for found in (
                    unexpected_rows,
                    result.get("unexpected_list"),
                    result.get("partial_missing_list"),  # expect_..._to_contain_set
                )
                if found is not None
            ),
            None,
        )
        details: dict[str, Any] = {
            "gx_type": config.type,
            "kwargs": {k: v for k, v in config.kwargs.items() if k != "batch_id"},
            "sample": to_json((sample or [])[:SAMPLE_SIZE]),
        }
        if meta.get("quarantines"):
            details["quarantines"] = True  # its bad rows are handled: no alert needed
        if exception.get("raised_exception"):
            details["exception"] = exception.get("exception_message")
        observed = result.get("observed_value")
        unexpected = result.get("unexpected_count", result.get("missing_count"))
        if config.type == "unexpected_rows_expectation":
            unexpected = observed
        converted.append(
            CheckResult(
                suite=suite,
                expectation=str(meta.get("check") or config.type),
                success=bool(item.success),
                is_blocking=bool(meta.get("blocking", True)),
                column=config.kwargs.get("column") or meta.get("column"),
                observed_value=observed,
                unexpected_count=int(unexpected) if unexpected is not None else None,
                details=details,
            )
        )
    return converted


def data_docs_path(context: Any) -> str | None:
    """The local Data Docs index (a file URL), where engineers see what failed."""
    sites = context.get_docs_sites_urls()
    return str(sites[0]["site_url"]) if sites else None
