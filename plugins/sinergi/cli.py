"""The `sinergi` command line: one sub-command group per layer."""

from __future__ import annotations

import logging
import os

import typer

app = typer.Typer(
    help="Sinergi: ASN competency-development data integration.",
    no_args_is_help=True,
    add_completion=False,
)


@app.callback()
def main(verbose: bool = typer.Option(False, "--verbose", "-v", help="Log at DEBUG.")) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


@app.command()
def demo() -> None:
    """Run the pipeline end to end on the embedded defaults (what `make demo` runs)."""
    from sinergi.orchestration.demo import run_demo

    result = run_demo()
    for dag_id, state in result.dag_runs:
        typer.echo(f"DAG {dag_id}: {state}")
    typer.echo("rows per published mart:")
    for table, rows in result.mart_rows.items():
        typer.echo(f"  marts.{table}: {rows}")
    for line in result.quality_lines:
        typer.echo(line)
    if not os.environ.get("SINERGI_WAREHOUSE_URL"):
        typer.echo("The embedded PostgreSQL is left running for queries: `make stop` stops it.")


def _mount_subcommands() -> None:
    """Attach each layer's command group."""
    from sinergi.ingestion.cli import ingest, ingest_file
    from sinergi.orchestration.cli import app as airflow_app
    from sinergi.quality.cli import app as quality_app
    from sinergi.simulator.cli import app as simulator_app
    from sinergi.transform.cli import app as transform_app
    from sinergi.warehouse.cli import app as warehouse_app

    app.add_typer(warehouse_app, name="warehouse")
    app.add_typer(simulator_app, name="simulate")
    app.command("ingest")(ingest)
    app.command("ingest-file")(ingest_file)
    app.add_typer(transform_app, name="transform")
    app.add_typer(quality_app, name="quality")
    app.add_typer(airflow_app, name="airflow")


_mount_subcommands()
