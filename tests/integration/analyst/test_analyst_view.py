"""What an analyst meets in the published marts, on the handwritten world.

- Every published mart and column carries its dbt description as its comment.
- Every ratio a description states (`numerator / denominator`) is declared in
  `meta.ratio` and holds on every row of the published mart; a description
  that names another denominator than the SQL's fails.
- A year without any development record for a grain has null 20-JP share
  ("no data"), a year with records and nobody at 20 JP has 0.
- Region and institution names are carried, equal to the conformed dimension.
- A login granted sinergi_analyst reads the marts without the schema prefix.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from decimal import Decimal

import psycopg
import pytest
from documented_ratios import (
    Ratio,
    check_ratio,
    documented_ratios,
    mart_docs,
    stated_ratios,
)
from psycopg import sql
from server_roles import drop_roles

from sinergi.warehouse.bootstrap import init_warehouse
from sinergi.warehouse.connection import WarehouseTarget

pytestmark = pytest.mark.integration

NO_DATA_PHRASE = "null when the year has no development record for this grain"


@pytest.fixture(scope="module")
def conn(published_world: WarehouseTarget) -> Iterator[psycopg.Connection]:
    with psycopg.connect(published_world.conninfo, autocommit=True) as connection:
        yield connection


def _published(conn: psycopg.Connection) -> set[str]:
    return {
        name
        for (name,) in conn.execute(
            "select table_name from information_schema.tables"
            " where table_schema = 'marts' and table_type = 'BASE TABLE'"
        )
    }


def test_published_marts_carry_their_descriptions(conn: psycopg.Connection) -> None:
    docs = mart_docs()
    published = _published(conn)
    assert published == set(docs)  # every mart model is published, nothing else
    for mart in sorted(published):
        row = conn.execute(
            "select obj_description(%s::regclass, 'pg_class')", (f"marts.{mart}",)
        ).fetchone()
        assert row is not None and row[0] == docs[mart].description, mart
        comments = dict(
            conn.execute(
                "select attname, col_description(attrelid, attnum) from pg_attribute"
                " where attrelid = %s::regclass and attnum > 0 and not attisdropped",
                (f"marts.{mart}",),
            ).fetchall()
        )
        for column, properties in docs[mart].columns.items():
            assert comments[column] == properties["description"], f"{mart}.{column}"


def test_stated_ratios_are_declared() -> None:
    """A description's `a / b` and the column's meta.ratio say the same, both ways."""
    docs = mart_docs()
    declared = {(r.mart, r.column): r for r in documented_ratios(docs)}
    assert len(declared) >= 20
    for mart in docs.values():
        for name, column in mart.columns.items():
            stated = stated_ratios(column["description"], set(mart.columns))
            ratio = declared.get((mart.name, name))
            assert stated == ({(ratio.numerator, ratio.denominator)} if ratio else set()), (
                f"{mart.name}.{name}: description states {stated}, meta.ratio {ratio}"
            )
            if ratio and ratio.null_unless:
                assert ratio.null_unless in mart.columns, f"{mart.name}.{name}"
                assert NO_DATA_PHRASE in column["description"], f"{mart.name}.{name}"


def test_documented_ratios_hold_on_the_published_marts(conn: psycopg.Connection) -> None:
    disagreements = []
    for ratio in documented_ratios(mart_docs()):
        checked, out = check_ratio(conn, ratio)
        disagreements += out
        if not out:
            # the world gives every ratio a value somewhere: none is checked vacuously
            assert checked > 0, f"{ratio.mart}.{ratio.column}: no row to check"
    assert disagreements == []


@pytest.mark.parametrize(
    "lie",
    [
        # what the descriptions said before: the SQL divides by jp_total_all
        Ratio("participation_by_region_year", "share_jp_formal", "jp_formal", "jp_total"),
        Ratio("participation_by_region_year", "avg_jp_per_asn", "jp_total", "asn_count"),
        Ratio(
            "participation_by_institution_year",
            "avg_jp_per_participant",
            "jp_total",
            "participant_count",
        ),
    ],
    ids=lambda r: f"{r.mart}.{r.column}",
)
def test_a_ratio_over_another_denominator_fails(conn: psycopg.Connection, lie: Ratio) -> None:
    _, out = check_ratio(conn, lie)
    assert out, f"{lie} passed: the check cannot tell jp_total from jp_total_all here"


def _region(conn: psycopg.Connection, provinsi: str, tahun: int) -> dict:
    cursor = conn.execute(
        "select * from marts.participation_by_region_year where provinsi_kode = %s and tahun = %s",
        (provinsi, tahun),
    )
    names = [c.name for c in cursor.description or []]
    row = cursor.fetchone()
    assert row is not None, (provinsi, tahun)
    return dict(zip(names, row, strict=True))


def test_no_development_record_is_null_not_zero(conn: psycopg.Connection) -> None:
    # 2024: Jawa Timur's ASN A has no training and no e-learning: no data
    jatim = _region(conn, "35", 2024)
    assert (jatim["asn_count"], jatim["has_development_record"]) == (1, False)
    assert (jatim["share_reaching_20_jp"], jatim["avg_jp_per_asn"]) == (None, None)
    assert jatim["asn_reaching_20_jp"] == 0  # counts stay counts
    # 2024: Papua Pegunungan's C completed 60 minutes of e-learning: data, nobody at 20 JP
    pappeg = _region(conn, "95", 2024)
    assert pappeg["has_development_record"] is True
    assert (pappeg["share_reaching_20_jp"], pappeg["avg_jp_per_asn"]) == (
        Decimal("0.0000"),
        Decimal("1.33"),
    )
    # 2023: Jawa Timur's A reached 20 JP (teknis 30 JP + e-learning)
    assert _region(conn, "35", 2023)["share_reaching_20_jp"] == Decimal("1.0000")
    by_institution = dict(
        conn.execute(
            "select instansi_id, share_reaching_20_jp from marts.participation_by_institution_year"
            " where tahun = 2024 and instansi_id in ('35', '95')"
        ).fetchall()
    )
    assert by_institution == {"35": None, "95": Decimal("0.0000")}


# marts whose grain holds an institution: its name and its province's, from the dimension
INSTITUTION_MARTS = (
    "participation_by_institution_year",
    "funding_by_institution_year_source",
    "development_plan_realisation",
    "certification_by_institution_year",
    "competency_by_institution_year_type",
    "competency_gaps_by_job",
)


def test_names_are_carried_from_the_conformed_dimensions(conn: psycopg.Connection) -> None:
    for mart in INSTITUTION_MARTS:
        row = conn.execute(
            sql.SQL(
                "select count(*), count(*) filter (where m.instansi_nama is null"
                " or m.instansi_nama is distinct from d.instansi_nama"
                " or m.provinsi_nama is distinct from d.provinsi_nama)"
                " from {} as m left join marts.dim_institutions as d using (instansi_id)"
            ).format(sql.Identifier("marts", mart))
        ).fetchone()
        assert row is not None and row[0] > 0 and row[1] == 0, (mart, row)
    names = dict(
        conn.execute(
            "select distinct provinsi_kode, provinsi_nama from marts.participation_by_region_year"
        ).fetchall()
    )
    assert names == {
        "35": "Jawa Timur",
        "62": "Kalimantan Tengah",
        "95": "Papua Pegunungan",
        "pusat": "Instansi pusat (K/L)",
    }
    flows = conn.execute(
        "select origin_instansi_nama, penyelenggara_nama from marts.participation_flows"
        " where origin_instansi_id = '62' and penyelenggara_id = '35'"
    ).fetchall()
    assert flows == [("Pemerintah Provinsi Kalimantan Tengah", "Pemerintah Provinsi Jawa Timur")]
    quotas = conn.execute(
        "select penyelenggara_nama, nama_pelatihan from marts.central_training_quotas"
    ).fetchall()
    assert quotas == [
        ("Kementerian Dalam Negeri", "Pelatihan Teknis Angkatan 1 Tahun 2023 Kemendagri")
    ]


def _search_path_setting(conn: psycopg.Connection, role: str) -> list[str]:
    return [
        item
        for (config,) in conn.execute(
            "select s.setconfig from pg_db_role_setting as s"
            " join pg_roles as r on r.oid = s.setrole"
            " left join pg_database as d on d.oid = s.setdatabase"
            " where r.rolname = %s and (s.setdatabase = 0 or d.datname = current_database())",
            (role,),
        )
        for item in config
        if item.startswith("search_path=")
    ]


def test_an_analyst_login_reads_marts_by_name(
    analyst_login: WarehouseTarget, published_world: WarehouseTarget, conn: psycopg.Connection
) -> None:
    with psycopg.connect(analyst_login.conninfo) as analyst:
        assert analyst.execute("show search_path").fetchone() == ("marts, public",)
        row = analyst.execute(
            "select count(*) from participation_by_region_year where tahun = 2023"
        ).fetchone()
        assert row is not None and row[0] == 4
    assert _search_path_setting(conn, "sinergi_analyst") == ["search_path=marts, public"]

    # a login with a search path of its own keeps it; a pipeline login keeps the default
    own, pipeline = (f"{kind}_{uuid.uuid4().hex[:12]}" for kind in ("own", "pipeline"))
    try:
        conn.execute(
            sql.SQL("create role {} login in role sinergi_analyst").format(sql.Identifier(own))
        )
        conn.execute(
            sql.SQL("alter role {} set search_path = public, marts").format(sql.Identifier(own))
        )
        conn.execute(
            sql.SQL("create role {} login in role sinergi_analyst, sinergi_transformer").format(
                sql.Identifier(pipeline)
            )
        )
        init_warehouse(published_world)
        assert _search_path_setting(conn, own) == ["search_path=public, marts"]
        assert _search_path_setting(conn, pipeline) == []
    finally:
        drop_roles(published_world.conninfo, [own, pipeline])
