"""Raw tables in the contract's layout, filled with handwritten records.

Until ingestion writes them, tests create `raw.<source>__<entity>` here,
exactly as docs/source-contracts.md lays them out.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

from psycopg import sql

from sinergi.warehouse.connection import WarehouseTarget, connect

RAW_TABLES = (
    "siasn__asn",
    "bpsdm_kemendagri__trainings",
    "bpsdm_kemendagri__participations",
    "bpsdm_kemendagri__certifications",
    "bpsdm_kemendagri__development_plans",
    "bpsdm_kemendagri__competency_standards",
    "bpsdm_kemendagri__competency_assessments",
    "kemnaker_corpu__completions",
    "satudata__budgets",
    "bpsdm_daerah__participations",
    "bpsdm_daerah__assessments",
)


def create_raw_tables(target: WarehouseTarget) -> None:
    with connect(target) as conn:
        for table in RAW_TABLES:
            conn.execute(
                sql.SQL(
                    "create table if not exists raw.{} ("
                    " _batch_id bigint not null, _source text not null, _entity text not null,"
                    " _extracted_at timestamptz not null, _record_hash text not null,"
                    " record jsonb not null)"
                ).format(sql.Identifier(table))
            )


def open_batch(target: WarehouseTarget, table: str) -> int:
    """A batch id allocated now and still running (its rows commit later: load_batch(ids=...))."""
    source, entity = table.split("__", 1)
    with connect(target) as conn:
        row = conn.execute(
            "insert into meta.load_batches (source, entity) values (%s, %s) returning batch_id",
            (source, entity),
        ).fetchone()
    assert row is not None
    return int(row[0])


def load_batch(
    target: WarehouseTarget,
    batches: Mapping[str, Iterable[Mapping[str, Any]]],
    ids: Mapping[str, int] | None = None,
) -> dict[str, int]:
    """Append records per table, one meta.load_batches batch per table; returns batch ids.

    `ids` names batches already opened (open_batch) to fill and mark succeeded instead.
    """
    loaded: dict[str, int] = {}
    with connect(target) as conn:
        for table, records in batches.items():
            source, entity = table.split("__", 1)
            if ids and table in ids:
                row = conn.execute(
                    "update meta.load_batches set status = 'succeeded', finished_at = now()"
                    " where batch_id = %s returning batch_id",
                    (ids[table],),
                ).fetchone()
            else:
                row = conn.execute(
                    "insert into meta.load_batches (source, entity, status, finished_at)"
                    " values (%s, %s, 'succeeded', now()) returning batch_id",
                    (source, entity),
                ).fetchone()
            assert row is not None
            batch_id = int(row[0])
            loaded[table] = batch_id
            for record in records:
                text = json.dumps(record, sort_keys=True)
                conn.execute(
                    sql.SQL("insert into raw.{} values (%s, %s, %s, now(), %s, %s::jsonb)").format(
                        sql.Identifier(table)
                    ),
                    (batch_id, source, entity, hashlib.md5(text.encode()).hexdigest(), text),
                )
    return loaded
