"""A published world small enough to read at a glance, written straight into `marts`.

Papua Pegunungan (95, a DOB province) has a regency of three ASN (95.01),
the province's own institution and a larger regency; Jawa Timur (35) one
regency; two central K/L add up to `pusat`. The participation marts carry
the real marts' names, keys, count columns and ratios; the ASN profile and
the participation fact are there too, with pseudonyms, to be left out. The
manifest is the part of dbt's that the export reads: models under
`models/marts/`, descriptions, `config.meta.ratio`, uniqueness tests.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from sinergi.warehouse.connection import WarehouseTarget, ensure_database

# (instansi, province, year, ASN, reaching 20 JP, participants)
INSTITUTIONS = [
    ("95", "95", 2024, 40, 31, 35),
    ("95.01", "95", 2024, 3, 2, 3),
    ("95.02", "95", 2024, 12, 7, 11),
    ("35.15", "35", 2024, 900, 500, 800),
    ("KL-001", None, 2024, 300, 120, 280),
    ("KL-002", None, 2024, 4, 4, 4),
]

MEASURES = {
    "asn_count": ("integer", "ASN employed by the institution according to SIASN."),
    "asn_reaching_20_jp": ("integer", "SIASN ASN with at least 20 JP in the year."),
    "participant_count": ("integer", "Distinct participating ASN."),
    "jp_total_all": ("numeric(14, 2)", "All recognised development JP."),
    "share_reaching_20_jp": ("numeric(18, 4)", "asn_reaching_20_jp / asn_count."),
    "avg_jp_per_participant": ("numeric(18, 2)", "jp_total_all / participant_count."),
}
RATIOS = {
    "share_reaching_20_jp": ["asn_reaching_20_jp", "asn_count"],
    "avg_jp_per_participant": ["jp_total_all", "participant_count"],
}
MARTS: dict[str, dict[str, Any]] = {
    "participation_by_institution_year": {
        "description": "Participation per institution x year: ASN, participants, JP, DOB cut.",
        "key": ["instansi_id", "tahun"],
        "columns": {
            "instansi_id": ("text", "Canonical institution: Kemendagri region code or KL-NNN."),
            "provinsi_kode": ("text", "Kemendagri province code; null for a central K/L."),
            "is_dob": ("boolean", "Whether in one of the four new Papua provinces of 2022."),
            "tahun": ("integer", "Fiscal (calendar) year."),
            **MEASURES,
        },
    },
    "participation_by_region_year": {
        "description": "Participation per province x year (central K/L as `pusat`).",
        "key": ["provinsi_kode", "tahun"],
        "columns": {
            "provinsi_kode": ("text", "Kemendagri province code; `pusat` for the K/L."),
            "is_dob": ("boolean", "Whether in one of the four new Papua provinces of 2022."),
            "tahun": ("integer", "Fiscal (calendar) year."),
            **MEASURES,
        },
    },
    "asn_development_profiles": {
        "description": "ASN development profile: one row per pseudonymised ASN x year.",
        "key": ["asn_key", "tahun"],
        "columns": {
            "asn_key": ("text", "Pseudonymised ASN."),
            "tahun": ("integer", "Fiscal (calendar) year."),
            "instansi_id": ("text", "Canonical institution."),
        },
    },
    "fct_participations": {
        "description": "Participation fact: one row per (pseudonymised) ASN x training.",
        "key": ["participation_id"],
        "columns": {
            "participation_id": ("text", "One ASN x training."),
            "asn_key": ("text", "Pseudonymised ASN."),
            "tahun": ("integer", "Fiscal (calendar) year."),
        },
    },
}
PSEUDONYMS = ["a3f1c0ffee01", "a3f1c0ffee02", "a3f1c0ffee03"]  # the three ASN of 95.01


def _measures(asn: int, reaching: int, participants: int) -> dict[str, Any]:
    jp = 22 * participants
    return {
        "asn_count": asn,
        "asn_reaching_20_jp": reaching,
        "participant_count": participants,
        "jp_total_all": f"{jp}.00",
        "share_reaching_20_jp": f"{reaching / asn:.4f}",
        "avg_jp_per_participant": f"{jp / participants:.2f}",
    }


def mart_rows() -> dict[str, list[dict[str, Any]]]:
    institutions = []
    regions: dict[tuple[str, int], list[int]] = {}
    for instansi, province, year, asn, reaching, participants in INSTITUTIONS:
        institutions.append(
            {
                "instansi_id": instansi,
                "provinsi_kode": province,
                "is_dob": province == "95",
                "tahun": year,
                **_measures(asn, reaching, participants),
            }
        )
        sums = regions.setdefault((province or "pusat", year), [0, 0, 0])
        for i, value in enumerate((asn, reaching, participants)):
            sums[i] += value
    return {
        "participation_by_institution_year": institutions,
        "participation_by_region_year": [
            {"provinsi_kode": p, "is_dob": p == "95", "tahun": y, **_measures(*sums)}
            for (p, y), sums in regions.items()
        ],
        "asn_development_profiles": [
            {"asn_key": k, "tahun": 2024, "instansi_id": "95.01"} for k in PSEUDONYMS
        ],
        "fct_participations": [
            {"participation_id": f"p{i}", "asn_key": k, "tahun": 2024}
            for i, k in enumerate(PSEUDONYMS)
        ],
    }


def publish_world(target: WarehouseTarget, rows: dict[str, list[dict[str, Any]]]) -> None:
    """(Re)create the marts as the publish leaves them: tables in `marts`, rows in."""
    ensure_database(target)
    with psycopg.connect(target.conninfo, autocommit=True) as conn:
        conn.execute("create schema if not exists marts")
        for name, mart in MARTS.items():
            table = sql.Identifier("marts", name)
            columns = sql.SQL(", ").join(
                sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(t))
                for c, (t, _) in mart["columns"].items()
            )
            conn.execute(sql.SQL("drop table if exists {}").format(table))
            conn.execute(sql.SQL("create table {} ({})").format(table, columns))
            for row in rows[name]:
                conn.execute(
                    sql.SQL("insert into {} ({}) values ({})").format(
                        table,
                        sql.SQL(", ").join(map(sql.Identifier, row)),
                        sql.SQL(", ").join(sql.Placeholder() * len(row)),
                    ),
                    list(row.values()),
                )


def write_manifest(path: Path) -> Path:
    """The manifest dbt would write for these marts (the parts the export reads)."""
    nodes: dict[str, Any] = {}
    for name, mart in MARTS.items():
        node_id = f"model.sinergi.{name}"
        nodes[node_id] = {
            "resource_type": "model",
            "name": name,
            "alias": name,
            "original_file_path": f"models/marts/x/{name}.sql",
            "config": {"materialized": "table"},
            "description": mart["description"],
            "columns": {
                column: {
                    "name": column,
                    "description": description,
                    "config": {"meta": {"ratio": RATIOS[column]} if column in RATIOS else {}},
                }
                for column, (_, description) in mart["columns"].items()
            },
        }
        nodes[f"test.sinergi.unique_{name}"] = {
            "resource_type": "test",
            "attached_node": node_id,
            "test_metadata": {
                "name": "unique_combination_of_columns",
                "kwargs": {"combination_of_columns": mart["key"]},
            },
        }
    path.write_text(json.dumps({"nodes": nodes}), encoding="utf-8")
    return path
