"""`sinergi demo`: the command `make demo` runs (registered under `sinergi.commands`)."""

from __future__ import annotations

import logging
import os
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from sinergi.orchestration.local_airflow import LocalAirflow


def demo(
    scale: str = typer.Option(
        "province", "--scale", help="World size: province or a number of ASN."
    ),
) -> None:
    """Run the pipeline end to end under a running Airflow (what `make demo` runs).

    From a terminal the Airflow UI stays up until Ctrl-C; otherwise (CI,
    scripts) it stops after the summary. Exits 1 when the marts were not published.
    """
    from sinergi.orchestration.cli import login_lines
    from sinergi.paths import state_dir
    from sinergi_simulator.devtools.demo import run_demo, scale_asn

    try:
        asn = scale_asn(scale)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--scale") from None
    log_file = _log_to_file(state_dir() / "logs" / "demo.log")
    typer.echo(f"demo log: {log_file}")

    def hold(airflow: LocalAirflow) -> None:
        if not (sys.stdin.isatty() and sys.stdout.isatty()):
            return
        for line in login_lines(airflow):
            typer.echo(line)
        typer.echo("Airflow stays up until Ctrl-C.")
        try:
            while True:
                signal.pause()
        except KeyboardInterrupt:
            typer.echo("stopping Airflow")

    result = run_demo(asn=asn, echo=typer.echo, hold=hold)
    typer.echo("rows per published mart:")
    for table, rows in result.mart_rows.items():
        typer.echo(f"  marts.{table}: {rows}")
    for line in result.quality_lines:
        typer.echo(line)
    if result.seconds_to_publish is not None:
        typer.echo(f"first event to published marts: {result.seconds_to_publish:.0f} s")
    if not os.environ.get("SINERGI_WAREHOUSE_URL"):
        typer.echo("The embedded PostgreSQL is left running for queries: `make stop` stops it.")
    typer.echo(f"run report: {result.report_path or 'not written (see the Airflow task log)'}")
    typer.echo('to keep working on this warehouse: eval "$(sinergi dev env)"')
    if not result.published:
        typer.echo(f"marts NOT published ({result.publish_status or 'no publish ran'})", err=True)
        raise typer.Exit(1)


def _log_to_file(path: Path) -> Path:
    """Send this process's logging to a file, keeping the terminal for people."""
    path.parent.mkdir(parents=True, exist_ok=True)
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    handler = logging.FileHandler(path)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    return path
