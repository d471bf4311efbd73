"""`sinergi airflow …`: the local Airflow home used by the demo and the tests."""

from __future__ import annotations

import typer

from sinergi.orchestration.airflow_home import configure_environment, migrate_metadata_db

app = typer.Typer(help="Set up the local Airflow home (.sinergi/airflow).", no_args_is_help=True)


@app.command()
def init() -> None:
    """Write airflow.cfg for this checkout and migrate Airflow's metadata database."""
    migrate_metadata_db()
    typer.echo(f"Airflow home ready: {configure_environment()}")


@app.command()
def home() -> None:
    """Print the Airflow home, e.g. for `export AIRFLOW_HOME=$(sinergi airflow home)`."""
    typer.echo(str(configure_environment()))
