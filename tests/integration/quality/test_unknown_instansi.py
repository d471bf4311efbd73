"""A SIASN record naming an institution outside the seeds is quarantined, and the marts publish.

Issue 13: staging gave such a record `invalid_reason = 'unknown_instansi'`,
which its accepted_values test did not list, so the first one failed `dbt
build` and nothing was published. The simulated world (world.py) holds one
such ASN among its few hundred, and was built by dbt and published. Then a
reason dbt has not seen before (a list without `unknown_instansi`) only
warns: dbt's relationships test and the reconciliation name it, the record
stays in quarantine, the publish goes on.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from sinergi.domain import reasons
from sinergi.publish.publisher import publish_run
from sinergi.quality import runner
from sinergi.transform.dbt import run_dbt
from sinergi.warehouse.connection import WarehouseTarget, connect

from .world import UNKNOWN_INSTANSI_NIP as UNKNOWN
from .world import World

pytestmark = pytest.mark.integration


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
    world: World, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    target = world.target
    with connect(target) as conn:
        published = conn.execute(
            "select status from meta.publish_runs where run_id = %s", (world.first_run,)
        ).fetchone()
        quarantined = conn.execute(
            "select record_key, reason, detected_by from quarantine.records"
            " where reason = 'unknown_instansi' and source = 'siasn' and released_at is null"
        ).fetchall()
        staged = conn.execute(
            "select is_valid, invalid_reason from staging.stg_siasn__asns where nip = %s",
            (UNKNOWN,),
        ).fetchall()
        profiles = conn.execute("select count(*) from marts.dim_institutions").fetchone()
    assert published == ("published",)
    assert quarantined == [(UNKNOWN, "unknown_instansi", "dbt:int_quarantine_candidates")]
    assert staged == [(False, "unknown_instansi")]
    assert profiles is not None and profiles[0] > 0  # the marts were published
    success, details = _balance(target, world.first_run)
    assert success and "unlisted_reasons" not in details, details

    # A reason the list does not know: dbt warns, the quality step names it, nothing stops.
    with connect(target) as conn:
        conn.execute(
            "delete from intermediate.quarantine_reasons where reason = 'unknown_instansi'"
        )
    result = run_dbt(["test", "--select", "stg_siasn__asns", "int_quarantine_candidates"], target)
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
    run_id = runner.new_run_id("unknown-instansi")
    runner.quarantine_and_reconcile(target, run_id)
    outcome = publish_run(target, run_id)

    assert outcome.status == "published", outcome.reason
    success, details = _balance(target, run_id)
    assert success and details["unlisted_reasons"] == ["unknown_instansi"], details
