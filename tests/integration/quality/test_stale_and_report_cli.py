"""`sinergi quality stale` fails when a source is stale; `quality report` names what failed.

A bootstrapped, empty warehouse with a few rows written into `meta` by hand:
no ingest, dbt or GX run, so it takes seconds.
"""

from __future__ import annotations

import pytest
from psycopg.types.json import Jsonb
from typer.testing import CliRunner

from sinergi.cli import app
from sinergi.ingestion.registry import load_registry
from sinergi.warehouse.connection import WarehouseTarget, connect

pytestmark = pytest.mark.integration

MISSING = ["91", "92", "96"]


def _stale(*args: str) -> tuple[int, list[str]]:
    result = CliRunner().invoke(app, ["quality", "stale", *args])
    return result.exit_code, result.stdout.splitlines()


def test_stale_sources_make_the_command_fail(warehouse: WarehouseTarget) -> None:
    entities = load_registry().entities()

    status, lines = _stale("--hours", "0.01")
    assert status == 1
    assert len(lines) == len(entities)  # nothing ever loaded
    assert all("last success never" in line for line in lines)

    with connect(warehouse) as conn:
        for entity in entities:
            conn.execute(
                "insert into meta.load_batches (source, entity, status, finished_at)"
                " values (%s, %s, 'succeeded', now())",
                (entity.source, entity.name),
            )
        old = entities[0]
        conn.execute(
            "update meta.load_batches set finished_at = now() - interval '2 hours'"
            " where source = %s and entity = %s",
            (old.source, old.name),
        )

    status, lines = _stale("--hours", "1")
    assert status == 1
    assert len(lines) == 1
    assert lines[0].startswith(f"{old.source}.{old.name}: last success ")
    assert lines[0].endswith("(threshold 1 h)")
    assert _stale("--hours", "3") == (0, ["no stale sources"])


def _report(run_id: str) -> str:
    result = CliRunner().invoke(app, ["quality", "report", "--run-id", run_id])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_the_report_names_the_missing_provinces(warehouse: WarehouseTarget) -> None:
    with connect(warehouse) as conn:
        conn.execute(
            "insert into meta.dq_results (run_id, suite, expectation, column_name, success,"
            " is_blocking, unexpected_count, details) values"
            " ('r1', 'marts__participation_by_region', 'keys_unique', null, true, true,"
            " null, null),"
            " ('r1', 'marts__participation_by_region', 'provinces_present', 'kode_provinsi',"
            " false, false, 3, %s)",
            (
                Jsonb(
                    {
                        "gx_type": "expect_column_distinct_values_to_contain_set",
                        "sample": MISSING,
                    }
                ),
            ),
        )

    before = _report("r1")  # no region seed built yet: the codes alone
    assert (
        "  warning: marts__participation_by_region provinces_present [kode_provinsi] missing=3\n"
        in before
    )
    assert "    provinces missing: 91, 92, 96" in before

    with connect(warehouse) as conn:
        conn.execute("create table intermediate.wilayah (kode text, nama text, tingkat text)")
        conn.execute(
            "insert into intermediate.wilayah values ('91', 'Papua', 'provinsi'),"
            " ('92', 'Papua Barat', 'provinsi'), ('96', 'Papua Barat Daya', 'provinsi'),"
            " ('91.01', 'Kabupaten Merauke', 'kabupaten')"
        )
    after = _report("r1")
    assert "    provinces missing: 91 Papua, 92 Papua Barat, 96 Papua Barat Daya" in after
