"""Every quarantine reason, injected by the simulator, reaches quarantine.records; nothing is lost.

A small world with every fault on: the common defects at a high
`invalid_rate` and every other reason of the list
(dbt_project/seeds/quarantine_reasons.csv) at `rare_fault_rate`. It is
ingested (API sources and regional files), built by dbt, checked by the
quality runner and published. Then, per source entity and reason, the
records in quarantine are exactly the simulator truth's invalid records;
every listed reason is among them (but the one no served record can carry,
defects.NOT_INJECTABLE); for every raw table raw = staged +
quarantined (the reconciliation passes); and the marts still equal the
truth (no defective record reached one).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path

import pytest
from quarantine_counts import quarantined
from transform_truth import compare

from sinergi.domain.reasons import quarantine_reasons
from sinergi.ingestion.file_drop import ingest_file
from sinergi.ingestion.http import HttpSettings
from sinergi.ingestion.runner import ingest_source
from sinergi.publish.publisher import publish_run
from sinergi.quality import runner
from sinergi.transform.dbt import run_dbt
from sinergi.warehouse.connection import WarehouseTarget, connect
from sinergi_simulator.api import SimulatorHandle, start_simulator
from sinergi_simulator.config import Messiness
from sinergi_simulator.defects import NOT_AN_OBJECT, NOT_INJECTABLE, NUL_CHARACTER
from sinergi_simulator.devtools.pipeline import simulator_connections
from sinergi_simulator.files import write_files

pytestmark = pytest.mark.integration

SEED, ASN = 7, 300
EVERY_FAULT = Messiness(invalid_rate=0.1, rare_fault_rate=0.3)
API_SOURCES = ("siasn", "bpsdm_kemendagri", "kemnaker_corpu", "satudata")
FAST_HTTP = HttpSettings(read_timeout_s=5.0, backoff_base_s=0.02, backoff_max_s=0.1)
# refused by ingestion before raw: in quarantine.records, never in dbt's candidates
AT_LOAD = (NOT_AN_OBJECT, NUL_CHARACTER)


@pytest.fixture
def simulator(monkeypatch: pytest.MonkeyPatch) -> Iterator[SimulatorHandle]:
    with start_simulator(seed=SEED, asn=ASN, messiness=EVERY_FAULT) as handle:
        for name, value in simulator_connections(handle).items():
            monkeypatch.setenv(name, value)
        yield handle


def test_every_reason_reaches_quarantine_and_nothing_is_lost(
    simulator: SimulatorHandle,
    warehouse: WarehouseTarget,
    committed_expectations: Path,
    tmp_path: Path,
) -> None:
    landing = tmp_path / "landing"
    for source in API_SOURCES:
        ingest_source(source, target=warehouse, settings=FAST_HTTP, progress_bar=False)
    write_files(simulator.sources, landing, until_ms=simulator.clock.now_ms)
    for path in sorted(p for p in landing.rglob("*") if p.is_file()):
        ingest_file(path, path.relative_to(landing).parts[0], target=warehouse)
    run_dbt(["build"], warehouse)

    run_id = runner.new_run_id("every-reason")
    runner.check_raw(warehouse, run_id)
    runner.quarantine_and_reconcile(warehouse, run_id)
    runner.check_marts(warehouse, run_id)
    outcome = publish_run(warehouse, run_id)

    truth = simulator.truth()
    expected = {
        (entity, reason): n
        for entity, per_reason in truth["invalid_records"].items()
        for reason, n in per_reason.items()
    }
    injectable = set(quarantine_reasons()) - set(NOT_INJECTABLE)
    assert {reason for _, reason in expected} == injectable, "a reason was not injected"
    assert quarantined(warehouse) == expected

    with connect(warehouse) as conn:
        balances = conn.execute(
            "select column_name, success, observed_value from meta.dq_results"
            " where run_id = %s and expectation = 'raw_equals_staged_plus_quarantined'",
            (run_id,),
        ).fetchall()
        listed = conn.execute(
            "select success, observed_value from meta.dq_results"
            " where run_id = %s and expectation = 'reasons_listed'",
            (run_id,),
        ).fetchall()
    assert listed == [(True, [])], "a reason in quarantine is not in the list"
    assert len(balances) == 11
    for table, success, figures in balances:
        assert success, (table, figures)
        assert figures["raw_rows"] == (
            figures["staged_kept"] + figures["quarantined"] + figures["superseded_versions"]
        ), table
    assert outcome.status == "published", outcome.reason

    marts_truth = copy.deepcopy(truth)
    for reason in AT_LOAD:  # compare() counts dbt's candidates, which never see these
        del marts_truth["invalid_records"]["siasn.asn"][reason]
    assert compare(warehouse, marts_truth) == []
