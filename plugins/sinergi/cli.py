"""The `sinergi` command line: one sub-command group per layer."""

from __future__ import annotations

import logging
import os
import signal
import sys
from pathlib import Path

import typer

app = typer.Typer(
    help="Sinergi: ASN competency-development data integration.",
    no_args_is_help=True,
    add_completion=False,
)


@app.callback()
def main(
    ctx: typer.Context,
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log at DEBUG."),
) -> None:
    from sinergi.ingestion.batch_trigger import batch_trigger, cli_trigger

    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # Batches this command loads (`ingest`, `ingest-file`) record a `cli` trigger at its start.
    ctx.with_resource(batch_trigger(cli_trigger()))


@app.command()
def demo(
    scale: str = typer.Option(
        "province", "--scale", help="World size: province or a number of ASN."
    ),
) -> None:
    """Run the pipeline end to end under a running Airflow (what `make demo` runs).

    From a terminal the Airflow UI stays up until Ctrl-C; otherwise (CI,
    scripts) it stops after the summary. Exits 1 when the marts were not published.
    """
    from sinergi.orchestration.demo import login_lines, run_demo, scale_asn
    from sinergi.orchestration.local_airflow import LocalAirflow
    from sinergi.paths import state_dir

    asn = scale_asn(scale)
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


@app.command()
def notify(
    source: str = typer.Argument(..., help="The API source with new data (sources.yml)."),
    entity: list[str] = typer.Option([], "--entity", "-e", help="Only these entities."),
    via: str = typer.Option("rest", "--via", help="rest (Airflow API) or redis (pub/sub)."),
) -> None:
    """Tell the running pipeline that SOURCE has new data: its ingest DAG pulls now.

    An event only means "pull now": the pull reads everything past the
    watermark, so a lost event delays data, never loses it.
    """
    from sinergi.orchestration.notify import NotifyError, notify_redis, notify_rest

    try:
        if via == "redis":
            received = notify_redis(source, entity or None)
            if not received:
                typer.echo(
                    "no watcher subscribed: the event is lost (the next pull still gets the data)",
                    err=True,
                )
                raise typer.Exit(1)
            typer.echo(f"event for {source} published to {received} subscriber(s)")
        elif via == "rest":
            typer.echo(f"asset event {notify_rest(source, entity or None)} created for {source}")
        else:
            raise NotifyError(f"--via must be rest or redis, not {via!r}")
    except (NotifyError, KeyError, ValueError) as error:
        typer.echo(f"notify {source}: {error}", err=True)
        raise typer.Exit(2) from None


def _mount_subcommands() -> None:
    """Attach each layer's command group."""
    from sinergi.ingestion.cli import ingest, ingest_file
    from sinergi.orchestration.backfill import backfill
    from sinergi.orchestration.cli import app as airflow_app
    from sinergi.quality.cli import app as quality_app
    from sinergi.report.cli import report
    from sinergi.simulator.cli import app as simulator_app
    from sinergi.transform.cli import app as transform_app
    from sinergi.warehouse.cli import app as warehouse_app

    app.add_typer(warehouse_app, name="warehouse")
    app.add_typer(simulator_app, name="simulate")
    app.command("ingest")(ingest)
    app.command("ingest-file")(ingest_file)
    app.command("backfill")(backfill)
    app.add_typer(transform_app, name="transform")
    app.add_typer(quality_app, name="quality")
    app.command("report")(report)
    app.add_typer(airflow_app, name="airflow")


_mount_subcommands()
