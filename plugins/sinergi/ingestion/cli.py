"""`sinergi ingest` and `sinergi ingest-file`: ingestion outside Airflow.

Plain functions with typer annotations; `sinergi.cli` registers them as
commands (`app.command("ingest")(ingest)`, `app.command("ingest-file")(ingest_file)`).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import typer

log = logging.getLogger(__name__)


def ingest(
    source: str = typer.Argument(..., help="A source of sources.yml, e.g. siasn."),
    full_refresh: bool = typer.Option(
        False, "--full-refresh", help="Ignore the watermark and read the source from the start."
    ),
) -> None:
    """Load one API source into raw (one batch per entity), as its nightly DAG does."""
    from sinergi.ingestion.http import SourceError
    from sinergi.ingestion.raw_loader import LoadError
    from sinergi.ingestion.runner import ingest_source

    try:
        results = ingest_source(source, full_refresh=full_refresh)
    except (SourceError, LoadError, KeyError, ValueError) as error:
        typer.echo(f"ingest {source} failed: {error}", err=True)
        raise typer.Exit(1) from error
    for result in results:
        typer.echo(
            f"{result.source}.{result.entity}: batch {result.batch_id} loaded "
            f"{result.rows_loaded} of {result.rows_read} rows "
            f"({result.rows_skipped} already loaded), watermark {result.watermark_to}"
        )


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
