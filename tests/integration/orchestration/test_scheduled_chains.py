"""The pipeline under a running scheduler, run after run, as users run it.

Everything here goes through Airflow's own processes: events (regional files
in the landing zone, Redis pub/sub messages, REST asset events) start ingest
runs, raw Assets start the transform, its audit Asset starts quality and
publish. Two tests share one Airflow (module fixture), in this order:

1. Events are not a queue: one pushed while the triggerer is down is lost,
   a burst is coalesced; either way the next pull reads everything past the
   watermark, so data is delayed, never lost.
2. Consecutive chains — everything so far, new file drops only, a pushed
   event only, nothing new, a source down for good, recovery — each
   publishes, and the marts end equal to the simulator's truth.
"""

from __future__ import annotations

import time
from datetime import datetime

import pytest
import redis
from scheduled_pipeline import REDIS_URL, Pipeline, now
from transform_truth import compare

from sinergi.events import channel, event_uri
from sinergi.orchestration.chain import RunSeen
from sinergi.orchestration.notify import notify_redis, notify_rest
from sinergi.publish.assets import mart_names
from sinergi.warehouse.connection import connect
from sinergi_simulator.timeline import WORLD_END_MS

pytestmark = pytest.mark.integration

API_SOURCES = ("siasn", "bpsdm_kemendagri", "kemnaker_corpu", "satudata")
INGESTS = {f"ingest_{source}" for source in API_SOURCES} | {"ingest_file_drops"}


def ran(runs: list[RunSeen]) -> dict[str, list[str]]:
    """dag id -> final states of its runs."""
    states: dict[str, list[str]] = {}
    for run in runs:
        states.setdefault(run.dag_id, []).append(run.state)
    return states


def assert_chain_published(p: Pipeline, since: datetime, runs: list[RunSeen]) -> None:
    """The transform and quality runs were started by Assets, and the last publish published."""
    downstream = [run for run in runs if run.dag_id in ("transform", "quality_publish")]
    assert downstream, "no transform or quality run followed"
    assert {run.run_type for run in downstream} == {"asset_triggered"}, downstream
    assert {run.state for run in downstream} == {"success"}, downstream
    assert p.publishes_since(since)[-1:] == ["published"], p.publishes_since(since)


def assert_batches_triggered(
    p: Pipeline, since: datetime, source: str, kind: str, asset: str, dag_id: str
) -> None:
    """Every batch of `source` since then records `kind`, the asset and its event's time
    (after `since`, not after the batch started): the run report's event-to-publish."""
    with connect(p.target) as conn:
        rows = conn.execute(
            "select trigger, started_at from meta.load_batches"
            " where source = %s and started_at >= %s",
            (source, since),
        ).fetchall()
    assert rows, f"no {source} batch since {since}"
    for trigger, started_at in rows:
        assert (trigger["kind"], trigger["asset"], trigger["dag_id"]) == (kind, asset, dag_id)
        assert since <= datetime.fromisoformat(trigger["at"]) <= started_at, (trigger, started_at)


def transform_summary(p: Pipeline, run: RunSeen) -> dict:
    """What the transform run's dbt_build task returned (selection, marts, counts)."""
    path = f"/dags/transform/dagRuns/{run.run_id}/taskInstances/dbt_build/xcomEntries/return_value"
    return dict(p.api.request("GET", path)["value"])


def raw_rows(p: Pipeline, table: str) -> int:
    exists = p.scalar("select to_regclass(%s) is not null", f"raw.{table}")
    return int(p.scalar(f"select count(*) from raw.{table}")) if exists else 0  # type: ignore[call-overload]


def wait_for_subscriber(source: str, timeout: float = 60) -> None:
    """Until the triggerer's watcher listens on the source's channel again."""
    client = redis.Redis.from_url(REDIS_URL)
    deadline = time.monotonic() + timeout
    while dict(client.pubsub_numsub(channel(source))).get(channel(source).encode(), 0) == 0:
        assert time.monotonic() < deadline, f"no watcher subscribed to {channel(source)}"
        time.sleep(0.5)


def test_lost_and_coalesced_events_delay_data_but_never_lose_it(pipeline: Pipeline) -> None:
    p = pipeline
    served = p.sim.truth(landing=False)["rows_served"]["siasn.asn"]
    assert served > 0

    # Pushed while the triggerer is down: nobody listens, the event is gone.
    p.airflow.stop_component("triggerer")
    since = now()
    assert notify_redis("siasn", url=REDIS_URL) == 0
    time.sleep(6)  # three scheduler heartbeats
    assert "ingest_siasn" not in ran(p.runs(since))
    assert raw_rows(p, "siasn__asn") == 0

    # The triggerer is back; a burst of three events ends in at most three runs
    # (usually one: pub/sub drops what arrives while the watcher re-arms), and
    # the pull reads everything the source had, including the lost event's data.
    p.airflow.start()
    wait_for_subscriber("siasn")
    since = now()
    for _ in range(3):
        notify_redis("siasn", url=REDIS_URL)
    runs = p.settle(since, expect=("ingest_siasn",))
    siasn_runs = ran(runs)["ingest_siasn"]
    assert 1 <= len(siasn_runs) <= 3 and set(siasn_runs) == {"success"}, siasn_runs
    assert raw_rows(p, "siasn__asn") == served

    # A REST burst coalesces the same way and loads nothing twice.
    since = now()
    for _ in range(3):
        notify_rest("siasn", api=p.api)
    runs = p.settle(since, expect=("ingest_siasn",))
    assert set(ran(runs)["ingest_siasn"]) == {"success"}
    assert raw_rows(p, "siasn__asn") == served


def test_consecutive_chains_each_publish_and_end_equal_to_the_truth(pipeline: Pipeline) -> None:
    p = pipeline

    # 1. Everything the sources have so far: every file and every source's event.
    since = now()
    assert p.drop_files() > 0
    for source in API_SOURCES:
        notify_rest(source, api=p.api)
    runs = p.settle(since)
    assert set(ran(runs)) >= INGESTS, ran(runs)
    assert_chain_published(p, since, runs)

    # 2. New regional files only: only the file-drop DAG ingests.
    p.sim.set_clock("2024-07-15T00:00:00Z")
    file_rows = raw_rows(p, "bpsdm_daerah__participations")
    since = now()
    p.drop_files()
    runs = p.settle(since)
    assert set(ran(runs)) & INGESTS == {"ingest_file_drops"}, ran(runs)
    assert raw_rows(p, "bpsdm_daerah__participations") > file_rows
    assert_chain_published(p, since, runs)
    assert_batches_triggered(
        p, since, "bpsdm_daerah", "file", f"file://{p.landing}", "ingest_file_drops"
    )
    # ... and the transform built only what the regional files feed
    for run in runs:
        if run.dag_id == "transform":
            built = transform_summary(p, run)
            assert built["selection"].startswith("source:bpsdm_daerah."), built["selection"]
            assert "source:siasn" not in built["selection"], built["selection"]
            assert 0 < len(built["marts"]) < len(mart_names()), built["marts"]

    # 3. One pushed event only (Redis pub/sub): only that source ingests.
    since = now()
    assert notify_redis("bpsdm_kemendagri", url=REDIS_URL) >= 1
    runs = p.settle(since)
    assert set(ran(runs)) & INGESTS == {"ingest_bpsdm_kemendagri"}, ran(runs)
    assert_chain_published(p, since, runs)
    assert_batches_triggered(
        p,
        since,
        "bpsdm_kemendagri",
        "event",
        event_uri("bpsdm_kemendagri"),
        "ingest_bpsdm_kemendagri",
    )

    # 4. Nothing new: the pull loads no row, and the marts publish again.
    since = now()
    notify_rest("bpsdm_kemendagri", api=p.api)
    runs = p.settle(since)
    loaded = p.scalar(
        "select sum(rows_loaded) from meta.load_batches"
        " where source = 'bpsdm_kemendagri' and started_at >= %s",
        since,
    )
    assert loaded == 0
    assert_chain_published(p, since, runs)

    # 5. A source down for good: its run fails and alerts; the others still publish.
    p.sim.set_outage("kemnaker_corpu")
    p.sim.set_clock("2024-10-15T00:00:00Z")
    since = now()
    p.drop_files()
    for source in ("kemnaker_corpu", "siasn"):
        notify_rest(source, api=p.api)
    runs = p.settle(since)
    assert ran(runs)["ingest_kemnaker_corpu"] == ["failed"]
    assert set(ran(runs)["ingest_siasn"]) == {"success"}
    alerts = p.scalar(
        "select count(*) from meta.alerts where kind = 'task_failed'"
        " and subject like 'ingest_kemnaker_corpu.%%' and raised_at >= %s",
        since,
    )
    assert alerts == 1
    assert_chain_published(p, since, runs)

    # 6. Recovery, to the end of the world: the pull after the outage reads what
    #    the failed run missed, and the marts equal the simulator's truth.
    p.sim.set_outage("kemnaker_corpu", down=False)
    p.sim.set_clock(WORLD_END_MS)
    since = now()
    p.drop_files()
    for source in API_SOURCES:
        notify_rest(source, api=p.api)
    runs = p.settle(since)
    assert {state for dag in INGESTS for state in ran(runs).get(dag, [])} == {"success"}
    assert_chain_published(p, since, runs)
    assert compare(p.target, p.sim.truth()) == []
