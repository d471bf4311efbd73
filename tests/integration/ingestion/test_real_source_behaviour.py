"""Each fault profile of the simulator (sources as they really behave) against real ingestion
into a real warehouse: what raw holds is exactly what the simulator holds (its truth), once
each; a looping source fails naming the cursor or URL; a source that sends less than it says
raises a `source_shortfall` alert."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests
from ingestion_helpers import ASN, FAST_HTTP, SEED
from psycopg import sql

from sinergi.ingestion.http import HttpSettings, SourceError
from sinergi.ingestion.raw_loader import record_hash
from sinergi.ingestion.registry import Registry, load_registry, registry_path
from sinergi.ingestion.runner import ingest_source
from sinergi.warehouse.connection import WarehouseTarget, connect
from sinergi_simulator import ServeConfig, build_sources, start_simulator
from sinergi_simulator.api import SimulatorHandle
from sinergi_simulator.devtools.pipeline import simulator_connections
from sinergi_simulator.entities import Sources
from sinergi_simulator.http_servers import overstated

pytestmark = pytest.mark.integration

API_SOURCES = ("siasn", "bpsdm_kemendagri", "kemnaker_corpu", "satudata")
PAGE_SIZES = {"siasn": 100, "bpsdm_kemendagri": 500, "kemnaker_corpu": 100, "satudata": 200}
SERVE = ServeConfig(retry_after_s=1, slow_delay_s=0.5)


@pytest.fixture(scope="module")
def world() -> Sources:
    return build_sources(SEED, ASN)


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Registry:
    """The committed registry with small pages (several per entity), one size per source."""
    lines, source = [], None
    for line in registry_path().read_text().splitlines():
        found = re.match(r"^  (\w+):$", line)
        source = found.group(1) if found else source
        if source in PAGE_SIZES and line.strip().startswith("page_size:"):
            line = re.sub(r"page_size: \d+", f"page_size: {PAGE_SIZES[source]}", line)
        lines.append(line)
    path = tmp_path_factory.mktemp("registry") / "sources.yml"
    path.write_text("\n".join(lines) + "\n")
    return load_registry(path)


@contextmanager
def simulated(
    world: Sources, faults: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[SimulatorHandle]:
    with start_simulator(SEED, ASN, sources=world, faults=faults, serve_config=SERVE) as sim:
        for name, value in simulator_connections(sim).items():
            monkeypatch.setenv(name, value)
        yield sim


def load(
    target: WarehouseTarget,
    registry: Registry,
    sources: tuple[str, ...],
    settings: HttpSettings = FAST_HTTP,
) -> dict[str, Any]:
    return {
        f"{r.source}__{r.entity}": r
        for source in sources
        for r in ingest_source(
            source, target=target, registry=registry, settings=settings, progress_bar=False
        )
    }


def tables(sources: tuple[str, ...]) -> dict[str, str]:
    return {e.table: e.primary_key for e in load_registry().entities() if e.source in sources}


def served(sim: SimulatorHandle, table: str) -> list[bytes]:
    """The simulator's truth for a raw table: every record it holds at its clock, as sent."""
    source, entity = table.split("__")
    streams = {
        **sim.sources.streams,
        "siasn.asn": sim.sources.asn,
        "kemnaker_corpu.completions": sim.sources.completions,
        "satudata.budgets": sim.sources.budgets,
    }
    stream = streams[f"{source}.{entity}"]
    return stream.records(0, stream.count_until(sim.clock.now_ms))


def raw_rows(target: WarehouseTarget, table: str, key: str) -> list[tuple[str, str]]:
    with connect(target) as conn:
        if conn.execute("select to_regclass(%s)", (f"raw.{table}",)).fetchone() == (None,):
            return []
        query = sql.SQL("select record ->> %s, _record_hash from {}").format(
            sql.Identifier("raw", table)
        )
        return [(str(k), h) for k, h in conn.execute(query, (key,))]


def assert_raw_is_the_truth(
    target: WarehouseTarget, sim: SimulatorHandle, sources: tuple[str, ...]
) -> None:
    for table, key in tables(sources).items():
        rows = raw_rows(target, table, key)
        truth = [record_hash(record) for record in served(sim, table)]
        assert truth, f"the simulator holds no {table}"
        assert sorted(digest for _, digest in rows) == sorted(truth), table
        repeated = [row for row, n in Counter(rows).items() if n > 1]
        assert not repeated, f"{table}: loaded twice: {repeated[:3]}"


def alerts(target: WarehouseTarget) -> list[tuple[str, str, dict[str, Any]]]:
    with connect(target) as conn:
        return conn.execute("select kind, subject, details from meta.alerts order by 2").fetchall()


def failed_batches(target: WarehouseTarget) -> list[tuple[str, str, int, str]]:
    with connect(target) as conn:
        return conn.execute(
            "select source, entity, rows_loaded, error from meta.load_batches"
            " where status = 'failed'"
        ).fetchall()


# --- CKAN as it really pages ---------------------------------------------------------


@pytest.mark.parametrize(
    "faults", ["ckan_unordered", "ckan_estimated_total", "ckan_unordered,ckan_estimated_total"]
)
def test_ckan_estimated_totals_and_unordered_rows_lose_and_repeat_nothing(
    warehouse: WarehouseTarget,
    world: Sources,
    registry: Registry,
    monkeypatch: pytest.MonkeyPatch,
    faults: str,
) -> None:
    with simulated(world, faults, monkeypatch) as sim:
        [result] = load(warehouse, registry, ("satudata",)).values()
        assert_raw_is_the_truth(warehouse, sim, ("satudata",))
        assert result.rows_read == len(served(sim, "satudata__budgets"))
        shown = sim.faults.injected
    # ckan_unordered shows only to a read without `sort` (the next test); Sinergi always sorts
    assert shown["ckan_unordered"] == 0, shown
    assert shown["ckan_estimated_total"] or "estimated" not in faults, shown
    assert alerts(warehouse) == []  # an estimate is not a shortfall


def test_without_sort_the_simulated_ckan_really_reorders(
    world: Sources, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the test above survives: offset pages of an unsorted query overlap and leave gaps."""
    with simulated(world, "ckan_unordered", monkeypatch) as sim:
        url = f"{sim.urls['satudata']}/api/3/action/datastore_search"
        seen: list[int] = []
        for offset in range(0, 1000, 200):
            params = {"resource_id": "anggaran_pengembangan_kompetensi", "limit": 200}
            body = requests.get(url, params={**params, "offset": offset}, timeout=10).json()
            seen += [row["_id"] for row in body["result"]["records"]]
            assert body["result"]["_links"]["next"].endswith(f"offset={offset + 200}")
        assert len(set(seen)) < len(seen), "five unsorted pages never repeated a row"
        ordered = requests.get(url, params={**params, "sort": "_id asc"}, timeout=10).json()
        assert [row["_id"] for row in ordered["result"]["records"]] == list(range(1, 201))


# --- sources that send less than they say -----------------------------------------------


def test_a_source_sending_less_than_its_count_raises_a_shortfall_alert(
    warehouse: WarehouseTarget, world: Sources, registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources = ("bpsdm_kemendagri", "kemnaker_corpu", "satudata")
    with simulated(world, "overstated_total", monkeypatch) as sim:
        results = load(warehouse, registry, sources)
        assert_raw_is_the_truth(warehouse, sim, sources)
        truth = {table: len(served(sim, table)) for table in tables(sources)}
    assert {r.status for r in results.values()} == {"succeeded"}
    raised = alerts(warehouse)
    assert {subject for _, subject, _ in raised} == {t.replace("__", ".") for t in truth}
    for kind, subject, details in raised:
        table = subject.replace(".", "__")
        assert kind == "source_shortfall"
        assert (details["expected"], details["loaded"]) == (overstated(truth[table]), truth[table])
        assert details["batch_id"] == results[table].batch_id
    counted = {d["counted_by"] for _, s, d in raised if s.startswith(("kemnaker", "satudata"))}
    assert counted == {"X-Total-Count", "result.total"}


# --- sources that would be paged forever ------------------------------------------------


@pytest.mark.parametrize(
    ("faults", "source", "message"),
    [
        (
            "repeat_cursor",
            "siasn",
            r"siasn\.asn: the source sent the same cursor again after page 2: [\w-]+",
        ),
        (
            "repeat_link",
            "kemnaker_corpu",
            r"kemnaker_corpu\.completions: the source sent the same Link next URL again after"
            r" page 2: http://127\.0\.0\.1:\d+/api/v1/completions\?per_page=100&page_token=[\w-]+",
        ),
        (
            "repeat_page",
            "bpsdm_kemendagri",
            r"bpsdm_kemendagri\.trainings: page 2 \(offset 500\) repeats an earlier page",
        ),
        ("repeat_page", "satudata", r"satudata\.budgets: page 2 \(offset 200\) repeats"),
    ],
)
def test_a_looping_source_fails_the_batch_naming_the_cursor_or_url(
    warehouse: WarehouseTarget,
    world: Sources,
    registry: Registry,
    monkeypatch: pytest.MonkeyPatch,
    faults: str,
    source: str,
    message: str,
) -> None:
    with simulated(world, faults, monkeypatch), pytest.raises(SourceError, match=message):
        load(warehouse, registry, (source,))
    [(failed_source, entity, rows_loaded, error)] = failed_batches(warehouse)
    assert failed_source == source and rows_loaded == 0
    assert re.search(message.split(": ", 1)[1], error), error
    table = f"{source}__{entity}"
    assert raw_rows(warehouse, table, tables((source,))[table]) == []  # rolled back


# --- transport and encoding ------------------------------------------------------------


@pytest.mark.parametrize("faults", ["gzip", "bom", "truncated_record", "0.1,gzip,bom"])
def test_bodies_as_real_sources_send_them_load_exactly_the_truth(
    warehouse: WarehouseTarget,
    world: Sources,
    registry: Registry,
    monkeypatch: pytest.MonkeyPatch,
    faults: str,
) -> None:
    with simulated(world, faults, monkeypatch) as sim:
        load(warehouse, registry, API_SOURCES)
        assert_raw_is_the_truth(warehouse, sim, API_SOURCES)
        shown = sim.faults.injected
    for profile in faults.split(","):
        assert profile.startswith("0.") or shown[profile], shown
    if faults.startswith("0."):
        assert sum(shown[kind] for kind in ("500", "502", "503", "429", "slow", "truncate")) > 5


@pytest.mark.parametrize("faults", ["retry_after_seconds", "retry_after_date"])
def test_retry_after_as_seconds_or_as_a_date_is_waited_out(
    warehouse: WarehouseTarget,
    world: Sources,
    registry: Registry,
    monkeypatch: pytest.MonkeyPatch,
    faults: str,
) -> None:
    text = registry.path.read_text().replace("page_size: 200", "page_size: 5000")
    big_pages_path = registry.path.with_name(f"sources-{faults}.yml")
    big_pages_path.write_text(text)
    big_pages = load_registry(big_pages_path)
    with simulated(world, faults, monkeypatch) as sim:
        started = time.monotonic()
        load(warehouse, big_pages, ("satudata",))
        elapsed = time.monotonic() - started
        assert_raw_is_the_truth(warehouse, sim, ("satudata",))
        refused = sim.faults.injected[faults]
    assert refused == 2  # the one page and the empty one that ends the read, each refused once
    if faults == "retry_after_seconds":
        assert elapsed >= refused * SERVE.retry_after_s  # each wait was the one asked for


def test_a_wait_past_the_batch_deadline_fails_at_once(
    warehouse: WarehouseTarget, world: Sources, registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = HttpSettings(batch_deadline_s=0.5, read_timeout_s=1.0, backoff_base_s=0.02)
    with (
        simulated(world, "retry_after_seconds", monkeypatch),
        pytest.raises(
            SourceError, match=r"satudata\.budgets: batch deadline would pass while waiting 1\.0s"
        ),
    ):
        load(warehouse, registry, ("satudata",), settings)


def test_an_html_page_with_200_fails_naming_source_entity_url_and_content_type(
    warehouse: WarehouseTarget, world: Sources, registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    with simulated(world, "html_200", monkeypatch) as sim, pytest.raises(SourceError) as failure:
        load(warehouse, registry, ("satudata",))
    message = str(failure.value)
    endpoint = f"{sim.urls['satudata']}/api/3/action/datastore_search?"
    assert message.startswith(f"satudata.budgets: expected JSON from {endpoint}")
    assert "resource_id=anggaran_pengembangan_kompetensi" in message
    assert "but got text/html; charset=utf-8 (HTTP 200" in message
    assert "Layanan Sedang Dalam Pemeliharaan" in message
    assert sim.faults.injected["html_200"] == 1  # failed at once, not retried


def test_a_body_always_cut_mid_record_fails_clearly(
    warehouse: WarehouseTarget, world: Sources, registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    once = HttpSettings(max_attempts=1, read_timeout_s=1.0)
    with (
        simulated(world, "truncated_record", monkeypatch),
        pytest.raises(
            SourceError,
            match=r"satudata\.budgets: no valid JSON from http://\S+datastore_search\S* after 1"
            r" attempts \(cut short\? last: application/json; charset=utf-8, \d+ bytes: ",
        ),
    ):
        load(warehouse, registry, ("satudata",), once)


# --- choosing profiles from the command line -----------------------------------------


def answered(url: str, params: dict[str, Any]) -> requests.Response:
    """A 200 through the transient faults (the same request fails at most 3 times in a row)."""
    for _ in range(4):
        try:
            response = requests.get(url, params=params, timeout=5)
        except requests.RequestException:
            continue
        if response.status_code == 200:
            return response
    raise AssertionError(f"no 200 from {url}")


def test_simulate_serve_takes_profiles_and_a_rate_in_faults(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "sinergi_simulator", "serve", "--port", "0", "--asn", "60"]
    wrong = subprocess.run(
        [*command, "--faults", "gzip,ckan_unsorted"], capture_output=True, text=True, timeout=60
    )
    assert wrong.returncode == 2
    assert "unknown fault profile 'ckan_unsorted'" in " ".join(wrong.stderr.split())
    with subprocess.Popen(
        [*command, "--faults", "0.01,ckan_unordered,gzip"],
        stdout=subprocess.PIPE,
        text=True,
    ) as server:
        try:
            assert server.stdout is not None
            urls = json.loads(server.stdout.readline())["urls"]
            url = f"{urls['satudata']}/api/3/action/datastore_search"
            params = {"resource_id": "anggaran_pengembangan_kompetensi", "limit": 50}
            first, second = (answered(url, params) for _ in range(2))
            assert first.headers["Content-Encoding"] == "gzip"
            orders = [
                [r["_id"] for r in page.json()["result"]["records"]] for page in (first, second)
            ]
            assert orders[0] != orders[1]
        finally:
            server.terminate()
            server.wait(timeout=30)
