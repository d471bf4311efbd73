"""Open data out, end to end: the published marts of a world with a regency of three ASN
exported (`sinergi open-data export`) and pushed twice to the simulator's CKAN portal
(`sinergi open-data publish`): one package per dataset, rows equal to the export, no
duplicates, no small count anywhere, no blank recoverable from a published total."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path
from typing import Any

import psycopg
import pytest
from open_data_world import PSEUDONYMS, mart_rows, publish_world, write_manifest
from typer.testing import CliRunner

from sinergi.cli import app
from sinergi.open_data import config
from sinergi.open_data.ckan import CkanClient, CkanError
from sinergi.open_data.export import load_manifest_file
from sinergi.open_data.marts import read_marts
from sinergi.warehouse.connection import WarehouseTarget
from sinergi_simulator.api import start_simulator

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "unit" / "open_data"))
from open_data_tables import recoverable

EXPORTED = ["participation_by_institution_year", "participation_by_region_year"]


def run(*args: str) -> str:
    result = CliRunner().invoke(app, ["open-data", *args])
    assert result.exit_code == 0, result.output
    return result.output


def csv_rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def as_csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def portal_state(client: CkanClient) -> dict[str, list[dict[str, str]]]:
    """{package name: its rows as CSV text}, checking one CSV resource per package."""
    state = {}
    for name in client.call("package_list", {}):
        package = client.call("package_show", {"id": name})
        (resource,) = package["resources"]
        assert resource["format"] == "CSV" and resource["datastore_active"]
        records = client.search_all(resource["id"], [])
        state[name] = [
            {k: as_csv_text(v) for k, v in record.items() if k != "_id"} for record in records
        ]
    return state


@pytest.fixture
def world(
    fresh_database: WarehouseTarget, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[WarehouseTarget, Path]:
    publish_world(fresh_database, mart_rows())
    monkeypatch.setenv("SINERGI_WAREHOUSE_URL", fresh_database.url)
    monkeypatch.delenv(config.THRESHOLD_VARIABLE, raising=False)
    return fresh_database, write_manifest(tmp_path / "manifest.json")


def test_export_and_publish_twice_round_trip_without_duplicates_or_small_cells(
    world: tuple[WarehouseTarget, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target, manifest = world
    out = tmp_path / "open-data"
    run("export", "--out", str(out), "--manifest", str(manifest))

    # only the aggregates go out; no pseudonym anywhere
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [f"{m}.csv" for m in EXPORTED] + ["catalog.jsonld", "metadata.json"]
    )
    everything = "".join(p.read_text(encoding="utf-8") for p in out.iterdir())
    assert "asn_key" not in everything
    assert not any(pseudonym in everything for pseudonym in PSEUDONYMS)

    # the regency of three ASN: no count of 1..4 published, nothing recoverable
    exported = {m: csv_rows(out / f"{m}.csv") for m in EXPORTED}
    with psycopg.connect(target.conninfo) as conn:
        tables = {t.name: t for t in read_marts(conn, load_manifest_file(manifest))}
    for mart, rows in exported.items():
        for column in tables[mart].count_columns:
            for row in rows:
                assert row[column] == "" or not 0 < int(row[column]) < 5, (mart, column, row)
    regency = next(r for r in exported[EXPORTED[0]] if r["instansi_id"] == "95.01")
    assert regency["asn_count"] == "" and "asn_count" in regency[config.FLAG_COLUMN]
    blanked = {
        m: [{k: (v if v != "" else None) for k, v in row.items()} for row in rows]
        for m, rows in exported.items()
    }
    assert recoverable(tables, blanked, config.RELATIONS, 5) == []

    # the same marts: the same bytes, nothing rewritten
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    assert "0 file(s) written" in run("export", "--out", str(out), "--manifest", str(manifest))
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before

    metadata = json.loads((out / "metadata.json").read_text(encoding="utf-8"))
    names = {d["tabel"]: d["nama"] for d in metadata["dataset"]}
    with start_simulator(seed=3, asn=40) as sim:
        portal = sim.urls["satudata"]
        key = sim.credentials.satudata_api_key
        connection = {"conn_type": "http", "host": portal, "password": key}
        monkeypatch.setenv("AIRFLOW_CONN_SINERGI_OPEN_DATA_PORTAL", json.dumps(connection))
        client = CkanClient(portal, key)

        assert "2 dataset(s) created" in run("publish", "--from", str(out))
        first = portal_state(client)
        assert "0 updated, 2 unchanged" in run("publish", "--from", str(out))
        assert portal_state(client) == first
        assert sorted(first) == sorted(names.values())
        for mart in EXPORTED:
            assert first[names[mart]] == exported[mart]
        package = client.call("package_show", {"id": names[EXPORTED[1]]})
        extras = {e["key"]: e["value"] for e in package["extras"]}
        assert extras["periode"] == "2024-2024" and extras["kunci"] == "provinsi_kode,tahun"

        # the marts change: a row updated, a row gone; the portal follows, still one of each
        rows = mart_rows()
        rows[EXPORTED[0]] = [r for r in rows[EXPORTED[0]] if r["instansi_id"] != "KL-002"]
        rows[EXPORTED[0]][0]["jp_total_all"] = "999.00"
        publish_world(target, rows)
        run("export", "--out", str(out), "--manifest", str(manifest))
        assert "1 updated, 1 unchanged" in run("publish", "--from", str(out))
        after = portal_state(client)
        assert after[names[EXPORTED[0]]] == csv_rows(out / f"{EXPORTED[0]}.csv")
        assert [r["instansi_id"] for r in after[names[EXPORTED[0]]]].count("KL-002") == 0
        assert len(after) == 2

        # CKAN's refusals: a wrong key, a record without its key
        monkeypatch.setenv(
            "AIRFLOW_CONN_SINERGI_OPEN_DATA_PORTAL",
            json.dumps({**connection, "password": "not-the-key"}),
        )
        refused = CliRunner().invoke(app, ["open-data", "publish", "--from", str(out)])
        assert refused.exit_code == 1 and "Authorization Error" in refused.output
        resource = client.call("package_show", {"id": names[EXPORTED[1]]})["resources"][0]
        with pytest.raises(CkanError, match="Validation Error") as error:
            client.call(
                "datastore_upsert",
                {"resource_id": resource["id"], "method": "upsert", "records": [{"tahun": 1}]},
            )
        assert error.value.status == 409 and "key" in error.value.error
