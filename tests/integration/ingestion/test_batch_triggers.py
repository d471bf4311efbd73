"""Every batch records what triggered it, on a real warehouse with the real simulator.

Batches are loaded through the same calls the DAG tasks and the CLI make
(`ingest_entity`, `ingest_file`, `sinergi ingest-file`, a `dag.test()` run),
under each kind of trigger; `meta.load_batches.trigger` must hold it, failed
batches included, and never be null.
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from ingestion_helpers import FAST_HTTP
from typer.testing import CliRunner

from sinergi.cli import app
from sinergi.ingestion.batch_trigger import BatchTrigger, batch_trigger
from sinergi.ingestion.file_drop import ingest_file
from sinergi.ingestion.raw_loader import open_batch
from sinergi.ingestion.registry import load_registry
from sinergi.ingestion.runner import Window, ingest_entity
from sinergi.orchestration.dag_runs import run_dag
from sinergi.warehouse.connection import WarehouseTarget, connect
from sinergi_simulator.api import SimulatorHandle

pytestmark = pytest.mark.integration

AT = datetime(2026, 11, 29, 3, 0, tzinfo=UTC)


def batches(target: WarehouseTarget) -> list[dict[str, Any]]:
    with connect(target) as conn:
        rows = conn.execute(
            "select source, entity, status, trigger, started_at from meta.load_batches"
            " order by batch_id"
        ).fetchall()
    return [
        {"source": s, "entity": e, "status": st, "trigger": t, "started_at": at}
        for s, e, st, t, at in rows
    ]


def upload(landing: Path, name: str = "peserta.csv") -> Path:
    """A small regional upload: one good row, one with an invalid NIP."""
    folder = landing / "35.15" / "2023-03"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["NIP", "Instansi", "Pelatihan", "Jenis", "Tgl Mulai", "JP"])
        writer.writerow(["199001012020011001", "35.15", "Latsar", "latsar", "1 Mar 2023", "40"])
        writer.writerow(["1990", "35.15", name, "latsar", "1 Mar 2023", "40"])
    return path


def test_a_batch_records_the_trigger_it_was_opened_under(
    warehouse: WarehouseTarget, connections: SimulatorHandle, tmp_path: Path
) -> None:
    siasn = load_registry().source("siasn")
    asn = siasn.entity("asn")
    expected = []
    for kind, asset, extra in [
        ("event", "sinergi://events/siasn", {"entities": ["asn"]}),
        ("schedule", None, {}),
        ("manual", None, {}),
        ("backfill", None, {}),
    ]:
        trigger = BatchTrigger(kind, AT, asset, "ingest_siasn", f"{kind}__r", extra)  # type: ignore[arg-type]
        window = Window(AT - timedelta(days=900), AT) if kind == "backfill" else None
        with batch_trigger(trigger):
            ingest_entity(
                siasn, asn, target=warehouse, settings=FAST_HTTP, progress_bar=False, window=window
            )
        expected.append(trigger.as_json())
    claimed = {"claimed": [str(tmp_path / ".claimed" / "35.15" / "2023-03" / "peserta.csv")]}
    dropped = BatchTrigger(
        "file", AT, f"file://{tmp_path}", "ingest_file_drops", "asset_triggered__r", claimed
    )
    with batch_trigger(dropped):
        assert ingest_file(upload(tmp_path), "35.15", target=warehouse).status == "loaded"
    expected.append(dropped.as_json())

    recorded = batches(warehouse)
    assert [b["trigger"] for b in recorded] == expected
    assert [b["trigger"]["kind"] for b in recorded] == [
        "event", "schedule", "manual", "backfill", "file",
    ]  # fmt: skip
    assert {b["status"] for b in recorded} == {"succeeded"}


def test_a_failed_batch_records_its_trigger_too(warehouse: WarehouseTarget) -> None:
    trigger = BatchTrigger("event", AT, "sinergi://events/siasn", "ingest_siasn", "r")
    with (
        batch_trigger(trigger),
        pytest.raises(RuntimeError, match="source went away"),
        open_batch(warehouse, "siasn", "asn", "siasn__asn"),
    ):
        raise RuntimeError("source went away")
    [failed] = batches(warehouse)
    assert (failed["status"], failed["trigger"]) == ("failed", trigger.as_json())


def test_outside_airflow_a_batch_records_cli(
    warehouse: WarehouseTarget,
    connections: SimulatorHandle,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SINERGI_WAREHOUSE_URL", warehouse.url)
    started = datetime.now(UTC)
    result = CliRunner().invoke(app, ["ingest", "bpsdm_kemendagri"])
    assert result.exit_code == 0, result.output
    from_cli = batches(warehouse)
    # a library call with no trigger set counts as the command line's, at the batch's start
    ingest_file(upload(tmp_path), "35.15", target=warehouse)
    [from_call] = batches(warehouse)[len(from_cli) :]

    assert len(from_cli) == len(load_registry().source("bpsdm_kemendagri").entities) > 1
    for batch in [*from_cli, from_call]:
        trigger = batch["trigger"]
        assert {k: v for k, v in trigger.items() if k != "at"} == {
            "kind": "cli", "asset": None, "dag_id": None, "run_id": None, "extra": {},
        }  # fmt: skip
        assert started <= datetime.fromisoformat(trigger["at"]) <= batch["started_at"]
    assert len({batch["trigger"]["at"] for batch in from_cli}) == 1, "one command, one start"
    assert from_call["trigger"]["at"] > from_cli[-1]["trigger"]["at"]


def test_a_manual_dag_run_records_kind_manual(
    warehouse: WarehouseTarget, airflow_db: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    landing = tmp_path / "landing"
    upload(landing)
    monkeypatch.setenv("SINERGI_WAREHOUSE_URL", warehouse.url)
    monkeypatch.setenv("SINERGI_LANDING_DIR", str(landing))

    run_dag("ingest_file_drops")  # raises DagRunFailed unless it succeeded

    [batch] = batches(warehouse)
    trigger = batch["trigger"]
    assert (trigger["kind"], trigger["dag_id"], trigger["asset"]) == (
        "manual",
        "ingest_file_drops",
        None,
    )
    assert trigger["run_id"].startswith("manual__")
    assert datetime.fromisoformat(trigger["at"]) <= batch["started_at"]
