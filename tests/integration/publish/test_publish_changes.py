"""What each publish changed, on the dbt tests' handwritten world built by real dbt.

1. The first publish: every mart's rows are added, nothing moved.
2. One more load: A's central teknis turns lulus (Jawa Timur's 20-JP share
   0 -> 1), Papua Pegunungan's file drop puts C in the PKN II (its share
   0 -> 1), and Satu Data revises Jawa Timur's APBD realisation (rate
   1.025/1.275 -> 1). After dbt and the publish, `meta.mart_changes` equals
   a direct SQL diff of the marts before and after, and the moved province
   and institution are in `meta.headline_movements` with their values and
   the batches just loaded.
3. Publishing again with no new data records no change and no movement; a
   blocked publish records nothing.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
import pytest
import yaml
from psycopg import sql
from transform_handwritten import FIRST_BATCH, NIP_C, SECOND_BATCH
from transform_raw import load_batch

from sinergi.ingestion.file_drop import ingest_file
from sinergi.publish.changes import HeadlineMovement, MartChange, changes_of
from sinergi.publish.publisher import PublishOutcome, audited_marts, publish
from sinergi.quality.config import settings as quality_settings
from sinergi.quality.discovery import discover_marts
from sinergi.quality.results import RunSummary
from sinergi.transform.dbt import run_dbt
from sinergi.warehouse.connection import WarehouseTarget, connect

pytestmark = pytest.mark.integration

# Satu Data's line 1 again, realised in full: Jawa Timur's 2023 rate becomes 1
REVISED_BUDGET = {**FIRST_BATCH["satudata__budgets"][0], "realisasi": "Rp 1.250.000.000,00"}
assert REVISED_BUDGET["_id"] == 1 and REVISED_BUDGET["kode_satker"] == "35"


def _publish(target: WarehouseTarget, run_id: str, *, blocked: bool = False) -> PublishOutcome:
    """The publish gate with a quality run's verdict (GX itself is tested elsewhere)."""
    failures = [{"suite": "marts__x", "expectation": "keys_unique", "column": None}]
    summary = RunSummary(run_id, 1, 0 if blocked else 1, int(blocked), failures * blocked, [])
    return publish(target, summary, audited_marts(target))


def _changes(
    target: WarehouseTarget, publish_id: int
) -> tuple[dict[str, MartChange], list[HeadlineMovement]]:
    with connect(target) as conn:
        marts, movements = changes_of(conn, publish_id)
    return {change.mart: change for change in marts}, movements


def _keep_published(target: WarehouseTarget, marts: list[str]) -> None:
    """A copy of every published mart in schema `before_publish`, for the direct diff."""
    with connect(target) as conn:
        conn.execute("create schema before_publish")
        for mart in marts:
            conn.execute(
                sql.SQL("create table {} as select * from {}").format(
                    sql.Identifier("before_publish", mart), sql.Identifier("marts", mart)
                )
            )


def _direct_diff(
    conn: psycopg.Connection, mart: str, key: tuple[str, ...]
) -> tuple[int, int, int, int, int]:
    """(before, after, added, changed, removed) by plain SQL: not exists and row comparison.

    Content leaves out load metadata (`_source_batch_id`), as the publish does.
    """
    before = sql.Identifier("before_publish", mart)
    after = sql.Identifier("marts", mart)
    same_key = sql.SQL(" and ").join(
        sql.SQL("a.{0} = b.{0}").format(sql.Identifier(column)) for column in key
    )
    content = [
        column
        for (column,) in conn.execute(
            "select column_name from information_schema.columns"
            " where table_schema = 'marts' and table_name = %s and column_name !~ '^_'",
            (mart,),
        ).fetchall()
    ]
    differs = sql.SQL(" or ").join(
        sql.SQL("a.{0} is distinct from b.{0}").format(sql.Identifier(column)) for column in content
    )

    def count(query: str, **parts: sql.Composable) -> int:
        row = conn.execute(sql.SQL(query).format(**parts)).fetchone()  # type: ignore[arg-type]
        assert row is not None
        return int(row[0])

    return (
        count("select count(*) from {before}", before=before),
        count("select count(*) from {after}", after=after),
        count(
            "select count(*) from {after} as a where not exists"
            " (select from {before} as b where {same_key})",
            after=after,
            before=before,
            same_key=same_key,
        ),
        count(
            "select count(*) from {after} as a inner join {before} as b on {same_key}"
            " where {differs}",
            after=after,
            before=before,
            same_key=same_key,
            differs=differs,
        ),
        count(
            "select count(*) from {before} as b where not exists"
            " (select from {after} as a where {same_key})",
            after=after,
            before=before,
            same_key=same_key,
        ),
    )


def _published_as_audited(target: WarehouseTarget, outcome: PublishOutcome) -> dict[str, int]:
    """Assert every published mart holds exactly its audited rows; returns the in-place writes.

    Rows are compared as their text, every column included (load metadata
    too: a mart updated in place must follow it as a copy would).
    """
    with connect(target) as conn:
        for mart in outcome.tables:
            differing = conn.execute(
                sql.SQL(
                    "select count(*) from ((select m::text from {p} as m except all"
                    " select a::text from {a} as a) union all (select a::text from {a} as a"
                    " except all select m::text from {p} as m)) as differing"
                ).format(p=sql.Identifier("marts", mart), a=sql.Identifier("audit", mart))
            ).fetchone()
            assert differing == (0,), mart
        row = conn.execute(
            "select details -> 'in_place' from meta.publish_runs where publish_id = %s",
            (outcome.publish_id,),
        ).fetchone()
    assert row is not None
    return dict(row[0])


def _figure(target: WarehouseTarget, query: str) -> Decimal:
    with connect(target) as conn:
        row = conn.execute(query).fetchone()  # type: ignore[arg-type]
    assert row is not None
    return Decimal(row[0])


JATIM_SHARE = (
    "select share_reaching_20_jp from marts.participation_by_region_year"
    " where provinsi_kode = '{}' and tahun = 2023"
)
JATIM_RATE = (
    "select sum(realisasi_idr) / nullif(sum(pagu_idr), 0)"
    " from marts.funding_by_institution_year_source where instansi_id = '35' and tahun = 2023"
)


def _drop_file(landing: Path) -> Path:
    """Papua Pegunungan's upload: C (origin 95) passed Jawa Timur's PKN II, 380 JP."""
    path = landing / "95" / "2023-12" / "peserta_pkn_95.csv"
    path.parent.mkdir(parents=True)
    path.write_text(
        "NIP,Instansi Asal,Nama Pelatihan,Kode Pelatihan,Jenis Pelatihan,Tgl Mulai,JP,Status\n"
        f"{NIP_C},95,PKN Tingkat II Angkatan 1 Tahun 2023 Jatim,PLT2303-035-0001,"
        "PKN Tingkat II,01/03/2023,380,Lulus\n",
        encoding="utf-8",
    )
    return path


def test_each_publish_records_what_changed_and_why(
    warehouse: WarehouseTarget, tmp_path: Path
) -> None:
    load_batch(warehouse, FIRST_BATCH)
    run_dbt(["build"], warehouse)

    first = _publish(warehouse, "first")

    assert first.status == "published"
    marts, movements = _changes(warehouse, first.publish_id)
    assert sorted(marts) == first.tables and "fct_participations" in marts
    for mart, change in marts.items():
        rows = first.row_counts[mart]
        assert (change.rows_before, change.rows_after, change.rows_added) == (0, rows, rows), mart
        assert (change.rows_changed, change.rows_removed) == (0, 0), mart
    assert movements == []
    assert _published_as_audited(warehouse, first) == {}  # a first publish copies
    with connect(warehouse) as conn:
        high_water = conn.execute(
            "select p.batch_high_water, (select max(batch_id) from meta.load_batches)"
            " from meta.publish_runs as p where publish_id = %s",
            (first.publish_id,),
        ).fetchone()
        keys = {m.name: m.key for m in discover_marts(conn, quality_settings())}
    assert high_water is not None and high_water[0] == high_water[1]
    assert all(keys[mart] for mart in first.tables), keys  # dbt's unique tests name every key

    # more data: one batch per raw table, and one regional file through the real loader
    shares_before = {p: _figure(warehouse, JATIM_SHARE.format(p)) for p in ("35", "95")}
    rate_before = _figure(warehouse, JATIM_RATE)
    _keep_published(warehouse, first.tables)
    loaded = load_batch(warehouse, {**SECOND_BATCH, "satudata__budgets": [REVISED_BUDGET]})
    upload = _drop_file(tmp_path / "landing")
    dropped = ingest_file(upload, "95", target=warehouse)
    assert dropped.rows_loaded == 1, dropped
    run_dbt(["build"], warehouse)

    second = _publish(warehouse, "second")

    assert second.status == "published"
    marts, movements = _changes(warehouse, second.publish_id)
    with connect(warehouse) as conn:
        direct = {mart: _direct_diff(conn, mart, keys[mart]) for mart in second.tables}
        file_batch = conn.execute(
            "select batch_id, path from meta.file_loads where status = 'loaded'"
        ).fetchall()
    assert {
        mart: (c.rows_before, c.rows_after, c.rows_added, c.rows_changed, c.rows_removed)
        for mart, c in marts.items()
    } == direct
    # C in the PKN II is new; A's teknis changed; A's e-learning completions only
    # moved to A's new SIASN batch (`_source_batch_id`): not a change of content
    assert (marts["fct_participations"].rows_added, marts["fct_participations"].rows_changed) == (
        1,
        1,
    )
    assert marts["funding_by_institution_year_source"].rows_changed >= 1
    # every mart is updated in place, writing only the rows that differ: the
    # fact's new and changed participation and A's restamped completions
    # (each deleted and inserted)
    written = _published_as_audited(warehouse, second)
    assert sorted(written) == second.tables
    fct = marts["fct_participations"]
    assert 2 * (fct.rows_added + fct.rows_changed) <= written["fct_participations"]
    assert written["fct_participations"] < second.row_counts["fct_participations"]

    assert len(file_batch) == 1
    [(file_batch_id, file_path)] = file_batch
    moved = {(m.figure, m.subject_id, m.tahun): m for m in movements}
    jatim = moved[("share_reaching_20_jp", "35", 2023)]
    assert (jatim.subject_kind, jatim.subject_name) == ("provinsi", "Jawa Timur")
    assert (jatim.value_before, jatim.value_after) == (shares_before["35"], Decimal("1.0000"))
    assert jatim.value_before == Decimal("0.0000") and jatim.delta == Decimal("1.0000")
    batches = {b["batch_id"]: b for b in jatim.source_batches}
    assert batches[loaded["bpsdm_kemendagri__participations"]] == {
        "batch_id": loaded["bpsdm_kemendagri__participations"],
        "source": "bpsdm_kemendagri",
        "entity": "participations",
        "file": None,
        "rows": 1,  # A's central teknis
    }
    assert set(batches) <= set(loaded.values())  # only this load's batches (A's SIASN move too)

    papua = moved[("share_reaching_20_jp", "95", 2023)]
    assert (papua.value_before, papua.value_after) == (shares_before["95"], Decimal("1.0000"))
    assert papua.source_batches == [
        {
            "batch_id": file_batch_id,
            "source": "bpsdm_daerah",
            "entity": "participations",
            "file": file_path,
            "rows": 1,
        }
    ]

    rate = moved[("realisation_rate", "35", 2023)]
    assert rate.subject_kind == "instansi" and rate.subject_name
    assert (rate.value_before, rate.value_after) == (rate_before, _figure(warehouse, JATIM_RATE))
    assert abs(rate.value_before - Decimal("1025") / Decimal("1275")) < Decimal("1e-12")
    assert rate.value_after == 1 and rate.delta == rate.value_after - rate.value_before
    assert rate.source_batches == [
        {
            "batch_id": loaded["satudata__budgets"],
            "source": "satudata",
            "entity": "budgets",
            "file": None,
            "rows": 1,
        }
    ]
    # nothing else moved: Kalteng, Kemendagri and the other years kept their figures
    assert set(moved) == {
        ("share_reaching_20_jp", "35", 2023),
        ("share_reaching_20_jp", "95", 2023),
        ("realisation_rate", "35", 2023),
    }

    # the same data again (dbt finds no new batch): nothing changed, nothing moved
    run_dbt(["build"], warehouse)
    again = _publish(warehouse, "again")
    marts, movements = _changes(warehouse, again.publish_id)
    assert sorted(marts) == again.tables
    for mart, change in marts.items():
        assert change.rows_before == change.rows_after == again.row_counts[mart], mart
        assert (change.rows_added, change.rows_changed, change.rows_removed) == (0, 0, 0), mart
    assert movements == []
    assert set(_published_as_audited(warehouse, again).values()) == {0}

    blocked = _publish(warehouse, "blocked", blocked=True)
    assert blocked.status == "blocked"
    assert _changes(warehouse, blocked.publish_id) == ({}, [])


def test_analysts_read_the_change_record_and_no_other_meta_table(
    warehouse: WarehouseTarget,
) -> None:
    with connect(warehouse) as conn:
        granted = conn.execute(
            "select has_table_privilege('sinergi_analyst', t, 'select')"
            " from unnest(array['meta.mart_changes', 'meta.headline_movements',"
            " 'meta.publish_runs', 'meta.load_batches', 'meta.file_loads']) as t"
        ).fetchall()
        columns: list[Any] = conn.execute(
            "select column_name from information_schema.columns"
            " where table_schema = 'meta' and table_name = 'publish_runs'"
        ).fetchall()
    assert [g for (g,) in granted] == [True, True, False, False, False]
    assert ("batch_high_water",) in columns


def test_marts_without_a_key_or_with_unhashable_columns_are_compared(
    warehouse: WarehouseTarget, tmp_path: Path
) -> None:
    """Whole rows as multisets without a key; a json column falls back to the row text.

    No dbt here: without a manifest the publish takes every audit table, and
    `quality.yml` gives the key, with a column that is null in one row.
    """
    quality = tmp_path / "expectations" / "quality.yml"
    settings = yaml.safe_load(quality.read_text())
    settings["keys"] = {"documents": ["doc_id", "tag"], "notes": ["note_id"]}
    quality.write_text(yaml.safe_dump(settings))
    with connect(warehouse) as conn:
        conn.execute("create table audit.documents (doc_id int, tag text, doc json, n int)")
        conn.execute(
            "insert into audit.documents values (1, 'a', '{\"k\": 1}', 1), (2, 'a', '[]', 2),"
            " (3, null, 'null', 3)"
        )
        conn.execute("create table audit.tallies (label text, n int)")
        conn.execute("insert into audit.tallies values ('x', 1), ('y', 2), ('z', 3)")
        # a key never null: updated in place, its json compared as row text
        conn.execute("create table audit.notes (note_id int not null, body json, _batch int)")
        conn.execute("insert into audit.notes values (1, '[1]', 1), (2, '[2]', 1), (3, '[3]', 1)")

    first = _publish(warehouse, "first")
    with connect(warehouse) as conn:
        conn.execute("update audit.documents set n = 10 where doc_id = 1")
        conn.execute("delete from audit.documents where doc_id = 2")
        conn.execute("insert into audit.documents values (4, 'b', '{}', 4)")
        conn.execute("insert into audit.tallies values ('x', 1)")
        conn.execute("update audit.tallies set n = 20 where label = 'y'")
        conn.execute("update audit.notes set body = '[20]' where note_id = 2")
        conn.execute("update audit.notes set _batch = 2 where note_id = 3")  # restamped only
        conn.execute("insert into audit.notes values (4, '[4]', 2)")
        conn.execute("comment on table audit.notes is 'Notes, described since'")
        conn.execute("comment on column audit.notes.body is 'The note itself'")
    second = _publish(warehouse, "second")

    assert first.tables == second.tables == ["documents", "notes", "tallies"]
    marts, movements = _changes(warehouse, second.publish_id)
    assert marts == {
        "documents": MartChange("documents", 3, 3, 1, 1, 1),  # the null-tagged row unchanged
        "notes": MartChange("notes", 3, 4, 1, 1, 0),  # the restamped row is no change
        "tallies": MartChange("tallies", 3, 4, 2, 0, 1),  # a second ('x', 1); ('y', 2) -> 20
    }
    assert movements == []
    # notes changed 2 in place (each deleted and inserted) and added 1; the others copied
    assert _published_as_audited(warehouse, second) == {"notes": 5}
    with connect(warehouse) as conn:
        described = conn.execute(
            "select obj_description('marts.notes'::regclass, 'pg_class'),"
            " col_description('marts.notes'::regclass, 2)"
        ).fetchone()
    assert described == ("Notes, described since", "The note itself")  # dbt's docs follow
