"""`sinergi ingest` and `sinergi ingest-file`: ingestion outside Airflow.

Plain functions with typer annotations; `sinergi.cli` registers them as
commands (`app.command("ingest")(ingest)`, `app.command("ingest-file")(ingest_file)`).
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from pathlib import Path

import typer

log = logging.getLogger(__name__)


def ingest(
    source: str = typer.Argument(..., help="A source of sources.yml, e.g. siasn."),
    full_refresh: bool = typer.Option(
        False, "--full-refresh", help="Ignore the watermark and read the source from the start."
    ),
    first: datetime | None = typer.Option(
        None,
        "--from",
        formats=["%Y-%m-%d"],
        help="Re-read only the days of data FROM..TO (Asia/Jakarta), as a backfill does.",
    ),
    last: datetime | None = typer.Option(
        None, "--to", formats=["%Y-%m-%d"], help="Last day of data, inclusive (with --from)."
    ),
) -> None:
    """Load one API source into raw (one batch per entity), as its nightly DAG does.

    With --from/--to, a backfill outside Airflow: day D is the source time from
    D 01:00 to D+1 01:00 WIB (what the nightly run of D+1 reads), so this loads the
    same rows as `sinergi backfill SOURCE --from --to`; the watermark stays put.
    """
    from sinergi.ingestion.data_days import days_window
    from sinergi.ingestion.http import SourceError
    from sinergi.ingestion.raw_loader import LoadError
    from sinergi.ingestion.runner import Window, ingest_source

    if (first is None) != (last is None):
        typer.echo("sinergi ingest: --from and --to go together", err=True)
        raise typer.Exit(2)
    require_connection(source)
    try:
        window = Window.of(days_window(first.date(), last.date())) if first and last else None
        results = ingest_source(source, full_refresh=full_refresh, window=window)
    except (SourceError, LoadError, KeyError, ValueError) as error:
        message = error.args[0] if isinstance(error, KeyError) and error.args else error
        typer.echo(f"sinergi ingest: {source} failed: {message}", err=True)
        raise typer.Exit(1) from None
    for result in results:
        line = (
            f"{result.source}.{result.entity}: batch {result.batch_id} loaded "
            f"{result.rows_loaded} of {result.rows_read} rows "
            f"({result.rows_skipped} already loaded), watermark {result.watermark_to}"
        )
        if result.window_start:
            line += f" (unchanged; window {result.window_start} .. {result.window_end})"
        typer.echo(line)


def require_connection(source_name: str) -> None:
    """Fail before the warehouse is touched when the source's connection is not set.

    `sinergi ingest` reads connections from this shell's environment only, never
    from Airflow's database: the error says which variable to export, and how.
    """
    from sinergi.ingestion.connections import (
        ConnectionNotFound,
        example_export,
        get_connection,
    )
    from sinergi.ingestion.registry import load_registry

    registry = load_registry()
    if source_name not in registry.sources:
        return  # ingest_source names the known sources
    source = registry.source(source_name)
    if source.connection is None or source.kind == "file_drop":
        return
    try:
        get_connection(source.connection)
    except ConnectionNotFound:
        raise ConnectionNotFound(
            f"connection {source.connection!r} is not set:"
            f" {example_export(source.connection, source.auth.type)}"
            " (or the URI form; .env.example has every source's). `sinergi ingest` reads"
            " this shell's environment, not Airflow's connections"
        ) from None


def ingest_file(
    path: Path = typer.Argument(..., help="A regional upload (.csv or .xlsx)."),
    region: str = typer.Option(..., "--region", help="Kemendagri region code, e.g. 35 or 35.15."),
) -> None:
    """Load one bpsdm_daerah upload by the file-drop contract; prints a JSON summary.

    Exit status 0 when loaded (or already loaded before), 1 when the file was rejected.
    """
    from sinergi.ingestion.file_drop import ingest_file as load_file

    try:
        summary = load_file(path, region)
    except ValueError as error:
        typer.echo(f"ingest-file {path} failed: {error}", err=True)
        raise typer.Exit(2) from error
    typer.echo(json.dumps(summary.as_dict(), ensure_ascii=False))
    if summary.status == "rejected":
        raise typer.Exit(1)
