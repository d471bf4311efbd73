"""int_quarantine_candidates is incremental: a run re-evaluates what its batches may have
changed, and equals a full refresh, also when a record's candidacy moves through what it
refers to (a training arriving or renamed, an ASN whose institution no longer resolves)."""

from __future__ import annotations

from typing import Any

import pytest
from transform_handwritten import (
    FIRST_BATCH,
    NIP_A,
    R,
    asn,
    participation,
    training,
)
from transform_raw import load_batch

from sinergi.transform.dbt import run_dbt
from sinergi.warehouse.connection import WarehouseTarget, connect

pytestmark = pytest.mark.integration

SELECT = ["--select", "+int_quarantine_candidates"]
PKN = "PLT2303-035-0001"
LATE_TRAINING = "PLT2399-999-0042"  # PRT8 names it before it is in the catalogue


def candidates(target: WarehouseTarget) -> list[tuple[Any, ...]]:
    with connect(target) as conn:
        return sorted(
            conn.execute(
                "select source, entity, record_key, reason, batch_id,"
                " _record_hash, _version_key from intermediate.int_quarantine_candidates"
            ).fetchall(),
            key=repr,
        )


def reasons(rows: list[tuple[Any, ...]], source: str, entity: str) -> dict[str, str]:
    return {key: reason for s, e, key, reason, *_ in rows if (s, e) == (source, entity)}


def file_reasons(target: WarehouseTarget) -> list[tuple[str, str]]:
    """(training named in the raw record, reason) of the regional file rows among the
    candidates, which keep the raw row's identity, not the record."""
    with connect(target) as conn:
        return sorted(
            conn.execute(
                "select r.record ->> 'nama_pelatihan', c.reason"
                " from intermediate.int_quarantine_candidates c"
                " join raw.bpsdm_daerah__participations r"
                " on r._batch_id = c.batch_id and r._record_hash = c._record_hash"
                " where (c.source, c.entity) = ('bpsdm_daerah', 'participations')"
            ).fetchall()
        )


def test_incremental_candidates_equal_a_full_refresh(
    warehouse: WarehouseTarget, hmac_key: str
) -> None:
    load_batch(warehouse, FIRST_BATCH)
    run_dbt(["seed"], warehouse)
    run_dbt(["run", *SELECT], warehouse)
    first = candidates(warehouse)
    assert reasons(first, "bpsdm_kemendagri", "participations")["PRT8"] == "unknown_training"
    assert reasons(first, "siasn", "asn") == {
        "19850412201003100": "invalid_nip",
        "198706062012041005": "invalid_date",
    }
    assert file_reasons(warehouse) == [("Pelatihan Tidak Terdaftar 7", "unknown_training")]
    invalid_completion = next(r for r in first if r[2] == "CMP4")

    load_batch(
        warehouse,
        {
            "bpsdm_kemendagri__trainings": [
                # the training PRT8 named arrives: PRT8 is released
                training(
                    LATE_TRAINING, "Pelatihan Susulan", "teknis", "klasikal", "formal", "35",
                    "Pemprov Jatim", "2023-05-01", "2023-05-03", 20,
                ),
                # PKN II renamed: Jatim's file row, matched by the old title, matches nothing
                training(
                    PKN, "PKN Tingkat II Angkatan 1 Tahun 2023 Jawa Timur", "pkn_2", "klasikal",
                    "formal", "35", "Pemprov Jatim", "2023-03-01", "2023-05-30", 380,
                    modified="2023-07-01T00:00:00Z",
                ),
            ],
            # A now names an institution no one knows: A and A's e-learning completions
            # (whose origin is A's institution) are kept out
            "siasn__asn": [
                asn(NIP_A, "", "Dinas Entah Di Mana", "Analis Kebijakan", "2023-07-01T00:00:00Z")
            ],
            # the same invalid completion sent again: its candidate moves to the new batch
            "kemnaker_corpu__completions": [
                {
                    "completion_id": "CMP4",
                    "learner_nip": NIP_A,
                    "course_id": "CRS-0003",
                    "course_title": "x",
                    "completed_at": 1688169600000,
                    "duration_minutes": -30,
                }
            ],
            # a new report of the renamed training, by code: resolved
            "bpsdm_kemendagri__participations": [
                participation(
                    "PRT9", PKN, NIP_A, "35", None, "penyelenggara", "lulus", 380, R
                )
            ],
        },
    )  # fmt: skip
    result = run_dbt(["run", *SELECT], warehouse)
    incremental = candidates(warehouse)

    assert "PRT8" not in reasons(incremental, "bpsdm_kemendagri", "participations")
    assert reasons(incremental, "siasn", "asn")[NIP_A] == "unknown_instansi"
    assert reasons(incremental, "kemnaker_corpu", "completions") == {
        "CMP1": "unknown_asn",
        "CMP3": "unknown_asn",
        "CMP4": "negative_duration",
    }
    moved = next(r for r in incremental if r[2] == "CMP4")
    assert moved[5] == invalid_completion[5] and moved[4] > invalid_completion[4]
    assert file_reasons(warehouse) == [
        ("Pelatihan Tidak Terdaftar 7", "unknown_training"),
        ("pkn tingkat ii angkatan 1 tahun 2023 jatim", "unknown_training"),
    ]
    # the run wrote the re-evaluated records only, not the whole table again
    written = next(
        r.adapter_response.get("rows_affected")
        for r in result.results
        if r.node.name == "int_quarantine_candidates"
    )
    assert 0 < written < len(incremental)

    run_dbt(["run", "--full-refresh", *SELECT], warehouse)
    assert candidates(warehouse) == incremental
