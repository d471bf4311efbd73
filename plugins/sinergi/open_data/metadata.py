"""The export's metadata: Satu Data Indonesia's data and metadata elements, and DCAT.

`metadata.json` carries what Perpres 39/2019 asks of each dataset (title,
producer, period, frequency, unit, the definition of every variable, the
region code standard) and is what `sinergi open-data publish` reads;
`catalog.jsonld` says the same in DCAT (JSON-LD) for harvesters. Both are
pure functions of the tables and files: no clock, so the same marts give the
same bytes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sinergi.open_data import config
from sinergi.open_data.marts import Column, MartTable

SATU_DATA = "Satu Data Indonesia (Peraturan Presiden Nomor 39 Tahun 2019)"
REGION_CODES = (
    "Kode wilayah administrasi pemerintahan Kemendagri: provinsi `35`, kabupaten/kota `35.15`;"
    " `KL-NNN` for a central ministry or agency (K/L), `pusat` for the K/L together"
)
CSV_MEDIA_TYPE = "https://www.iana.org/assignments/media-types/text/csv"
LICENSE = "cc-by"  # CKAN's id of Creative Commons Attribution
REGION_COLUMNS = (
    "provinsi_kode",
    "wilayah_kode",
    "instansi_id",
    "origin_instansi_id",
    "penyelenggara_id",
    "origin_provinsi_kode",
    "penyelenggara_provinsi_kode",
)


@dataclass(frozen=True)
class CsvFile:
    """One exported table file: its name, digest, size and rows."""

    name: str
    sha256: str
    byte_size: int
    rows: int


def dataset_name(mart: str) -> str:
    """The dataset's portal name (CKAN: lowercase letters, digits, `-` and `_`)."""
    return "sinergi-" + mart.replace("_", "-")


def title(table: MartTable) -> str:
    """A short title: the description's first clause (up to a colon, semicolon, comma or
    full stop), without a parenthesis the cut left open."""
    text = table.description.strip() or table.name.replace("_", " ")
    cuts = [i for sep in (": ", "; ", ", ", ". ") if (i := text.find(sep)) >= 0]
    text = text[: min(cuts)] if cuts else text
    if text.count("(") > text.count(")"):
        text = text[: text.rfind(" (")]
    return text.rstrip(".").strip()


def unit(column: Column) -> str:
    """The unit of a variable, from the column naming conventions (docs/open-data.md)."""
    name, kind = column.name, column.data_type
    if kind == "boolean":
        return "ya/tidak (true/false)"
    if name.endswith("_idr"):
        return "rupiah"
    if name.startswith("share_") or name.endswith(("_share", "_rate")):
        return "rasio (0-1)"
    if column.ratio is not None:
        return "rata-rata (pembilang / penyebut)"
    if config.matches(name, ("jp", "jp_*", "*_jp", "*_jp_*")):
        return "JP (jam pelajaran, 45 menit)"
    if column.is_count or config.matches(name, ("participants_*",)):
        return "jumlah"
    if name.startswith("rank") or name.endswith("_rank"):
        return "peringkat"
    if kind in ("integer", "bigint", "smallint", "numeric"):
        return "angka"
    return "kode/teks"


def period(table: MartTable) -> tuple[int, int] | None:
    """First and last year of the rows (`tahun`), or None for a mart without years."""
    years = [int(year) for row in table.rows if (year := row.get("tahun"))]
    return (min(years), max(years)) if years else None


def region_level(table: MartTable) -> str:
    """At which level the rows are given (Satu Data's `tingkat penyajian`)."""
    key = set(table.key)
    if "provinsi_kode" in key and "instansi_id" not in key:
        return "provinsi (K/L bersama sebagai `pusat`)"
    if key & {"instansi_id", "origin_instansi_id", "penyelenggara_id"}:
        return "instansi: provinsi, kabupaten/kota, K/L"
    if "wilayah_kode" in key:
        return "provinsi, kabupaten/kota"
    return "nasional"


def satu_data(
    tables: list[MartTable], files: dict[str, CsvFile], *, threshold: int, publisher: str
) -> dict[str, Any]:
    """`metadata.json`: the Satu Data elements of every exported dataset."""
    return {
        "standar": SATU_DATA,
        "produsen_data": publisher,
        "kode_wilayah": REGION_CODES,
        "lisensi": LICENSE,
        "penekanan_sel_kecil": {
            "ambang": threshold,
            "aturan": (
                f"counts of 1..{threshold - 1} are blank; complementary cells are blanked so"
                " that no blank can be worked out from a published total; ratios over a blank"
                " are blank"
            ),
            "penanda": f"an empty cell, its column named in `{config.FLAG_COLUMN}` on the row",
        },
        "dataset": [_dataset(t, files[t.name], publisher) for t in tables],
    }


def _dataset(table: MartTable, file: CsvFile, publisher: str) -> dict[str, Any]:
    years = period(table)
    return {
        "nama": dataset_name(table.name),
        "tabel": table.name,
        "judul": title(table),
        "deskripsi": table.description,
        "produsen_data": publisher,
        "periode": {"tahun_awal": years[0], "tahun_akhir": years[1]} if years else None,
        "frekuensi": "tahunan" if years else "tidak berkala",
        "tingkat_penyajian": region_level(table),
        "satuan_observasi": "one row per " + " x ".join(table.key),
        "kode_wilayah": REGION_CODES if set(table.key) & set(REGION_COLUMNS) else None,
        "kunci": list(table.key),
        "berkas": {
            "nama": file.name,
            "format": "CSV",
            "media_type": "text/csv",
            "sha256": file.sha256,
            "ukuran_byte": file.byte_size,
            "baris": file.rows,
        },
        "variabel": [_variable(c) for c in table.columns] + [_flag_variable()],
    }


def _variable(column: Column) -> dict[str, Any]:
    return {
        "nama": column.name,
        "tipe": column.data_type,
        "definisi": column.description,
        "satuan": unit(column),
        "disembunyikan_bila_kecil": column.is_count,
        "rasio": list(column.ratio) if column.ratio else None,
    }


def _flag_variable() -> dict[str, Any]:
    return {
        "nama": config.FLAG_COLUMN,
        "tipe": "text",
        "definisi": "Columns of the row left empty to protect small counts (`;`-separated).",
        "satuan": "kode/teks",
        "disembunyikan_bila_kecil": False,
        "rasio": None,
    }


def dcat_catalog(metadata: dict[str, Any], base_url: str = "") -> dict[str, Any]:
    """`catalog.jsonld`: a dcat:Catalog of one dcat:Dataset (and CSV Distribution) per mart."""
    prefix = f"{base_url}/" if base_url else ""
    publisher = {"@type": "foaf:Agent", "foaf:name": metadata["produsen_data"]}
    standards = [
        {"@type": "dct:Standard", "dct:title": SATU_DATA},
        {"@type": "dct:Standard", "dct:title": REGION_CODES},
    ]
    datasets = []
    for dataset in metadata["dataset"]:
        file = dataset["berkas"]
        entry: dict[str, Any] = {
            "@id": f"{prefix}{dataset['nama']}",
            "@type": "dcat:Dataset",
            "dct:identifier": dataset["nama"],
            "dct:title": dataset["judul"],
            "dct:description": dataset["deskripsi"],
            "dct:publisher": publisher,
            "dct:conformsTo": standards,
            "dct:license": {"@id": "https://creativecommons.org/licenses/by/4.0/"},
            "dcat:keyword": ["ASN", "pengembangan kompetensi", dataset["tabel"]],
        }
        if dataset["periode"]:
            entry["dct:temporal"] = {
                "@type": "dct:PeriodOfTime",
                "dcat:startDate": _date(f"{dataset['periode']['tahun_awal']}-01-01"),
                "dcat:endDate": _date(f"{dataset['periode']['tahun_akhir']}-12-31"),
            }
        entry["dcat:distribution"] = [
            {
                "@id": f"{prefix}{file['nama']}",
                "@type": "dcat:Distribution",
                "dct:title": f"{dataset['judul']} (CSV)",
                "dcat:downloadURL": {"@id": f"{prefix}{file['nama']}"},
                "dcat:mediaType": {"@id": CSV_MEDIA_TYPE},
                "dct:format": "CSV",
                "dcat:byteSize": {"@value": file["ukuran_byte"], "@type": "xsd:nonNegativeInteger"},
                "spdx:checksum": {
                    "@type": "spdx:Checksum",
                    "spdx:algorithm": {"@id": "spdx:checksumAlgorithm_sha256"},
                    "spdx:checksumValue": file["sha256"],
                },
                "dct:conformsTo": standards,
            }
        ]
        datasets.append(entry)
    return {
        "@context": {
            "dcat": "http://www.w3.org/ns/dcat#",
            "dct": "http://purl.org/dc/terms/",
            "foaf": "http://xmlns.com/foaf/0.1/",
            "spdx": "http://spdx.org/rdf/terms#",
            "xsd": "http://www.w3.org/2001/XMLSchema#",
        },
        "@id": f"{prefix}catalog",
        "@type": "dcat:Catalog",
        "dct:title": "Sinergi: data terbuka pengembangan kompetensi ASN",
        "dct:publisher": publisher,
        "dcat:dataset": datasets,
    }


def _date(value: str) -> dict[str, str]:
    return {"@value": value, "@type": "xsd:date"}


def to_bytes(document: dict[str, Any]) -> bytes:
    """Stable JSON: the keys in the order built, two-space indent, UTF-8, final newline."""
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
