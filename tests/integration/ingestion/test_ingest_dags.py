"""The ingest DAGs run for real with dag.test(): simulator → Airflow task → warehouse."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from sinergi.orchestration.dag_runs import run_dag
from sinergi.warehouse.connection import WarehouseTarget, connect
from sinergi_simulator.api import SimulatorHandle

pytestmark = pytest.mark.integration


def test_ingest_siasn_dag_loads_the_asn(
    warehouse: WarehouseTarget,
    connections: SimulatorHandle,
    airflow_db: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SINERGI_WAREHOUSE_URL", warehouse.url)
    run_dag("ingest_siasn")  # raises DagRunFailed unless it succeeded
    with connect(warehouse) as conn:
        loaded = conn.execute("select count(*) from raw.siasn__asn").fetchone()
        batches = conn.execute("select source, entity, status from meta.load_batches").fetchall()
    assert loaded is not None and loaded[0] == connections.sources.asn.count_until(
        connections.clock.now_ms
    )
    assert batches == [("siasn", "asn", "succeeded")]


def test_ingest_file_drops_dag_loads_landed_files(
    warehouse: WarehouseTarget, airflow_db: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    landing = tmp_path / "landing"
    folder = landing / "35.15" / "2023-03"
    folder.mkdir(parents=True)
    with (folder / "peserta.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["NIP", "Instansi", "Pelatihan", "Jenis", "Tgl Mulai", "JP"])
        writer.writerow(["199001012020011001", "35.15", "Latsar", "latsar", "1 Mar 2023", "40"])
        writer.writerow(["1990", "35.15", "Latsar", "latsar", "1 Mar 2023", "40"])
    (folder / ".upload-in-progress.csv").write_text("NIP;Instansi\n")
    monkeypatch.setenv("SINERGI_WAREHOUSE_URL", warehouse.url)
    monkeypatch.setenv("SINERGI_LANDING_DIR", str(landing))

    run_dag("ingest_file_drops")  # raises DagRunFailed unless it succeeded

    with connect(warehouse) as conn:
        loaded = conn.execute("select count(*) from raw.bpsdm_daerah__participations").fetchone()
        quarantined = conn.execute("select reason from quarantine.records").fetchall()
    assert loaded == (1,)
    assert quarantined == [("invalid_nip",)]
    assert (landing / ".done" / "35.15" / "2023-03" / "peserta.csv").exists()
    assert (folder / ".upload-in-progress.csv").exists(), "a partial upload was taken"


def test_a_source_without_its_connection_is_skipped_with_one_alert(
    warehouse: WarehouseTarget, airflow_db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not failed and retried three times per entity: skipped, with one alert naming the fix."""
    from sinergi.orchestration.dag_runs import load_dags

    monkeypatch.setenv("SINERGI_WAREHOUSE_URL", warehouse.url)
    monkeypatch.delenv("AIRFLOW_CONN_SINERGI_BPSDM_KEMENDAGRI", raising=False)

    dag_run = load_dags()["ingest_bpsdm_kemendagri"].test()

    states = {ti.task_id: str(ti.state) for ti in dag_run.get_task_instances()}
    assert set(states.values()) == {"skipped"}, states
    assert len(states) == 7  # the connection check and the six entities
    with connect(warehouse) as conn:
        alerts = conn.execute("select kind, subject, message from meta.alerts").fetchall()
        batches = conn.execute("select count(*) from meta.load_batches").fetchone()
    assert [(kind, subject) for kind, subject, _ in alerts] == [
        ("source_not_configured", "ingest_bpsdm_kemendagri")
    ]
    assert "AIRFLOW_CONN_SINERGI_BPSDM_KEMENDAGRI" in alerts[0][2]
    assert batches == (0,)
