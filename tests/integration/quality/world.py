"""The quality tests' world: a small simulated world, ingested, built by dbt and checked for real.

Built once per session into a template database: the simulator serves a few
hundred ASN, the ingestion loads every API source into raw (no files are
dropped: the file-drop tables exist, empty), one handwritten siasn batch adds
what the simulator does not make by default (an ASN naming an institution no
seed knows, with a key no contract knows), `dbt build` makes staging,
quarantine candidates and the audit marts, and a first quality run checks
every raw batch and mart, quarantines and publishes. The faults reach
quarantine through the real models: the simulator's own invalid records (bad
NIPs, impossible dates, negative amounts...) and the handwritten ones. Each
test works on a copy (`create database ... template`) and may break it.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql
from psycopg.types.json import Jsonb

from sinergi.ingestion.http import HttpSettings
from sinergi.ingestion.raw_loader import ensure_raw_table
from sinergi.ingestion.registry import load_registry
from sinergi.ingestion.runner import ingest_source
from sinergi.paths import reference_dir
from sinergi.publish.publisher import PublishOutcome, publish_run
from sinergi.quality import runner
from sinergi.transform import dbt
from sinergi.warehouse.bootstrap import init_warehouse
from sinergi.warehouse.connection import WarehouseTarget, connect
from sinergi_simulator.api import start_simulator
from sinergi_simulator.devtools.pipeline import simulator_connections

SEED, ASN = 5, 300
HMAC_KEY = "quality-world-key"
API_SOURCES = ("siasn", "bpsdm_kemendagri", "kemnaker_corpu", "satudata")
FAST_HTTP = HttpSettings(read_timeout_s=5.0, backoff_base_s=0.02, backoff_max_s=0.1)
# A valid NIP of an ASN whose institution code no seed holds: valid in staging's
# own rules, unresolvable downstream, so quarantined by dbt as unknown_instansi.
UNKNOWN_INSTANSI_NIP = "199001012015012002"
DRIFT_KEY = "hobi"  # a key no raw contract knows: schema drift, a warning only


@dataclass(frozen=True)
class World:
    """A warehouse holding the world, and what the simulator says it served."""

    target: WarehouseTarget
    truth: dict[str, Any]
    # the GX context (its stores and Data Docs) the world's first quality run wrote to
    expectations: Path
    # that run: every check, quarantine, the publish of the clean world
    first_run: str

    def invalid_records(self) -> dict[tuple[str, str], int]:
        """{(`<source>.<entity>`, reason): records} the world holds: the truth's and ours."""
        expected = {
            (entity, reason): n
            for entity, per_reason in self.truth["invalid_records"].items()
            for reason, n in per_reason.items()
        }
        key = ("siasn.asn", "unknown_instansi")
        expected[key] = expected.get(key, 0) + 1
        return expected


def asn_record(nip: str, **extra: object) -> dict[str, object]:
    """A SIASN ASN record as the API serves it (the fields staging reads)."""
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


def add_batch(target: WarehouseTarget, table: str, records: list[dict[str, object]]) -> int:
    """A further succeeded load batch of `raw.<source>__<entity>`, as ingestion writes one."""
    source, entity = table.split("__", 1)
    with connect(target) as conn:
        ensure_raw_table(conn, table)
        row = conn.execute(
            "insert into meta.load_batches (source, entity, status, finished_at)"
            " values (%s, %s, 'succeeded', now()) returning batch_id",
            (source, entity),
        ).fetchone()
        assert row is not None
        for record in records:
            text = json.dumps(record, sort_keys=True, separators=(",", ":"))
            conn.execute(
                sql.SQL(
                    "insert into raw.{}"
                    " (_batch_id, _source, _entity, _extracted_at, _record_hash, record)"
                    " values (%s, %s, %s, now(), md5(%s), %s)"
                ).format(sql.Identifier(table)),
                (row[0], source, entity, text, Jsonb(record)),
            )
    return int(row[0])


def build_world(target: WarehouseTarget, expectations: Path) -> World:
    """Simulator -> ingestion -> handwritten faults -> `dbt build` -> a quality run, into `target`.

    The quality run (every raw batch, every mart, then the publish) uses the
    GX context in `expectations` (EXPECTATIONS_DIR must name it).
    """
    init_warehouse(target)
    with (
        pytest.MonkeyPatch.context() as patch,
        start_simulator(seed=SEED, asn=ASN) as sim,
    ):
        patch.setenv("SINERGI_NIP_HMAC_KEY", HMAC_KEY)
        for name, value in simulator_connections(sim).items():
            patch.setenv(name, value)
        for source in API_SOURCES:
            ingest_source(source, target=target, settings=FAST_HTTP, progress_bar=False)
        with connect(target) as conn:  # no files dropped: the file-drop tables exist, empty
            for entity in load_registry().entities():
                ensure_raw_table(conn, entity.table)
        with connect(target) as conn:
            taken = conn.execute(
                "select count(*) from raw.siasn__asn where record ->> 'nip' = %s",
                (UNKNOWN_INSTANSI_NIP,),
            ).fetchone()
        assert taken == (0,), "the simulator served the handwritten NIP"
        add_batch(
            target,
            "siasn__asn",
            [
                asn_record(
                    UNKNOWN_INSTANSI_NIP,
                    instansi_kode="99.99",
                    instansi_nama="Dinas Entah",
                    **{DRIFT_KEY: "catur"},
                )
            ],
        )
        dbt.build(target)
        truth = sim.truth(landing=False)
    first_run, outcome = quality_run(target, "world")
    assert outcome.status == "published", outcome.reason
    return World(target, truth, expectations, first_run)


def copy_database(template: WarehouseTarget, target: WarehouseTarget) -> None:
    """`target` as a new database copied from `template` (nobody may be connected to it)."""
    with psycopg.connect(template.with_database("postgres").conninfo, autocommit=True) as conn:
        conn.execute(
            "select pg_terminate_backend(pid) from pg_stat_activity"
            " where datname = %s and pid <> pg_backend_pid()",
            (template.dbname,),
        )
        conn.execute(
            sql.SQL("create database {} template {}").format(
                sql.Identifier(target.dbname), sql.Identifier(template.dbname)
            )
        )


def drop_database(target: WarehouseTarget) -> None:
    with psycopg.connect(target.with_database("postgres").conninfo, autocommit=True) as conn:
        conn.execute(
            sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(target.dbname))
        )


def table_rows(target: WarehouseTarget, schema: str, table: str) -> list[str]:
    """Every row of `schema.table`, as sorted text (any column types compare)."""
    with connect(target) as conn:
        rows = conn.execute(
            sql.SQL("select * from {}.{}").format(sql.Identifier(schema), sql.Identifier(table))
        ).fetchall()
    return sorted(map(repr, rows))


def quality_run(target: WarehouseTarget, prefix: str = "test") -> tuple[str, PublishOutcome]:
    """The quality-and-publish steps in this process: (run id, publish outcome)."""
    run_id = runner.new_run_id(prefix)
    runner.check_raw(target, run_id)
    runner.quarantine_and_reconcile(target, run_id)
    runner.check_marts(target, run_id)
    return run_id, publish_run(target, run_id)


def audit_marts(target: WarehouseTarget) -> list[str]:
    """The tables dbt built in `audit`, as the database lists them."""
    with connect(target) as conn:
        rows = conn.execute(
            "select table_name from information_schema.tables"
            " where table_schema = 'audit' and table_type = 'BASE TABLE' order by 1"
        ).fetchall()
    return [name for (name,) in rows]


# --- The hand-built world, for test_reasons_listed.py only -----------------
# A staging view and two audit marts written by hand, with a stray reason
# (`unknown_unit_kerja`) no real model gives. The other quality tests run on
# the simulated world above; this one moves there with its owner's change.

GOOD_NIPS = ["198503152010011001", "199001012015012002", "197812312005021003"]
BAD_NIP = "19850315201001100"  # 17 digits
IMPOSSIBLE_BIRTH_DATE = "2022-02-31"


def provinces() -> list[str]:
    with (reference_dir() / "wilayah.csv").open(encoding="utf-8") as handle:
        return [row["kode"] for row in csv.DictReader(handle) if row["tingkat"] == "provinsi"]


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
    record ->> 'instansi_kode' as instansi_kode,
    _batch_id,
    _record_hash
from versions
where version_rank = 1
"""

CANDIDATES_VIEW = """
create view intermediate.int_quarantine_candidates as
select 'siasn' as source, 'asn' as entity, nip as record_key, invalid_reason as reason,
    _batch_id as batch_id, _record_hash
from staging.stg_siasn__asns where invalid_reason is not null
union all
select 'siasn', 'asn', nip, 'unknown_instansi', _batch_id, _record_hash
from staging.stg_siasn__asns
where invalid_reason is null and instansi_kode = '99'
"""


def funding_rows() -> list[tuple[object, ...]]:
    return [
        ("KL-001", 2025, "APBN", None, False, 1_000_000, 900_000, 0.9),
        ("35", 2025, "APBD", "35", False, 500_000, 500_000, 1.0),
        ("95", 2025, "APBD", "95", True, 200_000, 100_000, 0.5),
    ]


def build(target: WarehouseTarget) -> None:
    """Raw, a hand-written staging view and audit marts: test_reasons_listed.py's world."""
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
