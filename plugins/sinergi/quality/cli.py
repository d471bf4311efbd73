"""`sinergi quality ...`: run the checks, publish, and report, outside Airflow.

The same functions the `quality_publish` DAG's tasks call, so a failed
nightly run can be reproduced (and a fix verified) from a terminal.
"""

from __future__ import annotations

import typer

app = typer.Typer(
    help="Data quality checks, write-audit-publish and reports.", no_args_is_help=True
)


def _print_report(run_id: str | None) -> None:
    from sinergi.quality.report import build_report, render
    from sinergi.warehouse.connection import connect, resolve_target

    with connect(resolve_target()) as conn:
        for line in render(build_report(conn, run_id)):
            typer.echo(line)


@app.command()
def check(
    raw: bool = typer.Option(True, help="Run the raw contracts and quarantine bad rows."),
    full: bool = typer.Option(False, help="Check every raw batch again, not only new ones."),
    marts: bool = typer.Option(True, help="Run the mart suites on the audit schema."),
    run_id: str | None = typer.Option(None, help="Record under this run id (default: new)."),
) -> None:
    """Run raw contracts, quarantine + reconciliation and mart suites; print the report."""
    from sinergi.quality import runner
    from sinergi.warehouse.connection import resolve_target

    target = resolve_target()
    run_id = run_id or runner.new_run_id("cli")
    steps = []
    if raw:
        steps.append(runner.check_raw(target, run_id, full=full))
        steps.append(runner.quarantine_and_reconcile(target, run_id))
    if marts:
        steps.append(runner.check_marts(target, run_id))
    _print_report(run_id)
    docs = next((s.data_docs for s in reversed(steps) if s.data_docs), None)
    if docs:
        typer.echo(f"Data Docs: {docs}")


@app.command()
def publish(
    run_id: str | None = typer.Option(
        None, help="Publish on the results of this run; default: run every check first."
    ),
) -> None:
    """Publish the audited marts if no blocking check failed; exit 1 when blocked."""
    from sinergi.publish.publisher import publish_run
    from sinergi.quality import runner
    from sinergi.warehouse.connection import resolve_target

    target = resolve_target()
    if run_id is None:
        run_id = runner.new_run_id("cli")
        runner.check_raw(target, run_id)
        runner.quarantine_and_reconcile(target, run_id)
        runner.check_marts(target, run_id)
    outcome = publish_run(target, run_id)
    _print_report(run_id)
    if outcome.status != "published":
        raise typer.Exit(1)


@app.command()
def report(
    run_id: str | None = typer.Option(None, help="Report this run; default: the latest."),
) -> None:
    """Print checks run, passed and failed, quarantined rows by reason, and the publish."""
    _print_report(run_id)


@app.command()
def stale(
    hours: float | None = typer.Option(None, help="Threshold; default: quality.yml."),
    alert: bool = typer.Option(False, help="Raise an alert per stale source."),
) -> None:
    """List sources whose last successful load is older than the threshold.

    Exit status 1 when any is stale (0 when none), so a cron job or a script can act on it.
    """
    from datetime import timedelta

    from sinergi.quality import runner
    from sinergi.warehouse.connection import resolve_target

    max_age = timedelta(hours=hours) if hours is not None else None
    target = resolve_target()
    found = (
        runner.alert_stale_sources(target, max_age)
        if alert
        else runner.stale_sources(target, max_age)
    )
    if not found:
        typer.echo("no stale sources")
        return
    for item in found:
        typer.echo(
            f"{item['source']}.{item['entity']}: last success"
            f" {item['last_success_at'] or 'never'} (threshold {item['threshold_hours']:g} h)"
        )
    typer.echo(f"sinergi quality stale: {len(found)} source entities stale", err=True)
    raise typer.Exit(1)
