"""A tiny warehouse world for the quality tests: raw rows, a staging view, audit marts.

Shaped like what ingestion and dbt write (docs/source-contracts.md; dbt's
staging flags invalid rows with `invalid_reason`), small enough to build in
milliseconds, with known bad rows.
"""

from __future__ import annotations

import csv
import json

from psycopg.types.json import Jsonb

from sinergi.ingestion.raw_loader import ensure_raw_table
from sinergi.paths import reference_dir
from sinergi.warehouse.connection import WarehouseTarget, connect

GOOD_NIPS = ["198503152010011001", "199001012015012002", "197812312005021003"]
BAD_NIP = "19850315201001100"  # 17 digits
IMPOSSIBLE_BIRTH_DATE = "2022-02-31"


def provinces() -> list[str]:
    with (reference_dir() / "wilayah.csv").open(encoding="utf-8") as handle:
        return [row["kode"] for row in csv.DictReader(handle) if row["tingkat"] == "provinsi"]


def asn_record(nip: str, **extra: object) -> dict[str, object]:
    record: dict[str, object] = {
        "nip": nip,
        "nama": "Nama " + nip[-3:],
        "gender": "L",
        "tanggal_lahir": f"{nip[:4]}-{nip[4:6]}-{nip[6:8]}",
        "status_kepegawaian": "PNS",
        "instansi_kode": "35",
        "updated_at": "2026-01-02T00:00:00Z",
    }
    record.update(extra)
    return record


RAW_ASN: list[tuple[int, dict[str, object]]] = [
    (1, asn_record(GOOD_NIPS[0], jabatan="Analis")),
    (2, asn_record(GOOD_NIPS[0], jabatan="Analis Ahli Muda", updated_at="2026-02-01T00:00:00Z")),
    (1, asn_record(GOOD_NIPS[1])),
    (1, asn_record(GOOD_NIPS[2], tanggal_lahir=IMPOSSIBLE_BIRTH_DATE)),
    (1, asn_record(BAD_NIP)),
    (2, asn_record("199201012016011004", hobi="catur")),  # drift: a key no contract knows
    # only staging's rule refuses it, with `unknown_unit_kerja`: a reason kept out of the
    # reason list on purpose (test_reasons_listed.py: an unlisted reason warns)
    (2, asn_record("199301012017011005", unit_kerja="X")),
    (2, asn_record("199401012018011006", instansi_kode="99")),  # valid, but dbt cannot resolve it
]

STAGING_VIEW = """
create view staging.stg_siasn__asns as
with versions as (
    select *, row_number() over (
        partition by record ->> 'nip' order by record ->> 'updated_at' desc, _batch_id desc
    ) as version_rank
    from raw.siasn__asn
)
select
    record ->> 'nip' as nip,
    case
        when meta.nip_invalid_reason(record ->> 'nip') is not null then 'invalid_nip'
        when meta.parse_date_id(record ->> 'tanggal_lahir') is null then 'invalid_date'
        when record ->> 'unit_kerja' = 'X' then 'unknown_unit_kerja'
    end as invalid_reason,
    _batch_id,
    _record_hash,
    record as source_record
from versions
where version_rank = 1
"""

CANDIDATES_VIEW = """
create view intermediate.int_quarantine_candidates as
select 'siasn' as source, 'asn' as entity, nip as record_key, invalid_reason as reason,
    _batch_id as batch_id, source_record as record
from staging.stg_siasn__asns where invalid_reason is not null
union all
select 'siasn', 'asn', nip, 'unknown_instansi', _batch_id, source_record
from staging.stg_siasn__asns
where invalid_reason is null and source_record ->> 'instansi_kode' = '99'
"""


def funding_rows() -> list[tuple[object, ...]]:
    return [
        ("KL-001", 2025, "APBN", None, False, 1_000_000, 900_000, 0.9),
        ("35", 2025, "APBD", "35", False, 500_000, 500_000, 1.0),
        ("95", 2025, "APBD", "95", True, 200_000, 100_000, 0.5),
    ]


def add_batch(target: WarehouseTarget, records: list[dict[str, object]]) -> int:
    """A further succeeded siasn.asn load batch; returns its id."""
    with connect(target) as conn:
        row = conn.execute(
            "insert into meta.load_batches (source, entity, status, finished_at)"
            " values ('siasn', 'asn', 'succeeded', now()) returning batch_id"
        ).fetchone()
        assert row is not None
        for record in records:
            text = json.dumps(record, sort_keys=True, separators=(",", ":"))
            conn.execute(
                "insert into raw.siasn__asn (_batch_id, _source, _entity, _record_hash, record)"
                " values (%s, 'siasn', 'asn', md5(%s), %s)",
                (row[0], text, Jsonb(record)),
            )
    return int(row[0])


def build(target: WarehouseTarget) -> None:
    """Raw, staging and audit as ingestion and dbt would leave them."""
    with connect(target) as conn:
        for source, entity in (("siasn", "asn"), ("siasn", "asn")):
            conn.execute(
                "insert into meta.load_batches (source, entity, status, finished_at)"
                " values (%s, %s, 'succeeded', now())",
                (source, entity),
            )
        conn.execute(
            "create table raw.siasn__asn (_batch_id bigint not null, _source text not null,"
            " _entity text not null, _extracted_at timestamptz not null default now(),"
            " _record_hash text not null, record jsonb not null)"
        )
        for batch, record in RAW_ASN:
            text = json.dumps(record, sort_keys=True, separators=(",", ":"))
            conn.execute(
                "insert into raw.siasn__asn (_batch_id, _source, _entity, _record_hash, record)"
                " values (%s, 'siasn', 'asn', md5(%s), %s)",
                (batch, text, Jsonb(record)),
            )
        conn.execute(STAGING_VIEW)
        conn.execute(CANDIDATES_VIEW)
        conn.execute("create table intermediate.wilayah (kode text, nama text, tingkat text)")
        for code in provinces():
            conn.execute(
                "insert into intermediate.wilayah values (%s, %s, 'provinsi')", (code, code)
            )
        conn.execute(
            "create table audit.funding_by_institution (instansi_id text not null,"
            " tahun integer not null, sumber_dana text not null, kode_provinsi text,"
            " is_dob boolean not null, pagu_idr numeric(18, 2), realisasi_idr numeric(18, 2),"
            " realisasi_rate numeric)"
        )
        conn.cursor().executemany(
            "insert into audit.funding_by_institution values (%s, %s, %s, %s, %s, %s, %s, %s)",
            funding_rows(),
        )
        conn.execute(
            "create table audit.participation_by_region (kode_provinsi text not null,"
            " tahun integer not null, is_dob boolean not null, total_jp numeric,"
            " share_20jp numeric)"
        )
        conn.cursor().executemany(
            "insert into audit.participation_by_region values (%s, 2025, %s, %s, %s)",
            [
                (code, code in ("93", "94", "95", "96"), 40 + i, 0.5)
                for i, code in enumerate(provinces())
            ],
        )


def table_contents(target: WarehouseTarget, schema: str, table: str) -> list[tuple[object, ...]]:
    with connect(target) as conn:
        return conn.execute(f"select * from {schema}.{table} order by 1, 2, 3").fetchall()


def assessment_record(nip: str, **extra: object) -> dict[str, object]:
    """A competency-assessment row of a regional file drop, as ingestion writes it to raw."""
    record: dict[str, object] = {
        "nip": nip,
        "nama": "Nama " + nip[-3:],
        "instansi_asal": "Pemprov Jawa Timur",
        "jabatan": "Analis Kebijakan",
        "jenis_kompetensi": "teknis",
        "level_standar": "3",
        "level_hasil": "3",
        "tanggal_asesmen": "2026-03-02",
        "region_code": "35",
        "file_name": "asesmen_35.csv",
        "row_number": 1,
    }
    record.update(extra)
    return record


def add_file_drop_batch(
    target: WarehouseTarget, entity: str, records: list[dict[str, object]]
) -> int:
    """A succeeded `bpsdm_daerah` file-drop batch into `raw.bpsdm_daerah__<entity>`; its id."""
    table = f"bpsdm_daerah__{entity}"
    with connect(target) as conn:
        ensure_raw_table(conn, table)
        row = conn.execute(
            "insert into meta.load_batches (source, entity, status, finished_at)"
            " values ('bpsdm_daerah', %s, 'succeeded', now()) returning batch_id",
            (entity,),
        ).fetchone()
        assert row is not None
        for record in records:
            text = json.dumps(record, sort_keys=True, separators=(",", ":"))
            conn.execute(
                f"insert into raw.{table}"
                " (_batch_id, _source, _entity, _extracted_at, _record_hash, record)"
                " values (%s, 'bpsdm_daerah', %s, now(), md5(%s), %s)",
                (row[0], entity, text, Jsonb(record)),
            )
    return int(row[0])
