"""The GX project configuration Sinergi derives from `great_expectations.yml` (no GX import)."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from sinergi.paths import project_dir
from sinergi.quality.gx_context import _project_config

# Written out here: the module's own list would pass whatever it held, even empty.
RUN_SCOPED_STORES = ("checkpoint_store", "validation_definition_store")


def _copy(tmp_path: Path) -> Path:
    shutil.copy(project_dir() / "expectations" / "great_expectations.yml", tmp_path)
    return tmp_path


def test_checkpoints_and_validation_definitions_are_never_files(tmp_path: Path) -> None:
    """They name datasource assets; persisted, the next run could not load them."""
    root = _copy(tmp_path)
    spec = yaml.safe_load((root / "great_expectations.yml").read_text())
    for name in RUN_SCOPED_STORES:  # even when the file asks for files
        spec["stores"][name]["store_backend"] = {
            "class_name": "TupleFilesystemStoreBackend",
            "base_directory": f"uncommitted/{name}/",
        }
    (root / "great_expectations.yml").write_text(yaml.safe_dump(spec))

    config, datasources = _project_config(root)

    for name in RUN_SCOPED_STORES:
        assert config["stores"][name]["store_backend"] == {"class_name": "InMemoryStoreBackend"}
    assert config["checkpoint_store_name"] == "checkpoint_store"
    assert "sinergi_warehouse" in datasources


def test_results_suites_and_data_docs_are_files_under_the_root(tmp_path: Path) -> None:
    config, _ = _project_config(_copy(tmp_path))

    for name in ("expectations_store", "validation_results_store"):
        backend = config["stores"][name]["store_backend"]
        assert backend["class_name"] == "TupleFilesystemStoreBackend"
        assert backend["root_directory"] == str(tmp_path)
    site = config["data_docs_sites"]["local_site"]["store_backend"]
    assert site["root_directory"] == str(tmp_path)


def test_data_docs_index_lists_a_bounded_number_of_results(tmp_path: Path) -> None:
    """GX reads every result the index lists on every build: unbounded, each night got slower."""
    config, _ = _project_config(_copy(tmp_path))

    limit = config["data_docs_sites"]["local_site"]["site_index_builder"].get(
        "validation_results_limit"
    )
    assert isinstance(limit, int) and 0 < limit <= 1000
