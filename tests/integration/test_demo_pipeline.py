"""`make demo`, twice in a row, as users run it: both through the running scheduler.

The demo starts Airflow as local processes, drops the regional files and
pushes the sources' events; the ingest runs are started by those events, the
transform and the quality-and-publish runs by Assets. The second demo finds
nothing new and must publish again. The marts analysts see hold rows and no NIP.
Each demo ends with its run report, which opens offline with every chart
drawn, and the Data Docs index lists the validations offline.
"""

from __future__ import annotations

import socket
import uuid
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from report_view import CHARTS, data_docs_validation_rows, open_report

from sinergi.orchestration.airflow_home import METADATA_DB_VARIABLE, PORT_VARIABLE
from sinergi.orchestration.local_airflow import LocalAirflow
from sinergi.report.writer import data_docs_site
from sinergi.warehouse.connection import WarehouseTarget, connect
from sinergi_simulator.devtools.demo import DemoResult, api_dag_ids, run_demo

pytestmark = pytest.mark.integration


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _assert_published_through_the_scheduler(result: DemoResult) -> None:
    assert result.published, result.publish_status
    by_dag: dict[str, set[str]] = {}
    for run in result.runs:
        by_dag.setdefault(run.dag_id, set()).add(run.run_type)
        assert run.state == "success", run
    assert set(by_dag) == {
        *api_dag_ids(),
        "ingest_file_drops",
        "transform",
        "quality_publish",
        "open_data",
    }
    assert set().union(*by_dag.values()) == {"asset_triggered"}, by_dag
    assert result.seconds_to_publish is not None and result.seconds_to_publish > 0


def test_the_demo_twice_publishes_twice_through_the_scheduler(
    fresh_database: WarehouseTarget,
    committed_expectations: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    metadata_db = f"airflow_demo_{uuid.uuid4().hex[:10]}"
    monkeypatch.setenv("SINERGI_WAREHOUSE_URL", fresh_database.url)
    monkeypatch.setenv("SINERGI_LANDING_DIR", str(tmp_path / "landing"))
    monkeypatch.setenv("SINERGI_REPORTS_DIR", str(tmp_path / "reports"))
    monkeypatch.setenv("AIRFLOW_HOME", str(tmp_path / "airflow"))
    monkeypatch.setenv(METADATA_DB_VARIABLE, metadata_db)
    monkeypatch.setenv(PORT_VARIABLE, str(free_port()))
    lines: list[str] = []
    home = tmp_path / "airflow"
    try:
        first = run_demo(seed=7, asn=400, echo=lines.append, airflow=LocalAirflow(home))
        between = datetime.now(UTC)
        second = run_demo(seed=7, asn=400, echo=lines.append, airflow=LocalAirflow(home))
    finally:
        maintenance = fresh_database.with_database("postgres").conninfo
        with psycopg.connect(maintenance, autocommit=True) as conn:
            drop = sql.SQL("drop database if exists {} with (force)")
            conn.execute(drop.format(sql.Identifier(metadata_db)))

    _assert_published_through_the_scheduler(first)
    _assert_published_through_the_scheduler(second)
    assert second.mart_rows == first.mart_rows  # nothing new arrived
    assert all(rows > 0 for rows in first.mart_rows.values()), first.mart_rows
    assert any("events:" in line for line in lines), lines
    with connect(fresh_database) as conn:
        loaded_again = conn.execute(
            "select coalesce(sum(rows_loaded), 0) from meta.load_batches where started_at > %s",
            (between,),
        ).fetchone()
        text_columns = conn.execute(
            "select table_name, column_name from information_schema.columns"
            " where table_schema = 'marts' and data_type = 'text'"
        ).fetchall()
        # Raw NIPs are 18 digits; none may appear in any published text column.
        leaked = [
            (table, column)
            for table, column in text_columns
            if conn.execute(
                f'select 1 from marts."{table}" where "{column}" ~ %s limit 1',  # type: ignore[arg-type]
                (r"^\d{18}$",),
            ).fetchone()
        ]
    assert loaded_again == (0,)
    assert leaked == [], leaked

    reports = [Path(result.report_path or "") for result in (first, second)]
    assert all(page.parent.parent == tmp_path / "reports" for page in reports), reports
    assert reports[0] != reports[1]
    seen = open_report(reports[1], tmp_path / "screenshots")
    assert set(seen.charts) == CHARTS
    assert all(shapes > 0 for shapes in seen.charts.values()), seen.charts
    assert seen.tables["freshness"] > 0 and "DIPUBLIKASIKAN" in seen.text
    assert seen.remote == []
    rows = data_docs_validation_rows(data_docs_site())
    assert rows and all("marts__" in row or "raw__" in row for row in rows), rows
