"""dbt build on a small handwritten world: figures checked by hand; incremental = full refresh."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from dbt_args import BUILD_MODELS, FULL_REFRESH
from transform_handwritten import (
    FIRST_BATCH,
    NIP_A,
    NIP_B,
    NIP_C,
    NIP_D,
    SECOND_BATCH,
    asn,
    participation,
    training,
)
from transform_raw import load_batch, open_batch

from sinergi.transform.dbt import dbt_project_dir, run_dbt
from sinergi.warehouse.connection import WarehouseTarget, connect

pytestmark = pytest.mark.integration

MART_KEYS = {
    "fct_participations": "participation_id",
    "participation_by_region_year": "provinsi_kode, tahun",
    "participation_by_institution_year": "instansi_id, tahun",
    "participation_flows": "origin_instansi_id, penyelenggara_id, tahun",
    "central_training_quotas": "training_id",
    "funding_by_institution_year_source": "instansi_id, tahun, sumber_dana",
    "development_plan_realisation": "instansi_id, tahun, jenis_pelatihan",
    "competency_by_institution_year_type": "instansi_id, tahun, jenis_kompetensi",
    "competency_gaps_by_job": "instansi_id, tahun, jenis_kompetensi, jabatan",
    "certification_by_institution_year": "instansi_id, tahun",
    "asn_development_profiles": "asn_key, tahun",
    "dim_institutions": "instansi_id",
    "dim_trainings": "training_id",
}


def rows(target: WarehouseTarget, query: str) -> list[dict[str, Any]]:
    with connect(target) as conn:
        cursor = conn.execute(query)  # type: ignore[arg-type]
        names = [column.name for column in cursor.description or []]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def by_key(target: WarehouseTarget, table: str, key: str) -> dict[Any, dict[str, Any]]:
    return {row[key]: row for row in rows(target, f"select * from audit.{table}")}


def pseudonym(nip: str, key: str) -> str:
    return hmac.new(key.encode(), nip.encode(), hashlib.sha256).hexdigest()


def snapshot_marts(target: WarehouseTarget) -> dict[str, list[tuple]]:
    result = {}
    with connect(target) as conn:
        for table, key in MART_KEYS.items():
            result[table] = [
                tuple(row)
                for row in conn.execute(f"select * from audit.{table} order by {key}")  # type: ignore[arg-type]
            ]
    # the batch that last touched a row is bookkeeping, not a figure
    return result


def test_handwritten_world(warehouse: WarehouseTarget, hmac_key: str) -> None:
    load_batch(warehouse, FIRST_BATCH)
    run_dbt(["build"], warehouse)

    regions = {
        (row["provinsi_kode"], row["tahun"]): row
        for row in rows(warehouse, "select * from audit.participation_by_region_year")
    }
    jatim, kalteng = regions[("35", 2023)], regions[("62", 2023)]
    pappeg, pusat = regions[("95", 2023)], regions[("pusat", 2023)]
    # the invalid ASN (17-digit NIP, 31 February birth date) are not counted
    assert [r["asn_count"] for r in (jatim, kalteng, pappeg, pusat)] == [1, 1, 1, 1]
    # A's central teknis is still `proses`; A's two e-learning completions are 2 x 90 minutes
    assert (jatim["participation_count"], jatim["completed_count"]) == (1, 0)
    assert (jatim["elearning_completion_count"], jatim["elearning_jp"]) == (2, Decimal("4.00"))
    assert jatim["asn_reaching_20_jp"] == 0
    # B's PKN II reported by the host (API and file) and by Kalteng: one participation, lulus
    assert (kalteng["participation_count"], kalteng["jp_total"]) == (1, Decimal("380.00"))
    assert (kalteng["participants_pkn_2"], kalteng["cross_region_participation_count"]) == (1, 1)
    assert kalteng["share_reaching_20_jp"] == Decimal("1.0000")
    # C's coaching (API and file, Excel-serial date): social learning, non-klasikal
    assert (pappeg["jp_total"], pappeg["jp_sosial"], pappeg["is_dob"]) == (
        Decimal("10.00"),
        Decimal("10.00"),
        True,
    )
    # C's e-learning at 06:00 WIB on 1 January 2024 (23:00 UTC the day before) is 2024's
    assert regions[("95", 2024)]["elearning_jp"] == Decimal("1.33")
    # the central teknis: D (central) and A (regional) -> 50% regional, quota 30% met
    assert (
        pusat["central_training_participation_count"],
        pusat["central_training_regional_participation_count"],
        pusat["central_training_regional_share"],
        pusat["meets_regional_quota"],
    ) == (2, 1, Decimal("0.5000"), True)

    fact = rows(warehouse, "select * from audit.fct_participations")
    pkn = [r for r in fact if r["training_id"] == "PLT2303-035-0001"]
    assert len(pkn) == 1
    assert (pkn[0]["report_count"], pkn[0]["has_host_report"], pkn[0]["has_origin_report"]) == (
        3,
        True,
        True,
    )
    assert pkn[0]["asn_key"] == pseudonym(NIP_B, hmac_key)
    assert sum(r["training_id"] == "CORPU-CRS-0001" for r in fact) == 2  # two completions

    funding = {
        (r["instansi_id"], r["sumber_dana"]): r
        for r in rows(warehouse, "select * from audit.funding_by_institution_year_source")
    }
    assert set(funding) == {("35", "APBD"), ("35", "BLU"), ("62", "APBD"), ("KL-001", "APBN")}
    assert funding[("35", "APBD")]["pagu_idr"] == Decimal("1250000000.00")
    assert funding[("35", "BLU")]["realisasi_idr"] == Decimal("25000000.00")
    assert funding[("62", "APBD")]["cost_per_participant_idr"] == Decimal("400000000.00")
    assert funding[("62", "APBD")]["cost_per_jp_idr"] == Decimal("1052631.58")
    assert funding[("KL-001", "APBN")]["realisation_rate"] == Decimal("0.7500")
    assert [funding[k]["pagu_rank_national"] for k in (("KL-001", "APBN"), ("35", "APBD"))] == [
        1,
        2,
    ]
    assert funding[("62", "APBD")]["pagu_rank_in_province"] == 1

    certs = by_key(warehouse, "certification_by_institution_year", "instansi_id")
    assert (certs["35"]["certification_type_count"], certs["35"]["share_kompeten"]) == (
        2,
        Decimal("1.0000"),
    )
    assert (certs["35"]["rank_national"], certs["95"]["rank_national"]) == (1, 2)

    competency = {
        (r["instansi_id"], r["jenis_kompetensi"]): r
        for r in rows(warehouse, "select * from audit.competency_by_institution_year_type")
    }
    assert competency[("35", "teknis")]["avg_gap"] == Decimal("1.00")
    assert competency[("35", "manajerial")]["avg_gap"] == Decimal("2.00")  # from a file drop
    assert competency[("KL-001", "manajerial")]["share_meeting_standard"] == Decimal("1.0000")

    quarantined = {
        (r["source"], r["entity"], r["reason"])
        for r in rows(warehouse, "select * from intermediate.int_quarantine_candidates")
    }
    assert quarantined == {
        ("bpsdm_daerah", "participations", "unknown_training"),
        ("bpsdm_kemendagri", "certifications", "unknown_instansi"),
        ("bpsdm_kemendagri", "competency_assessments", "invalid_level"),
        ("bpsdm_kemendagri", "development_plans", "unknown_instansi"),
        ("bpsdm_kemendagri", "participations", "invalid_nip"),
        ("bpsdm_kemendagri", "participations", "negative_jp"),
        ("bpsdm_kemendagri", "participations", "unknown_training"),
        ("bpsdm_kemendagri", "trainings", "negative_jp"),
        ("bpsdm_kemendagri", "trainings", "invalid_date"),
        ("kemnaker_corpu", "completions", "negative_duration"),
        ("satudata", "budgets", "negative_amount"),
        ("siasn", "asn", "invalid_nip"),
        ("siasn", "asn", "invalid_date"),
    }

    # batch 2: A's teknis turns lulus (incremental), A changes job (snapshot keeps both)
    load_batch(warehouse, SECOND_BATCH)
    run_dbt(["build"], warehouse)
    jatim = rows(
        warehouse,
        "select * from audit.participation_by_region_year where provinsi_kode = '35'"
        " and tahun = 2023",
    )[0]
    assert (jatim["jp_total"], jatim["jp_total_all"], jatim["asn_reaching_20_jp"]) == (
        Decimal("30.00"),
        Decimal("34.00"),
        1,
    )
    history = rows(warehouse, f"select * from snapshots.snp_asn_jobs where nip = '{NIP_A}'")
    assert sorted(r["jabatan"] for r in history) == ["Analis Kebijakan", "Perencana"]
    incremental = snapshot_marts(warehouse)

    run_dbt(FULL_REFRESH, warehouse)
    assert snapshot_marts(warehouse) == incremental

    # dbt docs: the catalogue builds, and every mart's lineage reaches a raw source
    run_dbt(["docs", "generate"], warehouse)
    # where dbt wrote them: make test gives each group of suites its own target folder
    target_dir = Path(os.environ.get("DBT_TARGET_PATH") or dbt_project_dir() / "target")
    assert (target_dir / "catalog.json").exists()
    manifest = json.loads((target_dir / "manifest.json").read_text())
    parents = manifest["parent_map"]

    def sources_of(node: str) -> set[str]:
        found, stack = set(), [node]
        while stack:
            for parent in parents.get(stack.pop(), []):
                if parent.startswith("source."):
                    found.add(parent)
                stack.append(parent)
        return found

    assert sources_of("model.sinergi.fct_participations") >= {
        "source.sinergi.bpsdm_kemendagri.participations",
        "source.sinergi.bpsdm_daerah.participations",
        "source.sinergi.kemnaker_corpu.completions",
    }
    seeded_only = ("dim_dates", "dim_regions", "dim_institutions")  # reference data, no source
    for node, spec in manifest["nodes"].items():
        if node.startswith("model.") and "/marts/" in spec["original_file_path"]:
            assert node.endswith(seeded_only) or sources_of(node), f"{node}: no source upstream"

    # no NIP anywhere in the marts
    nips = {NIP_A, NIP_B, NIP_C, NIP_D}
    for table, table_rows in incremental.items():
        for row in table_rows:
            for value in row:
                if isinstance(value, str):
                    assert not set(re.findall(r"\d{18}", value)) & nips, table


def fact_rows(target: WarehouseTarget, key: str) -> dict[tuple[str, str], dict[str, Any]]:
    """fct_participations by (NIP, training)."""
    by_pseudonym = {pseudonym(nip, key): nip for nip in (NIP_A, NIP_B, NIP_C, NIP_D)}
    return {
        (by_pseudonym.get(r["asn_key"], r["asn_key"]), r["training_id"]): r
        for r in rows(target, "select * from audit.fct_participations")
    }


def test_late_batches_and_moved_reports_incremental_equals_full_refresh(
    warehouse: WarehouseTarget, hmac_key: str
) -> None:
    """A batch committed after a later one was built is still read; reports that
    move to another participation leave it recomputed, or deleted when none is left."""
    coaching, teknis = "PLT2305-095-0001", "PLT2304-632-0001"
    load_batch(warehouse, FIRST_BATCH)
    run_dbt(BUILD_MODELS, warehouse)
    assert fact_rows(warehouse, hmac_key)[(NIP_C, coaching)]["report_count"] == 2  # API + file

    # a long load takes its batch id now and commits after the next batch was built
    late = open_batch(warehouse, "bpsdm_kemendagri__participations")
    load_batch(
        warehouse,
        {
            "bpsdm_kemendagri__participations": [
                # C's API report now names A: C keeps the file report only
                participation(
                    "PRT5", coaching, NIP_A, "95", None, "penyelenggara", "lulus", 10,
                    "2023-06-01T00:00:00Z",
                ),
                # D's only report moves to the coaching: D's teknis has no report left
                participation(
                    "PRT4", coaching, NIP_D, "KL-001", "Kemendagri", "penyelenggara", "lulus", 10,
                    "2023-06-01T00:00:00Z",
                ),
            ]
        },
    )  # fmt: skip
    run_dbt(BUILD_MODELS, warehouse)
    fact = fact_rows(warehouse, hmac_key)
    assert fact[(NIP_C, coaching)]["report_count"] == 1
    assert fact[(NIP_A, coaching)]["report_source"] == "bpsdm_kemendagri"
    assert fact[(NIP_D, coaching)]["hasil"] == "lulus"
    assert (NIP_D, teknis) not in fact
    assert fact[(NIP_A, teknis)]["hasil"] == "proses"

    load_batch(
        warehouse,
        {
            "bpsdm_kemendagri__participations": [
                participation(
                    "PRT3", teknis, NIP_A, "35", "Pemprov Jatim", "penyelenggara", "lulus", 30,
                    "2023-04-21T00:00:00Z",
                ),
            ]
        },
        ids={"bpsdm_kemendagri__participations": late},
    )  # fmt: skip
    run_dbt(["build"], warehouse)
    assert fact_rows(warehouse, hmac_key)[(NIP_A, teknis)]["hasil"] == "lulus"
    incremental = snapshot_marts(warehouse)

    run_dbt(FULL_REFRESH, warehouse)
    assert snapshot_marts(warehouse) == incremental


def test_renamed_training_and_moved_learner_incremental_equals_full_refresh(
    warehouse: WarehouseTarget, hmac_key: str
) -> None:
    """Reports change through what they depend on, not only through their own batches:
    a catalogue rename leaves a file row matched by name without its training, and a
    learner moving institution moves the origin of their e-learning completions."""
    pkn = "PLT2303-035-0001"
    origins_of_a_completions = (
        "select origin_instansi_id from audit.fct_participations"
        f" where is_elearning_completion and asn_key = '{pseudonym(NIP_A, hmac_key)}'"
    )
    load_batch(warehouse, FIRST_BATCH)
    run_dbt(BUILD_MODELS, warehouse)
    assert fact_rows(warehouse, hmac_key)[(NIP_B, pkn)]["report_count"] == 3  # API x2 + file
    assert [r["origin_instansi_id"] for r in rows(warehouse, origins_of_a_completions)] == [
        "35",
        "35",
    ]

    load_batch(
        warehouse,
        {
            "bpsdm_kemendagri__trainings": [
                training(
                    pkn, "PKN Tingkat II Angkatan 1 Tahun 2023 Jawa Timur", "pkn_2", "klasikal",
                    "formal", "35", "Pemprov Jatim", "2023-03-01", "2023-05-30", 380,
                    modified="2023-07-01T00:00:00Z",
                )
            ],
            # A moves from Jatim to Kalteng
            "siasn__asn": [
                asn(NIP_A, "62", "Pemprov Kalteng", "Analis Kebijakan", "2023-07-01T00:00:00Z")
            ],
        },
    )  # fmt: skip
    run_dbt(["build"], warehouse)
    # Jatim's file names the old title: it matches no training any more
    assert fact_rows(warehouse, hmac_key)[(NIP_B, pkn)]["report_count"] == 2
    assert [r["origin_instansi_id"] for r in rows(warehouse, origins_of_a_completions)] == [
        "62",
        "62",
    ]
    incremental = snapshot_marts(warehouse)

    run_dbt(FULL_REFRESH, warehouse)
    assert snapshot_marts(warehouse) == incremental
