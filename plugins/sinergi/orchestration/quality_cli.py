"""`sinergi quality ...`: run the checks, publish, and report, outside Airflow.

The steps the `quality_publish` DAG's tasks run (`sinergi.orchestration.
quality_publish`), in the same order, so a failed nightly run can be
reproduced (and a fix verified) from a terminal.
"""

from __future__ import annotations

import typer

app = typer.Typer(
    help="Data quality checks, write-audit-publish and reports.", no_args_is_help=True
)


def _print_report(run_id: str | None) -> None:
    from sinergi.orchestration import quality_publish as workflow
    from sinergi.warehouse.connection import resolve_target

    for line in workflow.report_lines(resolve_target(), run_id):
        typer.echo(line)


@app.command()
def check(
    raw: bool = typer.Option(True, help="Run the raw contracts and quarantine bad rows."),
    full: bool = typer.Option(False, help="Check every raw batch again, not only new ones."),
    marts: bool = typer.Option(True, help="Run the mart suites on the audit schema."),
    run_id: str | None = typer.Option(None, help="Record under this run id (default: new)."),
) -> None:
    """Run raw contracts, quarantine + reconciliation and mart suites; print the report."""
    from sinergi.orchestration import quality_publish as workflow
    from sinergi.warehouse.connection import resolve_target

    run_id = run_id or workflow.new_run_id()
    steps = workflow.run_checks(resolve_target(), run_id, raw=raw, full=full, marts=marts)
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
    from sinergi.orchestration import quality_publish as workflow
    from sinergi.warehouse.connection import resolve_target

    run_id, outcome = workflow.check_and_publish(resolve_target(), run_id)
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
    hours: float | None = typer.Option(
        None, help="Threshold; default: each source's dbt freshness (warn_after)."
    ),
    alert: bool = typer.Option(False, help="Raise an alert per stale source."),
) -> None:
    """List sources whose last successful load is older than the threshold.

    Exit status 1 when any is stale (0 when none), so a cron job or a script can act on it.
    """
    from datetime import timedelta

    from sinergi.orchestration import quality_publish as workflow
    from sinergi.transform.manifest import ManifestMissing
    from sinergi.warehouse.connection import resolve_target

    max_age = timedelta(hours=hours) if hours is not None else None
    try:
        found = workflow.stale_sources(resolve_target(), alert=alert, max_age=max_age)
    except ManifestMissing as missing:  # the limits are dbt's source freshness
        typer.echo(f"sinergi quality stale: {missing}", err=True)
        raise typer.Exit(2) from None
    if not found:
        typer.echo("no stale sources")
        return
    for item in found:
        limit = item["threshold_hours"]
        typer.echo(
            f"{item['source']}.{item['entity']}: last success"
            f" {item['last_success_at'] or 'never'}"
            f" (threshold {f'{limit:g} h' if limit is not None else 'unknown'})"
        )
    typer.echo(f"sinergi quality stale: {len(found)} source entities stale", err=True)
    raise typer.Exit(1)
