"""Watching a running Airflow until the pipeline's chain of runs has played out.

Events start ingest runs, whose raw Assets start a transform, whose audit Asset
starts quality-and-publish; runs arrive one after the other, a few seconds
apart. `wait_until_settled` follows every DAG's runs through the REST API,
reports each run as it starts and ends, and returns once the DAGs it expects
have run since a given moment and nothing has been queued or running for a
few scheduler heartbeats.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sinergi.orchestration.airflow_api import AirflowApi

ACTIVE = ("queued", "running")
QUIET_S = 8.0  # several scheduler heartbeats without an active run


@dataclass(frozen=True)
class RunSeen:
    dag_id: str
    run_id: str
    run_type: str
    state: str
    queued_at: datetime
    end_date: datetime | None
    conf: dict[str, Any] = field(default_factory=dict)

    @property
    def seconds(self) -> float | None:
        return (self.end_date - self.queued_at).total_seconds() if self.end_date else None


def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


class ChainTimeout(TimeoutError):
    """The chain did not settle in time; the message lists the runs still active."""


def runs_since(api: AirflowApi, dag_ids: Iterable[str], since: datetime) -> list[RunSeen]:
    """Every run of these DAGs queued at or after `since`, oldest first.

    A run queued then was also last updated then or later: the API filters on
    that, and the queue time is checked here."""
    wanted = set(dag_ids)
    seen = []
    for run in api.runs_updated_since(since):
        queued = _when(run.get("queued_at"))
        if run.get("dag_id") not in wanted or queued is None or queued < since:
            continue
        seen.append(
            RunSeen(
                dag_id=str(run["dag_id"]),
                run_id=run["dag_run_id"],
                run_type=str(run.get("run_type")),
                state=str(run.get("state")),
                queued_at=queued,
                end_date=_when(run.get("end_date")),
                conf=dict(run.get("conf") or {}),
            )
        )
    return sorted(seen, key=lambda run: run.queued_at)


def wait_until_settled(
    api: AirflowApi,
    since: datetime,
    *,
    expect: Iterable[str] = ("quality_publish",),
    on_change: Callable[[RunSeen], None] | None = None,
    timeout: float = 900.0,
    poll: float = 1.0,
) -> list[RunSeen]:
    """Wait until each DAG in `expect` has a finished run since `since` and every DAG has
    been idle for `QUIET_S`; returns the runs since `since`."""
    dag_ids = sorted(api.dag_ids())
    deadline = time.monotonic() + timeout
    states: dict[tuple[str, str], str] = {}
    quiet_from: float | None = None
    while True:
        runs = runs_since(api, dag_ids, since)
        for run in runs:
            key = (run.dag_id, run.run_id)
            if states.get(key) != run.state:
                states[key] = run.state
                if on_change:
                    on_change(run)
        active = [run for run in runs if run.state in ACTIVE]
        finished = {run.dag_id for run in runs if run.state not in ACTIVE}
        if active or not set(expect) <= finished:
            quiet_from = None
        elif quiet_from is None:
            quiet_from = time.monotonic()
        elif time.monotonic() - quiet_from >= QUIET_S:
            return runs
        if time.monotonic() > deadline:
            still = [f"{run.dag_id}/{run.run_id} ({run.state})" for run in active]
            missing = sorted(set(expect) - finished)
            raise ChainTimeout(
                f"pipeline not settled after {timeout:.0f} s; active: {still or 'none'};"
                f" no finished run yet of: {missing or 'none'}"
            )
        time.sleep(poll)
