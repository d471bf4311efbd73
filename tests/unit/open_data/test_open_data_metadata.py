"""The export's files: CSV, Satu Data metadata and DCAT, deterministic; what is never exported."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from open_data_tables import institution_year, region_year

from sinergi.open_data import config
from sinergi.open_data.export import CATALOG_FILE, METADATA_FILE, build_files, write_files
from sinergi.open_data.marts import exportable_marts
from sinergi.open_data.metadata import title, unit
from sinergi.transform.manifest import model_key as manifest_key


def files():  # type: ignore[no-untyped-def]
    inst = institution_year(
        [
            ("95", "95", 2023, 40, 30),
            ("95.01", "95", 2024, 3, 2),
            ("95.02", "95", 2024, 30, 10),
            ("KL-001", None, 2024, 300, 120),
        ]
    )
    return build_files([inst, region_year(inst)], threshold=5, publisher="BPSDM Test")


def test_same_marts_give_the_same_bytes_and_a_rerun_writes_nothing(tmp_path: Path) -> None:
    first, _ = files()
    second, counts = files()
    assert first == second
    assert counts["participation_by_institution_year"] > 0
    written = write_files(first, tmp_path)
    assert sorted(written.written) == sorted(first)
    again = write_files(second, tmp_path)
    assert again.written == [] and sorted(again.unchanged) == sorted(first)


def test_the_csv_blanks_small_cells_and_names_them() -> None:
    data, _ = files()
    rows = list(csv.DictReader(io.StringIO(data["participation_by_institution_year.csv"].decode())))
    assert [r["instansi_id"] for r in rows] == ["95", "95.01", "95.02", "KL-001"]
    small = rows[1]
    assert small["asn_count"] == "" and small[config.FLAG_COLUMN].split(";")[0] == "asn_count"
    assert rows[3]["asn_count"] == "300" and rows[3][config.FLAG_COLUMN] == ""
    assert rows[3]["provinsi_kode"] == ""  # a null stays empty, with no flag


def test_metadata_carries_satu_data_elements() -> None:
    data, _ = files()
    metadata = json.loads(data[METADATA_FILE])
    assert "39 Tahun 2019" in metadata["standar"]
    assert metadata["penekanan_sel_kecil"]["ambang"] == 5
    assert "Kemendagri" in metadata["kode_wilayah"]
    dataset = next(
        d for d in metadata["dataset"] if d["tabel"] == "participation_by_institution_year"
    )
    assert dataset["nama"] == "sinergi-participation-by-institution-year"
    assert dataset["judul"] == "Participation per institution x year"
    assert dataset["produsen_data"] == "BPSDM Test"
    assert dataset["periode"] == {"tahun_awal": 2023, "tahun_akhir": 2024}
    assert dataset["frekuensi"] == "tahunan"
    assert dataset["kunci"] == ["instansi_id", "tahun"]
    assert dataset["satuan_observasi"] == "one row per instansi_id x tahun"
    assert dataset["kode_wilayah"]
    variables = {v["nama"]: v for v in dataset["variabel"]}
    assert variables["asn_count"]["definisi"] == "definition of asn_count"
    assert variables["asn_count"]["satuan"] == "jumlah"
    assert variables["asn_count"]["disembunyikan_bila_kecil"] is True
    assert variables["share_reaching_20_jp"]["rasio"] == ["asn_reaching_20_jp", "asn_count"]
    assert config.FLAG_COLUMN in variables
    body = data[dataset["berkas"]["nama"]]
    assert dataset["berkas"]["ukuran_byte"] == len(body)
    assert dataset["berkas"]["baris"] == body.count(b"\n") - 1


def test_dcat_catalog_has_a_dataset_and_a_csv_distribution_per_mart() -> None:
    data, _ = files()
    catalog = json.loads(data[CATALOG_FILE])
    assert catalog["@type"] == "dcat:Catalog"
    assert catalog["@context"]["dcat"] == "http://www.w3.org/ns/dcat#"
    datasets = {d["dct:identifier"]: d for d in catalog["dcat:dataset"]}
    assert set(datasets) == {
        "sinergi-participation-by-institution-year",
        "sinergi-participation-by-region-year",
    }
    dataset = datasets["sinergi-participation-by-region-year"]
    assert dataset["@type"] == "dcat:Dataset"
    assert dataset["dct:publisher"]["foaf:name"] == "BPSDM Test"
    assert dataset["dct:temporal"]["dcat:startDate"]["@value"] == "2023-01-01"
    assert dataset["dct:temporal"]["dcat:endDate"]["@value"] == "2024-12-31"
    assert dataset["dct:conformsTo"]
    (distribution,) = dataset["dcat:distribution"]
    assert distribution["@type"] == "dcat:Distribution"
    assert distribution["dcat:downloadURL"]["@id"] == "participation_by_region_year.csv"
    assert distribution["dcat:mediaType"]["@id"].endswith("/text/csv")


def _model(name: str, columns: list[str], path: str = "models/marts/x/") -> dict[str, object]:
    return {
        "resource_type": "model",
        "name": name,
        "original_file_path": f"{path}{name}.sql",
        "config": {"materialized": "table"},
        "columns": {c: {"name": c, "description": ""} for c in columns},
    }


def test_person_level_and_pseudonymous_marts_are_never_exported() -> None:
    manifest = {
        "nodes": {
            "model.s.asn_development_profiles": _model("asn_development_profiles", ["asn_key"]),
            "model.s.fct_participations": _model("fct_participations", ["participation_id"]),
            "model.s.dim_dates": _model("dim_dates", ["date_day"]),
            "model.s.new_mart": _model("new_mart", ["instansi_id", "asn_key"]),
            "model.s.nip_list": _model("nip_list", ["nip_baru"]),
            "model.s.stg": _model("stg_x", ["a"], path="models/staging/"),
            "model.s.participation_by_region_year": _model(
                "participation_by_region_year", ["provinsi_kode", "tahun", "asn_count"]
            ),
        }
    }
    assert exportable_marts(manifest) == ["participation_by_region_year"]


def test_keys_come_from_dbt_uniqueness_tests() -> None:
    manifest = {
        "nodes": {
            "model.s.m": _model("m", ["a", "b"]),
            "test.s.u": {
                "resource_type": "test",
                "attached_node": "model.s.m",
                "test_metadata": {
                    "name": "unique_combination_of_columns",
                    "kwargs": {"combination_of_columns": ["a", "b"]},
                },
            },
        }
    }
    assert manifest_key(manifest, "model.s.m") == ("a", "b")


def test_titles_and_units_follow_the_descriptions_and_names() -> None:
    inst = institution_year([])
    assert title(inst) == "Participation per institution x year"
    for description, expected in (
        (
            "Every central (K/L-hosted) training: participants.",
            "Every central (K/L-hosted) training",
        ),
        ("Kemendagri regions (38 provinces, 514 regencies/cities).", "Kemendagri regions"),
        ("Flows per year (cross-region, e.g. Kalteng to Jatim); more", "Flows per year"),
        (
            "Annual plan vs realisation per institution.",
            "Annual plan vs realisation per institution",
        ),
    ):
        inst.description = description
        assert title(inst) == expected
    units = {c.name: unit(c) for c in inst.columns}
    assert units["asn_count"] == "jumlah"
    assert units["jp_total_all"].startswith("JP")
    assert units["share_reaching_20_jp"] == "rasio (0-1)"
    assert units["avg_jp_per_asn"].startswith("rata-rata")
