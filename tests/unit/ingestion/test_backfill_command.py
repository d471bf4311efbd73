"""`sinergi backfill` against a fake Airflow API: what it asks, waits for, prints and exits with."""

from __future__ import annotations

import json
from datetime import UTC, date, timedelta
from typing import Any

import pytest
from typer.testing import CliRunner

from sinergi.ingestion.data_days import day_start
from sinergi.orchestration import backfill as backfill_module
from sinergi.orchestration.airflow_api import AirflowApiError
from sinergi.orchestration.backfill import BackfillError, run_backfill

DAG = "ingest_kemnaker_corpu"
DAYS = [date(2024, 3, 4), date(2024, 3, 5)]


def _utc(day: date) -> str:
    return day_start(day).astimezone(UTC).isoformat()


class FakeAirflow:
    """Answers the calls `run_backfill` makes; runs end after `polls_to_end` polls."""

    def __init__(
        self,
        *,
        planned: list[date] = DAYS,
        states: dict[date, str] | None = None,
        paused: bool = False,
        polls_to_end: int = 1,
    ) -> None:
        self.planned = planned
        self.states = states or dict.fromkeys(planned, "success")
        self.paused = paused
        self.polls_to_end = polls_to_end
        self.polls = 0
        self.calls: list[tuple[str, str, Any]] = []

    def _run(self, day: date) -> dict[str, Any]:
        ended = self.polls >= self.polls_to_end
        return {
            "dag_id": DAG,
            "dag_run_id": f"backfill__{_utc(day + timedelta(days=1))}",
            "logical_date": _utc(day),
            "state": self.states[day] if ended else "running",
        }

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        self.calls.append((method, path, kwargs.get("json") or kwargs.get("params")))
        if (method, path) == ("GET", f"/dags/{DAG}"):
            return {"dag_id": DAG, "is_paused": self.paused}
        if (method, path) == ("POST", "/backfills/dry_run"):
            return {"backfills": [{"logical_date": _utc(day)} for day in self.planned]}
        if (method, path) == ("POST", "/backfills"):
            return {"id": 7, **kwargs["json"]}
        if (method, path) == ("GET", f"/dags/{DAG}/dagRuns"):
            self.polls += 1
            return {"dag_runs": [self._run(day) for day in self.planned]}
        if (method, path) == ("GET", "/backfills/7"):
            done = self.polls >= self.polls_to_end
            return {"id": 7, "completed_at": "2026-01-01T00:00:00Z" if done else None}
        if method == "GET" and path.endswith(
            "/taskInstances/load_completions/xcomEntries/return_value"
        ):
            if "2024-03-05T18" in path and self.states[DAYS[1]] != "success":
                raise AirflowApiError("404 no xcom")
            # Airflow may hand the value back as JSON text
            return {"value": json.dumps({"rows_read": 7, "rows_loaded": 6})}
        raise AssertionError(f"unexpected call {method} {path}")

    def task_instances(self, dag_id: str, run_id: str) -> list[dict[str, Any]]:
        failed = "2024-03-05T18" in run_id and self.states[DAYS[1]] != "success"
        return [
            {"task_id": "check_connection", "state": "success"},
            {"task_id": "load_completions", "state": "failed" if failed else "success"},
        ]


def test_run_backfill_creates_one_backfill_and_waits_for_every_run() -> None:
    api = FakeAirflow(polls_to_end=3)
    ended = []
    outcomes = run_backfill(
        "kemnaker_corpu",
        DAYS[0],
        DAYS[-1],
        api=api,
        poll=0,
        on_run=ended.append,  # type: ignore[arg-type]
    )
    assert [o.day for o in outcomes] == DAYS
    assert [(o.state, o.rows_read, o.rows_loaded) for o in outcomes] == [("success", 7, 6)] * 2
    assert len(ended) == 2
    created = [body for method, path, body in api.calls if (method, path) == ("POST", "/backfills")]
    assert len(created) == 1
    assert created[0]["dag_run_conf"]["sinergi_backfill"]
    runs_queries = [body for _, path, body in api.calls if path.endswith("/dagRuns")]
    assert all(
        q["conf_contains"] == created[0]["dag_run_conf"]["sinergi_backfill"] for q in runs_queries
    )


def test_days_airflow_would_not_run_or_would_add_stop_before_anything_is_created() -> None:
    for planned, message in (
        (DAYS[:1], "would not run"),
        ([*DAYS, date(2024, 3, 6)], "would also run"),
    ):
        api = FakeAirflow(planned=planned)
        with pytest.raises(BackfillError, match=message):
            run_backfill("kemnaker_corpu", DAYS[0], DAYS[-1], api=api, poll=0)  # type: ignore[arg-type]
        assert ("POST", "/backfills") not in [(m, p) for m, p, _ in api.calls]


def test_a_paused_dag_is_refused() -> None:
    with pytest.raises(BackfillError, match="paused"):
        run_backfill("kemnaker_corpu", DAYS[0], DAYS[-1], api=FakeAirflow(paused=True))  # type: ignore[arg-type]


def test_a_file_drop_has_no_days() -> None:
    with pytest.raises(BackfillError, match="file drop"):
        run_backfill("bpsdm_daerah", DAYS[0], DAYS[-1], api=FakeAirflow())  # type: ignore[arg-type]


def test_the_command_prints_a_line_per_run_and_fails_when_one_failed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from sinergi.cli import app

    api = FakeAirflow(states={DAYS[0]: "success", DAYS[1]: "failed"})
    monkeypatch.setattr(backfill_module, "AirflowApi", lambda *args, **kwargs: api)
    result = CliRunner().invoke(
        app, ["backfill", "kemnaker_corpu", "--from", "2024-03-04", "--to", "2024-03-05"]
    )
    assert result.exit_code == 1, result.output
    lines = [line.split() for line in result.output.splitlines() if line.startswith("2024-")]
    assert sorted((line[0], line[1], line[2]) for line in lines) == [
        ("2024-03-04", "success", "6"),
        ("2024-03-05", "failed", "0"),
    ]
    assert "failed: load_completions" in result.output
    assert "2 runs, 1 failed, 6 rows loaded" in result.output


def test_the_command_exits_2_when_airflow_refuses(monkeypatch: pytest.MonkeyPatch) -> None:
    from sinergi.cli import app

    monkeypatch.setattr(backfill_module, "AirflowApi", lambda *a, **k: FakeAirflow(paused=True))
    result = CliRunner().invoke(
        app, ["backfill", "kemnaker_corpu", "--from", "2024-03-04", "--to", "2024-03-05"]
    )
    assert result.exit_code == 2
    assert "paused" in result.output
