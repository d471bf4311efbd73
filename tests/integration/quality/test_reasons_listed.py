"""A quarantine reason outside the list fails a warning check, and the publish goes on.

The quality world's staging gives `unknown_unit_kerja`, a reason no layer of
Sinergi gives and the list (dbt_project/seeds/quarantine_reasons.csv) does
not hold: kept unlisted on purpose, it is this test's stray reason. The
reconciliation names it, `reconciliation.reasons_listed` fails without
blocking, the marts publish and the quality-warnings alert names the check.
Once the list holds the reason, the check passes. Rows quarantined before
ingestion gave codes carry its former words ("not a JSON object"): never
reported as unlisted.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from sinergi.domain import reasons
from sinergi.publish.publisher import publish_run
from sinergi.quality import runner
from sinergi.warehouse.connection import WarehouseTarget, connect

from . import world

pytestmark = pytest.mark.integration

STRAY = "unknown_unit_kerja"


def _run(target: WarehouseTarget) -> tuple[str, str]:
    run_id = runner.new_run_id("reasons")
    runner.check_raw(target, run_id)
    runner.quarantine_and_reconcile(target, run_id)
    runner.check_marts(target, run_id)
    return run_id, publish_run(target, run_id).status


def _reasons_listed(target: WarehouseTarget, run_id: str) -> tuple[Any, ...]:
    with connect(target) as conn:
        row = conn.execute(
            "select suite, success, is_blocking, observed_value, details from meta.dq_results"
            " where run_id = %s and expectation = 'reasons_listed'",
            (run_id,),
        ).fetchone()
    assert row is not None, "no reasons_listed result"
    return tuple(row)


def test_an_unlisted_reason_warns_and_the_marts_publish(
    warehouse: WarehouseTarget,
    expectations: Path,
    webhook: list[dict[str, Any]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert reasons.unlisted([STRAY]) == [STRAY]
    world.build(warehouse)
    with connect(warehouse) as conn:  # a row from before the codes, as deployed warehouses hold
        conn.execute(
            "insert into quarantine.records (batch_id, source, entity, reason, detected_by,"
            " record) values (1, 'siasn', 'asn', 'not a JSON object', 'ingestion', 'null')"
        )

    run_id, status = _run(warehouse)

    assert status == "published"
    suite, success, blocking, observed, details = _reasons_listed(warehouse, run_id)
    assert (suite, success, blocking, observed) == ("reconciliation", False, False, [STRAY])
    assert details["tables"] == {"siasn__asn": [STRAY]}
    [warned] = [a for a in webhook if a["kind"] == "quality_warnings"]
    assert "reconciliation.reasons_listed" in warned["message"]

    seeds = tmp_path / "seeds"  # the list with the stray reason added
    shutil.copytree(reasons.seed_path().parent, seeds)
    with (seeds / reasons.SEED_FILE).open("a", encoding="utf-8") as handle:
        handle.write(f'{STRAY},"Test world only.","Uji.",staging\n')
    monkeypatch.setenv("SINERGI_REFERENCE_DIR", str(seeds))

    run_id, status = _run(warehouse)

    assert status == "published"
    assert _reasons_listed(warehouse, run_id)[1:4] == (True, False, [])
