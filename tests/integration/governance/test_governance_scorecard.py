"""The governance scorecard recovers what the simulator planted, and publishes.

A small world whose regions each report late by a known number of days and
with a known share of defective file rows (`ReportingProfiles`; the truth
manifest's `reporting_profiles`) is ingested for real; every file's load
batch is then dated when its region uploaded it (the folder's planted upload
time: a test cannot wait for days), the API batches at the world's clock.
After `dbt build` of the scorecard and what it reads, per region:
- lateness: the record-weighted days from the end of each reported month
  (midnight WIB) to the load, over all its months, is the planted delay plus
  the upload's hour of day and WIB's 7 hours: within [0, 1) day of it;
- error rate: the share of its file rows quarantined is the planted rate
  within 3 binomial standard errors plus 0.02 (regions with 40+ rows), and
  pooled over all regions the quarantined rows are within 3 standard
  deviations of what the planted rates predict.
The quality step then checks the two marts and publishes them, and the run
report shows them (ranked chart, province tiles, table).
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import numpy as np
import pytest

from sinergi.ingestion.file_drop import ingest_file
from sinergi.ingestion.http import HttpSettings
from sinergi.ingestion.runner import ingest_source
from sinergi.publish.publisher import publish_run
from sinergi.quality import runner
from sinergi.report.writer import write_report
from sinergi.transform.dbt import run_dbt
from sinergi.warehouse.bootstrap import init_warehouse
from sinergi.warehouse.connection import WarehouseTarget, connect
from sinergi_simulator import landing
from sinergi_simulator.api import SimulatorHandle, build_sources, start_simulator
from sinergi_simulator.config import Messiness, ReportingProfiles
from sinergi_simulator.files import write_files
from sinergi_simulator.timeline import parse_timestamp

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "transform"))
from report_view import open_report
from transform_raw import create_raw_tables

pytestmark = pytest.mark.integration

SEED, ASN = 31, 300
CLOCK = "2024-12-31T23:59:59Z"
PROFILES = ReportingProfiles(max_delay_days=20, max_error_rate=0.3)
# every regionally hosted participation by file, a fifth reported again by the origin:
# rows enough per region to estimate its error rate
MESSINESS = Messiness(file_share=1.0, duplicate_rate=0.2)
API_SOURCES = ("siasn", "bpsdm_kemendagri", "kemnaker_corpu", "satudata")
FAST_HTTP = HttpSettings(read_timeout_s=5.0, backoff_base_s=0.02, backoff_max_s=0.1)
MIN_ROWS = 40
FOLDER = re.compile(r"([0-9.]+)[/\\](\d{4})-(\d{2})[/\\][^/\\]+$")
MARTS = ("governance_scorecard", "governance_scorecard_yearly")


def point_connections_at(handle: SimulatorHandle, monkeypatch: pytest.MonkeyPatch) -> None:
    creds = handle.credentials
    logins = {
        "siasn": (creds.siasn_client_id, creds.siasn_client_secret),
        "bpsdm_kemendagri": ("", creds.kemendagri_api_key),
        "kemnaker_corpu": ("", creds.corpu_token),
        "satudata": ("", creds.satudata_api_key),
    }
    for source, (login, password) in logins.items():
        host = handle.urls[source].split("://", 1)[1]
        monkeypatch.setenv(
            f"AIRFLOW_CONN_SINERGI_{source.upper()}",
            f"http://{quote(login, safe='')}:{quote(password, safe='')}@{host}",
        )


@pytest.fixture
def simulator(monkeypatch: pytest.MonkeyPatch) -> Iterator[SimulatorHandle]:
    sources = build_sources(SEED, ASN, messiness=MESSINESS, reporting=PROFILES)
    with start_simulator(sources=sources, clock=CLOCK) as handle:
        point_connections_at(handle, monkeypatch)
        yield handle


def ingest(sim: SimulatorHandle, target: WarehouseTarget, landing_dir: Path) -> None:
    for source in API_SOURCES:
        ingest_source(source, target=target, settings=FAST_HTTP, progress_bar=False)
    write_files(sim.sources, landing_dir, until_ms=sim.clock.now_ms)
    for path in sorted(p for p in landing_dir.rglob("*") if p.is_file()):
        ingest_file(path, path.relative_to(landing_dir).parts[0], target=target)


def date_the_loads(sim: SimulatorHandle, target: WarehouseTarget) -> int:
    """Each file's batch dated at its folder's planted upload, API batches at the clock;
    returns how many files were dated."""
    world = sim.sources.world
    folder_of = {code: i for i, code in enumerate(world.inst.codes)}
    clock = datetime.fromtimestamp(parse_timestamp(CLOCK) / 1000, UTC)
    with connect(target) as conn:
        conn.execute(
            "update meta.load_batches set started_at = %s, finished_at = %s"
            " where source != 'bpsdm_daerah'",
            (clock, clock),
        )
        files = conn.execute("select file_sha256, region_code, path, batch_id from meta.file_loads")
        dated = 0
        for sha, region, path, batch_id in files.fetchall():
            found = FOLDER.search(path)
            assert found, path
            year, month = int(found[2]), int(found[3])
            period = (year - 2022) * 12 + month - 12  # period 0 = 2022-12
            ms = landing.folder_upload_ms(world, np.array([folder_of[region]]), period)[0]
            uploaded = datetime.fromtimestamp(int(ms) / 1000, UTC)
            conn.execute(
                "update meta.file_loads set loaded_at = %s where file_sha256 = %s"
                " and region_code = %s",
                (uploaded, sha, region),
            )
            if batch_id is not None:
                conn.execute(
                    "update meta.load_batches set started_at = %s, finished_at = %s"
                    " where batch_id = %s",
                    (uploaded, uploaded, batch_id),
                )
            dated += 1
    return dated


def test_scorecard_recovers_planted_lateness_and_error_rates_and_publishes(
    simulator: SimulatorHandle,
    fresh_database: WarehouseTarget,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SINERGI_NIP_HMAC_KEY", "governance test key")
    target = fresh_database
    init_warehouse(target)
    create_raw_tables(target)
    ingest(simulator, target, tmp_path / "landing")
    assert date_the_loads(simulator, target) > 0
    run_dbt(["build"], target)

    planted = simulator.truth(landing=False)["reporting_profiles"]
    with connect(target) as conn:
        measured = conn.execute(
            "select instansi_id, sum(file_records_submitted),"
            " sum(file_avg_days_to_first_load * file_records_submitted)"
            "   / nullif(sum(file_records_submitted), 0),"
            " sum(file_records_quarantined)"
            " from audit.governance_scorecard group by instansi_id"
            " having sum(file_records_submitted) > 0"
        ).fetchall()
    assert len(measured) >= 10, measured
    late, wrong, checked = [], [], 0
    for region, total, days, bad in measured:
        want, rows, quarantined = planted[region], int(total), int(bad)
        if not 0 <= float(days) - want["delay_days"] < 1:
            late.append((region, want["delay_days"], float(days)))
        if rows >= MIN_ROWS:
            checked += 1
            rate, share = want["error_rate"], quarantined / rows
            tolerance = 3 * math.sqrt(rate * (1 - rate) / rows) + 0.02
            if abs(share - rate) > tolerance:
                wrong.append((region, rows, rate, round(share, 4), round(tolerance, 4)))
    assert late == [], late
    assert checked >= 5 and wrong == [], (checked, wrong)
    # pooled over every region, the binomial noise shrinks: quarantined rows within 3
    # standard deviations of what the planted rates predict
    expected = sum(planted[r]["error_rate"] * int(n) for r, n, *_ in measured)
    spread = math.sqrt(
        sum(
            planted[r]["error_rate"] * (1 - planted[r]["error_rate"]) * int(n)
            for r, n, *_ in measured
        )
    )
    found = sum(int(q) for *_, q in measured)
    assert abs(found - expected) <= 3 * spread, (found, expected, spread)
    # the planted figures differ enough between regions for the match to mean something
    delays = {planted[r]["delay_days"] for r, *_ in measured}
    assert len(delays) >= 5

    with connect(target) as conn:
        rows = conn.execute(
            "select report_month, governance_score, timeliness_score, validity_score,"
            " completeness_score, consistency_score, national_rank"
            " from audit.governance_scorecard where governance_score is not null"
        ).fetchall()
    weights = (Decimal("0.3"), Decimal("0.3"), Decimal("0.2"), Decimal("0.2"))
    for _month, score, *parts, _rank in rows:
        present = [(w, p) for w, p in zip(weights, parts, strict=True) if p is not None]
        expected = 100 * sum(w * p for w, p in present) / sum(w for w, _ in present)
        assert abs(score - expected) <= Decimal("0.02"), (score, parts)
    by_month: dict[object, list[tuple[Decimal, int]]] = {}
    for month, score, *_parts, rank in rows:
        by_month.setdefault(month, []).append((score, rank))
    for ranked in by_month.values():
        ranked.sort(key=lambda pair: pair[1])
        assert [s for s, _ in ranked] == sorted((s for s, _ in ranked), reverse=True)
        assert ranked[0][1] == 1

    run_id = runner.new_run_id("governance")
    runner.check_raw(target, run_id)
    runner.quarantine_and_reconcile(target, run_id)
    runner.check_marts(target, run_id, marts=list(MARTS))
    outcome = publish_run(target, run_id)
    assert outcome.status == "published", outcome
    assert set(MARTS) <= set(outcome.tables)
    with connect(target) as conn:
        suites = conn.execute(
            "select suite, bool_and(success or not is_blocking), count(*) from meta.dq_results"
            " where run_id = %s and suite like 'marts__governance%%' group by suite",
            (run_id,),
        ).fetchall()
        published = conn.execute("select count(*) from marts.governance_scorecard").fetchone()
    assert {s for s, *_ in suites} == {f"marts__{m}" for m in MARTS}
    assert all(ok and n >= 3 for _, ok, n in suites), suites
    assert published is not None and published[0] > 0

    seen = open_report(write_report(target, run_id, tmp_path / "reports"), tmp_path / "shots")
    assert seen.charts.get("governance_ranked", 0) > 0, seen.charts
    assert seen.charts.get("governance_provinces", 0) >= 38, seen.charts
    assert seen.tables.get("governance_institutions", 0) > 0, seen.tables
