"""`sinergi warehouse …`: set up and locate the warehouse."""

from __future__ import annotations

import typer

from sinergi.warehouse import embedded
from sinergi.warehouse.bootstrap import init_warehouse
from sinergi.warehouse.connection import resolve_target

app = typer.Typer(help="Set up and locate the PostgreSQL warehouse.", no_args_is_help=True)


@app.command()
def init() -> None:
    """Create the warehouse database, schemas, roles and metadata tables (idempotent).

    Uses SINERGI_WAREHOUSE_URL when set, else the embedded PostgreSQL under .sinergi/.
    """
    target = resolve_target()
    init_warehouse(target)
    typer.echo(f"warehouse ready: database {target.dbname} on {target.host}:{target.port}")


@app.command()
def url(
    sqlalchemy: bool = typer.Option(False, "--sqlalchemy", help="Print a SQLAlchemy URL."),
) -> None:
    """Print the warehouse URL (starts the embedded PostgreSQL if that is the warehouse)."""
    target = resolve_target()
    typer.echo(target.sqlalchemy_url if sqlalchemy else target.url)


@app.command()
def stop() -> None:
    """Stop the embedded PostgreSQL, if it is running (a configured warehouse is left alone)."""
    stopped = embedded.stop()
    typer.echo("embedded PostgreSQL stopped" if stopped else "embedded PostgreSQL was not running")
