"""`sinergi airflow …`: the local Airflow home, and Airflow itself as local processes."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from sinergi.orchestration.airflow_home import configure_environment, migrate_metadata_db

if TYPE_CHECKING:
    from sinergi.orchestration.local_airflow import LocalAirflow

app = typer.Typer(help="Run Airflow locally (.sinergi/airflow).", no_args_is_help=True)


@app.command()
def init() -> None:
    """Write airflow.cfg for this checkout and migrate Airflow's metadata database."""
    migrate_metadata_db()
    typer.echo(f"Airflow home ready: {configure_environment()}")


@app.command()
def home() -> None:
    """Print the Airflow home, e.g. for `export AIRFLOW_HOME=$(sinergi airflow home)`."""
    typer.echo(str(configure_environment()))


@app.command()
def up() -> None:
    """Start the API server, scheduler, DAG processor and triggerer in the background.

    They get this shell's environment: set the sources' `AIRFLOW_CONN_SINERGI_*`,
    `SINERGI_NIP_HMAC_KEY` (and `SINERGI_WAREHOUSE_URL`) first. Sources without a
    Connection are skipped with an alert, never retried in a burst.
    """
    from sinergi.orchestration.local_airflow import AirflowNotReady, LocalAirflow

    airflow = LocalAirflow()
    typer.echo(f"starting Airflow (logs: {airflow.log_dir})")
    try:
        airflow.start(wait_for_dags=["transform", "quality_publish"])
    except AirflowNotReady as error:
        typer.echo(f"Airflow did not start: {error}", err=True)
        airflow.stop()
        raise typer.Exit(1) from None
    for line in login_lines(airflow):
        typer.echo(line)
    typer.echo("stop it with `sinergi airflow down`")


@app.command()
def down() -> None:
    """Stop every Airflow process `sinergi airflow up` (or the demo) started."""
    from sinergi.orchestration.local_airflow import LocalAirflow

    stopped = LocalAirflow().stop()
    typer.echo(f"stopped: {', '.join(stopped)}" if stopped else "Airflow was not running")


@app.command()
def status() -> None:
    """Which Airflow processes run; exits 1 when any is down."""
    from sinergi.orchestration.airflow_home import api_url
    from sinergi.orchestration.local_airflow import LocalAirflow

    pids = LocalAirflow().pids()
    for component, pid in pids.items():
        typer.echo(f"{component:<14} {'running, pid ' + str(pid) if pid else 'stopped'}")
    if all(pids.values()):
        typer.echo(f"UI: {api_url()}")
    else:
        raise typer.Exit(1)


def login_lines(airflow: LocalAirflow) -> list[str]:
    """Where the running Airflow's UI is, how to log in, where its logs go."""
    from sinergi.orchestration.airflow_api import admin_password
    from sinergi.orchestration.airflow_home import ADMIN_USER, api_url

    return [
        f"Airflow UI: {api_url()}  (user {ADMIN_USER}, password {admin_password(airflow.home)})",
        f"Airflow logs: {airflow.log_dir}",
    ]
