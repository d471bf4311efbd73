"""The quality-and-publish workflow, defined once: the `quality_publish` DAG and
`sinergi quality ...` both run these steps, in the order `STEPS` gives.

1. `raw_contracts`: the raw suites; bad raw rows go to `quarantine.records`.
2. `quarantine_and_reconcile` (after 1): what dbt keeps out is quarantined too,
   then raw = staged + quarantined per source entity (blocking).
3. `mart_suites`: the mart suites on the marts in `audit`.
4. `publish` (after 2 and 3): `audit` replaces `marts` when no blocking check
   failed; otherwise `marts` is untouched and the block recorded and alerted.
5. `run_report`: the run's HTML report, after a published and a blocked
   publish alike.

Every step records under one quality run id, so each can run in its own
process (an Airflow task) and the publish gate still sees the whole run.
The heavy imports (psycopg, Great Expectations) wait until a step runs:
the DAG file imports this module when it is parsed.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Collection
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from sinergi.publish.publisher import PublishOutcome
    from sinergi.quality.runner import StepReport
    from sinergi.warehouse.connection import WarehouseTarget

log = logging.getLogger(__name__)
Result = TypeVar("Result")

# step -> the steps it runs after, listed so that each comes after those
STEPS: dict[str, tuple[str, ...]] = {
    "raw_contracts": (),
    "quarantine_and_reconcile": ("raw_contracts",),
    "mart_suites": (),
    "publish": ("quarantine_and_reconcile", "mart_suites"),
}
CHECKS = ("raw_contracts", "quarantine_and_reconcile", "mart_suites")


def run_id_of_dag_run(airflow_run_id: str) -> str:
    """One quality run id per DAG run: every task records its results under it."""
    return "qp-" + re.sub(r"[^A-Za-z0-9_.-]+", "_", airflow_run_id)


def new_run_id(prefix: str = "cli") -> str:
    from sinergi.quality.runner import new_run_id as quality_run_id

    return quality_run_id(prefix)


def raw_contracts(target: WarehouseTarget, run_id: str, *, full: bool = False) -> StepReport:
    """Step 1; `full` checks every raw batch again, not only the new ones."""
    from sinergi.quality.runner import check_raw

    return check_raw(target, run_id, full=full)


def quarantine_and_reconcile(target: WarehouseTarget, run_id: str) -> StepReport:
    """Step 2."""
    from sinergi.quality.runner import quarantine_and_reconcile as reconcile

    return reconcile(target, run_id)


def mart_suites(
    target: WarehouseTarget, run_id: str, *, rebuilt: Collection[str] | None = None
) -> StepReport:
    """Step 3, on the marts a transform `rebuilt` (None: all of them).

    All of them, too, when the last publish did not publish: a mart blocked
    then may still be in `audit`, unbuilt since.
    """
    from sinergi.publish.publisher import last_attempt_published
    from sinergi.quality.runner import check_marts

    marts = rebuilt if rebuilt is not None and last_attempt_published(target) else None
    return check_marts(target, run_id, marts=marts)


def publish(target: WarehouseTarget, run_id: str) -> PublishOutcome:
    """Step 4: the gate on the run's recorded results, then the swap or the block."""
    from sinergi.publish.publisher import publish_run

    return publish_run(target, run_id)


def run_report(target: WarehouseTarget, run_id: str) -> Path:
    """Step 5: the run's HTML report (`.sinergi/reports/<run>/index.html`)."""
    from sinergi.report.writer import write_report

    return write_report(target, run_id)


def run_checks(
    target: WarehouseTarget,
    run_id: str,
    *,
    raw: bool = True,
    full: bool = False,
    marts: bool = True,
) -> list[StepReport]:
    """Steps 1-3 in `STEPS` order, in this process; `raw`/`marts` False skip theirs."""
    run = {
        "raw_contracts": lambda: raw_contracts(target, run_id, full=full),
        "quarantine_and_reconcile": lambda: quarantine_and_reconcile(target, run_id),
        "mart_suites": lambda: mart_suites(target, run_id),
    }
    skipped = set() if raw else {"raw_contracts", "quarantine_and_reconcile"}
    if not marts:
        skipped.add("mart_suites")
    return [_timed(step, run[step]) for step in STEPS if step in CHECKS and step not in skipped]


def _timed(step: str, run: Callable[[], Result]) -> Result:
    """`run()`, logging how long the step took (a night's run says where its time went)."""
    started = time.perf_counter()
    try:
        return run()
    finally:
        log.info("quality step %s: %.1f s", step, time.perf_counter() - started)


def check_and_publish(
    target: WarehouseTarget, run_id: str | None = None
) -> tuple[str, PublishOutcome]:
    """Steps 1-4 in this process: (run id, publish outcome).

    With `run_id`, no check runs: the publish goes on that run's recorded results.
    """
    if run_id is None:
        run_id = new_run_id()
        run_checks(target, run_id)
    return run_id, _timed("publish", partial(publish, target, run_id))


def report_lines(target: WarehouseTarget, run_id: str | None) -> list[str]:
    """The run's text report (the latest run's without `run_id`)."""
    from sinergi.quality.report import build_report, render
    from sinergi.warehouse.connection import connect

    with connect(target) as conn:
        return list(render(build_report(conn, run_id)))


def stale_sources(
    target: WarehouseTarget, *, alert: bool = True, max_age: timedelta | None = None
) -> list[dict[str, object]]:
    """Beside the steps: source entities without a successful load for their freshness limit."""
    from sinergi.quality import runner

    if alert:
        return runner.alert_stale_sources(target, max_age)
    return runner.stale_sources(target, max_age)
