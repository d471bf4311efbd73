"""`sinergi report`: write a publish attempt's run report (what the DAG's last task does)."""

from __future__ import annotations

from pathlib import Path

import typer


def report(
    run: str | None = typer.Option(
        None, "--run", help="The quality run id (default: the latest publish attempt)."
    ),
    out: Path | None = typer.Option(
        None, "--out", help="Reports folder (default: .sinergi/reports or SINERGI_REPORTS_DIR)."
    ),
) -> None:
    """Write the run report (HTML, offline) of a publish attempt and print its path."""
    from sinergi.report.run_facts import PublishNotFound
    from sinergi.report.writer import write_report
    from sinergi.warehouse.connection import resolve_target

    try:
        page = write_report(resolve_target(), run, out)
    except PublishNotFound as error:
        typer.echo(f"report: {error}", err=True)
        raise typer.Exit(2) from None
    typer.echo(str(page))
