"""`sinergi transform …`: build the dbt project against the configured warehouse."""

from __future__ import annotations

import os

import typer

from sinergi.transform.dbt import build as dbt_build
from sinergi.transform.dbt import (
    build_manifest,
    dbt_env,
    dbt_project_dir,
    hmac_key,
    run_dbt,
)
from sinergi.warehouse.connection import resolve_target

app = typer.Typer(help="Build the dbt marts (staging, intermediate, marts).", no_args_is_help=True)


@app.command()
def build(
    full_refresh: bool = typer.Option(False, "--full-refresh", help="Rebuild incremental models."),
    select: str | None = typer.Option(None, "--select", "-s", help="dbt node selection."),
    threads: int = typer.Option(2, "--threads", help="dbt threads."),
) -> None:
    """Run `dbt build` (seeds, models, snapshots, data tests) on the warehouse.

    dbt's unit tests check the code, not the data: `make test` runs them
    (tests/integration/transform), this build leaves them out.

    Needs SINERGI_NIP_HMAC_KEY (the key of the NIP pseudonyms); on the demo's
    warehouse the demo's key, which `sinergi dev env` prints.
    """
    hmac_key()  # MissingHmacKey, one line (sinergi.cli), before the warehouse or dbt start
    target = resolve_target()
    dbt_build(target, full_refresh=full_refresh, select=select, threads=threads)
    typer.echo(f"dbt build succeeded on database {target.dbname}")


@app.command()
def manifest() -> None:
    """Write dbt_project/target/manifest.json (`dbt parse`): the marts the DAGs know of."""
    typer.echo(str(build_manifest()))


@app.command()
def docs() -> None:
    """Generate the dbt docs site (dbt_project/target/index.html) from the warehouse."""
    run_dbt(["docs", "generate"], resolve_target())
    typer.echo("dbt docs generated in dbt_project/target")


@app.command()
def lint(
    fix: bool = typer.Option(False, "--fix", help="Apply sqlfluff's fixes."),
) -> None:
    """sqlfluff (dbt templater, postgres) on dbt_project/models.

    The dbt templater compiles the project, which needs the warehouse: it is
    resolved (the embedded PostgreSQL started) and handed to dbt's profile.
    """
    import subprocess
    import sys
    from pathlib import Path

    env = {**os.environ, **dbt_env(resolve_target())}
    sqlfluff = Path(sys.executable).with_name("sqlfluff")
    command = [str(sqlfluff), "fix" if fix else "lint", "models", "--processes", "2"]
    done = subprocess.run(command, cwd=dbt_project_dir(), env=env, check=False)
    raise typer.Exit(done.returncode)


@app.command()
def freshness() -> None:
    """Check source freshness: each source yml's limits, which the stale check uses too."""
    run_dbt(["source", "freshness"], resolve_target())
