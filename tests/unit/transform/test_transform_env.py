"""The Python side of the transform: dbt's environment, the manifest guard, model Assets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sinergi.transform.airflow_support import ManifestMissing, model_relations, require_manifest
from sinergi.transform.dbt import DUMMY_PASSWORD, dbt_env, dbt_project_dir
from sinergi.warehouse.connection import WarehouseTarget


def test_socket_target_maps_to_profile_variables() -> None:
    target = WarehouseTarget("/srv/pgdata", 5432, "postgres", "", "sinergi")
    env = dbt_env(target, threads=2)
    assert env["SINERGI_PG_HOST"] == "/srv/pgdata"  # libpq takes a socket directory as host
    assert env["SINERGI_PG_PORT"] == "5432"
    assert env["SINERGI_PG_DBNAME"] == "sinergi"
    assert env["SINERGI_PG_PASSWORD"] == DUMMY_PASSWORD  # never empty (Cosmos refuses it)
    assert env["SINERGI_DBT_THREADS"] == "2"
    assert env["DBT_PROFILES_DIR"] == str(dbt_project_dir())


def test_tcp_target_keeps_its_password() -> None:
    env = dbt_env(WarehouseTarget.from_url("postgresql://etl:s3cret@db.example:6543/wh"))
    assert (env["SINERGI_PG_HOST"], env["SINERGI_PG_PORT"]) == ("db.example", "6543")
    assert (env["SINERGI_PG_USER"], env["SINERGI_PG_PASSWORD"]) == ("etl", "s3cret")


def test_profile_reads_every_credential_from_the_environment() -> None:
    profile = (dbt_project_dir() / "profiles.yml").read_text()
    for name in ("HOST", "PORT", "USER", "PASSWORD", "DBNAME"):
        assert f"env_var('SINERGI_PG_{name}'" in profile


def test_missing_manifest_says_how_to_build_it(tmp_path: Path) -> None:
    with pytest.raises(ManifestMissing, match="sinergi transform manifest"):
        require_manifest(tmp_path / "manifest.json")


def test_model_relations_from_the_manifest(tmp_path: Path) -> None:
    manifest = tmp_path / "manifest.json"
    nodes = {
        "model.sinergi.fct": {"resource_type": "model", "name": "fct", "schema": "audit"},
        "snapshot.sinergi.snp": {"resource_type": "snapshot", "name": "snp", "schema": "snapshots"},
        "test.sinergi.t": {"resource_type": "test", "name": "t", "schema": "audit"},
    }
    manifest.write_text(json.dumps({"nodes": nodes}))
    assert model_relations(manifest) == {"fct": ("audit", "fct"), "snp": ("snapshots", "snp")}
