"""The NIP pseudonym key reaches PostgreSQL and nothing else.

The pipeline ran with a canary key (conftest): the pseudonyms in the
warehouse are HMACs under that key, so it did reach the database; and no
file dbt, GX, Airflow, the run report or the tests wrote, no line they
printed or logged, and no row of the warehouse or of Airflow's metadata
holds it, as text or as hex.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from secured_world import SecuredWorld

from sinergi.orchestration.airflow_home import airflow_home, metadata_database
from sinergi.paths import project_dir, state_dir
from sinergi.transform.dbt import dbt_env, dbt_project_dir
from sinergi.warehouse.connection import WarehouseTarget, connect

pytestmark = pytest.mark.integration


def _forms(key: str) -> list[bytes]:
    return [key.encode(), key.encode().hex().encode()]


def _files(folders: Iterable[Path]) -> Iterator[Path]:
    for folder in folders:
        if folder.is_file():
            yield folder
        elif folder.is_dir():
            yield from (path for path in folder.rglob("*") if path.is_file())


def _files_holding(key: str, folders: Iterable[Path]) -> list[str]:
    forms = _forms(key)
    found = []
    for path in _files(folders):
        try:
            data = path.read_bytes()
        except OSError:  # a file another run removed meanwhile
            continue
        if any(form in data for form in forms):
            found.append(str(path))
    return found


def _rows_holding(target: WarehouseTarget, key: str) -> list[str]:
    """`schema.table` of every table in the database with a row whose text holds the key."""
    found = []
    with psycopg.connect(target.conninfo, autocommit=True) as conn:
        tables = conn.execute(
            "select table_schema, table_name from information_schema.tables"
            " where table_type = 'BASE TABLE'"
            " and table_schema not in ('pg_catalog', 'information_schema')"
        ).fetchall()
        for schema, table in tables:
            relation = sql.Identifier(schema, table)
            hit = conn.execute(
                sql.SQL("select exists (select from {} as t where t::text like %s)").format(
                    relation
                ),
                (f"%{key}%",),
            ).fetchone()
            if hit and hit[0]:
                found.append(f"{schema}.{table}")
    return found


def test_pseudonyms_are_keyed_by_the_session_setting(secured_world: SecuredWorld) -> None:
    with connect(secured_world.target) as conn:
        pairs = conn.execute("select nip, asn_key from intermediate.int_asns_resolved").fetchall()
        profiles = {
            key for (key,) in conn.execute("select asn_key from marts.asn_development_profiles")
        }
    assert len(pairs) > 100
    expected = {
        nip: hmac.new(secured_world.key.encode(), nip.encode(), hashlib.sha256).hexdigest()
        for nip, _ in pairs
    }
    assert [nip for nip, key in pairs if key != expected[nip]] == []
    assert profiles and profiles <= set(expected.values())


def test_the_key_is_in_no_file_log_line_or_row(secured_world: SecuredWorld) -> None:
    key = secured_world.key
    written = dict(secured_world.folders)
    # the same folders dbt, GX and Airflow use when nothing moves them
    defaults = {
        "dbt_project/target": dbt_project_dir() / "target",
        "dbt_project/logs": dbt_project_dir() / "logs",
        "expectations/uncommitted": project_dir() / "expectations" / "uncommitted",
        "Airflow logs": airflow_home() / "logs",
        "Sinergi logs": state_dir() / "logs",
    }
    for what in ("dbt target", "dbt logs", "GX context", "run reports"):
        assert any(_files([written[what]])), f"the run wrote nothing into {what}: vacuous"
    assert (written["dbt target"] / "manifest.json").exists()
    assert (written["dbt target"] / "partial_parse.msgpack").exists()
    assert any((written["dbt target"] / "run").rglob("int_asns_resolved.sql"))
    assert (written["dbt logs"] / "dbt.log").stat().st_size > 0
    assert any((written["GX context"] / "uncommitted").rglob("*.html"))

    assert _files_holding(key, [*written.values(), *defaults.values()]) == []
    output = secured_world.output.read_bytes()
    said = output.decode(errors="replace") + "\n".join(secured_world.log_lines)
    # under dag.test() the tasks' logs (dbt's own lines among them) are the process's output
    for line in ("dbt build", "dbt built", "Finished running", "published"):
        assert line in said, f"{line!r} was not captured: the search would be vacuous"
    assert not any(form in output for form in _forms(key))
    assert [line for line in secured_world.log_lines if key in line] == []

    assert _rows_holding(secured_world.target, key) == []
    assert _rows_holding(secured_world.target.with_database(metadata_database()), key) == []


def test_dbt_without_the_session_setting_fails_naming_the_variable(
    secured_world: SecuredWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`dbt run` outside Sinergi's runner (no sinergi.nip_hmac_key in the session)."""
    from dbt.cli.main import dbtRunner

    for name, value in dbt_env(secured_world.target).items():
        monkeypatch.setenv(name, value)
    assert "nip_hmac_key" not in os.environ["PGOPTIONS"]
    result = dbtRunner().invoke(
        ["run", "--select", "int_asns_resolved", "--project-dir", str(dbt_project_dir())]
    )
    assert not result.success
    (message,) = [
        str(r.message) for r in result.result.results if r.node.name == "int_asns_resolved"
    ]
    assert "SINERGI_NIP_HMAC_KEY is not set" in message, message
