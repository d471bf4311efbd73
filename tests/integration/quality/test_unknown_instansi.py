"""A SIASN record naming an institution outside the seeds is quarantined, and the marts publish.

Issue 13: staging gave such a record `invalid_reason = 'unknown_instansi'`,
which its accepted_values test did not list, so the first one failed `dbt
build` and nothing was published. Real pieces, small: two ASN in raw, `dbt
build`, the quality runner, publish. Then a reason dbt has not seen before (a
list without `unknown_instansi`) only warns: dbt's relationships test and the
reconciliation name it, the record stays in quarantine, the publish goes on.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from psycopg.types.json import Jsonb

from sinergi.domain import reasons
from sinergi.ingestion.raw_loader import ensure_raw_table
from sinergi.ingestion.registry import load_registry
from sinergi.publish.publisher import PublishOutcome, publish_run
from sinergi.quality import runner
from sinergi.transform.dbt import build, run_dbt
from sinergi.warehouse.connection import WarehouseTarget, connect

from . import world

pytestmark = pytest.mark.integration

KNOWN, UNKNOWN = "198503152010011001", "199001012015012002"


def _load_asn(target: WarehouseTarget, records: list[dict[str, object]]) -> None:
    """Empty raw tables for every registry entity, and one succeeded siasn.asn batch."""
    with connect(target) as conn:
        for entity in load_registry().entities():
            ensure_raw_table(conn, entity.table)
        row = conn.execute(
            "insert into meta.load_batches (source, entity, status, finished_at)"
            " values ('siasn', 'asn', 'succeeded', now()) returning batch_id"
        ).fetchone()
        assert row is not None
        for record in records:
            text = json.dumps(record, sort_keys=True, separators=(",", ":"))
            conn.execute(
                "insert into raw.siasn__asn"
                " (_batch_id, _source, _entity, _extracted_at, _record_hash, record)"
                " values (%s, 'siasn', 'asn', now(), md5(%s), %s)",
                (row[0], text, Jsonb(record)),
            )


def _quality_run(target: WarehouseTarget) -> tuple[str, PublishOutcome]:
    run_id = runner.new_run_id("unknown-instansi")
    runner.check_raw(target, run_id)
    runner.quarantine_and_reconcile(target, run_id)
    runner.check_marts(target, run_id)
    return run_id, publish_run(target, run_id)


def _balance(target: WarehouseTarget, run_id: str) -> tuple[bool, dict]:
    with connect(target) as conn:
        row = conn.execute(
            "select success, details from meta.dq_results where run_id = %s"
            " and expectation = 'raw_equals_staged_plus_quarantined'"
            " and column_name = 'siasn__asn'",
            (run_id,),
        ).fetchone()
    assert row is not None
    return row[0], row[1]


def test_an_unknown_institution_is_quarantined_and_the_marts_publish(
    warehouse: WarehouseTarget,
    committed_expectations: Path,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("SINERGI_NIP_HMAC_KEY", "unknown-instansi-key")
    _load_asn(
        warehouse,
        [
            world.asn_record(KNOWN, instansi_kode="35", instansi_nama="Provinsi Jawa Timur"),
            world.asn_record(UNKNOWN, instansi_kode="99.99", instansi_nama="Dinas Entah"),
        ],
    )

    build(warehouse)  # failed here before: accepted_values did not list unknown_instansi
    run_id, outcome = _quality_run(warehouse)

    assert outcome.status == "published", outcome.reason
    with connect(warehouse) as conn:
        quarantined = conn.execute(
            "select record_key, reason, detected_by from quarantine.records"
            " where source = 'siasn' and released_at is null"
        ).fetchall()
        profiles = conn.execute("select count(*) from marts.dim_institutions").fetchone()
        staged = conn.execute(
            "select nip, is_valid from staging.stg_siasn__asns order by nip"
        ).fetchall()
    assert quarantined == [(UNKNOWN, "unknown_instansi", "dbt:int_quarantine_candidates")]
    assert staged == [(KNOWN, True), (UNKNOWN, False)]
    assert profiles is not None and profiles[0] > 0  # the marts were published
    success, details = _balance(warehouse, run_id)
    assert success and "unlisted_reasons" not in details, details

    # A reason the list does not know: dbt warns, the quality step names it, nothing stops.
    with connect(warehouse) as conn:
        conn.execute(
            "delete from intermediate.quarantine_reasons where reason = 'unknown_instansi'"
        )
    result = run_dbt(
        ["test", "--select", "stg_siasn__asns", "int_quarantine_candidates"], warehouse
    )
    statuses = {
        r.node.name: str(r.status).split(".")[-1].lower()
        for r in result.results
        if r.node.name.startswith("relationships_")
    }
    assert statuses and set(statuses.values()) == {"warn"}, statuses

    seeds = tmp_path / "seeds"
    seeds.mkdir()
    with reasons.seed_path().open(encoding="utf-8", newline="") as src:
        rows = [row for row in csv.reader(src) if row[0] != "unknown_instansi"]
    with (seeds / reasons.SEED_FILE).open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows(rows)
    monkeypatch.setenv("SINERGI_REFERENCE_DIR", str(seeds))
    run_id, outcome = _quality_run(warehouse)

    assert outcome.status == "published", outcome.reason
    success, details = _balance(warehouse, run_id)
    assert success and details["unlisted_reasons"] == ["unknown_instansi"], details
