"""`sinergi open-data export|publish`: open data out, what the `open_data` DAG runs."""

from __future__ import annotations

from pathlib import Path

import typer

app = typer.Typer(
    help="Open data: the published aggregate marts as CSV + metadata, pushed to a CKAN portal.",
    no_args_is_help=True,
)


def _fail(command: str, message: str, status: int) -> typer.Exit:
    typer.echo(f"sinergi open-data {command}: {' '.join(message.split())}", err=True)
    return typer.Exit(status)


@app.command()
def export(
    out: Path | None = typer.Option(
        None, "--out", help="Folder of the export (default: .sinergi/open-data)."
    ),
    manifest: Path | None = typer.Option(
        None, "--manifest", help="dbt's manifest (default: the one expectations/quality.yml names)."
    ),
) -> None:
    """Write the published aggregate marts as CSV with metadata.json (Satu Data) and
    catalog.jsonld (DCAT).

    Counts below SINERGI_OPEN_DATA_MIN_COUNT (default 5) are suppressed, with their
    complements. Unchanged files are not rewritten. See docs/open-data.md.
    """
    from sinergi.open_data import config
    from sinergi.open_data.export import export_open_data
    from sinergi.open_data.marts import ManifestMissing
    from sinergi.warehouse.connection import resolve_target

    folder = out or Path(config.default_out_dir())
    try:
        result = export_open_data(resolve_target(), folder, manifest_path=manifest)
    except (ManifestMissing, config.OpenDataConfigError) as error:
        raise _fail("export", str(error), 2) from None
    for table, rows in result.rows.items():
        typer.echo(f"  {table}: {rows} rows, {result.suppressed.get(table, 0)} cells suppressed")
    typer.echo(
        f"{folder}: {len(result.written)} file(s) written, {len(result.unchanged)} unchanged,"
        f" {len(result.removed)} removed"
    )


@app.command()
def publish(
    export_dir: Path | None = typer.Option(
        None, "--from", help="Folder of the export (default: .sinergi/open-data)."
    ),
    conn_id: str | None = typer.Option(
        None, "--conn-id", help="Airflow Connection id (default: sinergi_open_data_portal)."
    ),
) -> None:
    """Push the export to a CKAN portal: datasets and rows created or updated, never duplicated.

    The portal is the Airflow Connection's host, its API key the password
    (AIRFLOW_CONN_SINERGI_OPEN_DATA_PORTAL in this shell). See docs/open-data.md.
    """
    from sinergi.ingestion.connections import ConnectionNotFound, get_connection
    from sinergi.open_data import config
    from sinergi.open_data.ckan import CkanError
    from sinergi.open_data.portal import ExportNotFound, client_for, publish_export

    folder = export_dir or Path(config.default_out_dir())
    try:
        connection = get_connection(conn_id or config.CONNECTION_ID)
        result = publish_export(
            client_for(connection), folder, owner_org=connection.extra.get("owner_org")
        )
    except (ConnectionNotFound, ExportNotFound, ValueError) as error:
        raise _fail("publish", str(error), 2) from None
    except CkanError as error:
        raise _fail("publish", str(error), 1) from None
    typer.echo(
        f"{len(result.created)} dataset(s) created, {len(result.updated)} updated,"
        f" {len(result.unchanged)} unchanged; {sum(result.rows.values())} rows on the portal"
    )
