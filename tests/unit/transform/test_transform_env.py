"""The Python side of the transform: dbt's environment and the selection a run builds."""

from __future__ import annotations

from sinergi.transform.dbt import dbt_env, dbt_project_dir
from sinergi.transform.manifest import missing_relations
from sinergi.transform.selection import dbt_selection, raw_tables_of
from sinergi.warehouse.connection import WarehouseTarget


def test_socket_target_maps_to_profile_variables() -> None:
    target = WarehouseTarget("/srv/pgdata", 5432, "postgres", "", "sinergi")
    env = dbt_env(target, threads=2)
    assert env["SINERGI_PG_HOST"] == "/srv/pgdata"  # libpq takes a socket directory as host
    assert env["SINERGI_PG_PORT"] == "5432"
    assert env["SINERGI_PG_DBNAME"] == "sinergi"
    assert env["SINERGI_PG_PASSWORD"]  # never empty (Cosmos refuses it)
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


def test_selection_builds_downstream_of_the_changed_raw_tables() -> None:
    uris = [
        "postgres://sinergi-warehouse:5432/sinergi/raw/bpsdm_daerah__participations",
        "postgres://sinergi-warehouse:5432/sinergi/raw/siasn__asn",
        "sinergi://events/siasn",  # not a raw table
    ]
    tables = raw_tables_of(uris)
    assert tables == ["bpsdm_daerah__participations", "siasn__asn"]
    assert dbt_selection(tables) == "source:bpsdm_daerah.participations+ source:siasn.asn+"


def test_no_known_raw_table_builds_everything() -> None:
    assert dbt_selection([]) is None
    assert dbt_selection(["no_such__table"]) is None


def test_a_table_not_built_yet_is_missing() -> None:
    manifest = {
        "nodes": {
            "model.s.a": {"resource_type": "model", "schema": "marts", "name": "a", "config": {}},
            "model.s.e": {
                "resource_type": "model",
                "schema": "x",
                "name": "e",
                "config": {"materialized": "ephemeral"},
            },
            "seed.s.w": {"resource_type": "seed", "schema": "seeds", "name": "w", "alias": "wil"},
            "test.s.t": {"resource_type": "test", "schema": "marts", "name": "t"},
        }
    }
    assert missing_relations(manifest, {("marts", "a")}) == ["seeds.wil"]
    assert missing_relations(manifest, {("marts", "a"), ("seeds", "wil")}) == []
