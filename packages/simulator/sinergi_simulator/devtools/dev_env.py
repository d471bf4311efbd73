"""`sinergi dev env`: the shell settings to keep working on the demo's warehouse.

After `make demo` the warehouse holds a simulated world whose NIPs were
pseudonymised with the demo's own key, and the Airflow home holds the runs'
logs. To go on from there (`sinergi transform build`, `sinergi ingest`,
`airflow dags list-runs`, psql), a shell needs the same key, warehouse and
Airflow home; this prints them as lines to paste or to `eval`. Nothing is
started or written.
"""

from __future__ import annotations

import os
import shlex
import shutil
from pathlib import Path

import typer

app = typer.Typer(help="Working on the demo's warehouse from a shell.", no_args_is_help=True)


def psql_command(url: str) -> str:
    """psql on `url`: the embedded server's own psql when there is one, else the PATH's."""
    try:
        from pgserver._commands import POSTGRES_BIN_PATH

        bundled = Path(POSTGRES_BIN_PATH) / "psql"
    except ImportError:
        bundled = None
    program = str(bundled) if bundled and bundled.exists() else shutil.which("psql") or "psql"
    return f"{shlex.quote(program)} {shlex.quote(url)}"


def dev_env_lines() -> list[str]:
    """The settings as shell lines: `export` for what commands read, `#` for the rest."""
    from sinergi.orchestration.airflow_api import admin_password
    from sinergi.orchestration.airflow_home import ADMIN_USER, airflow_home, api_url
    from sinergi.paths import state_dir
    from sinergi.transform.dbt import HMAC_KEY_VARIABLE
    from sinergi.warehouse.connection import URL_VARIABLE, planned_target
    from sinergi_simulator.devtools.demo import DEMO_NIP_KEY

    target = planned_target()
    home = airflow_home()
    try:
        password = admin_password(home)
    except (OSError, ValueError, KeyError):
        password = "written when Airflow first starts (`sinergi demo`, `sinergi airflow up`)"
    lines = ['# Sinergi on the demo\'s warehouse: paste, or eval "$(sinergi dev env)"']
    if os.environ.get(URL_VARIABLE):
        lines.append(f"export {URL_VARIABLE}={shlex.quote(target.url)}")
    else:
        lines.append(
            f"# warehouse: {target.url} (the embedded PostgreSQL; sinergi starts it"
            " when needed, `make stop` stops it)"
        )
    lines += [
        "# the demo's NIP key, for simulated people only; real data takes your own"
        " (docs/security.md)",
        f"export {HMAC_KEY_VARIABLE}={shlex.quote(DEMO_NIP_KEY)}",
    ]
    if os.environ.get(HMAC_KEY_VARIABLE, DEMO_NIP_KEY) != DEMO_NIP_KEY:
        lines.append(
            f"# {HMAC_KEY_VARIABLE} is set to another key in this shell: if it was set when"
            " the demo ran, the demo used that key, not its own"
        )
    lines += [
        f"export AIRFLOW_HOME={shlex.quote(str(home))}",
        f"# psql: {psql_command(target.url)}",
        f"# Airflow UI: {api_url()} (user {ADMIN_USER}, password {password})",
        f"# logs: {state_dir() / 'logs'} (the demo's), {home / 'logs'} (Airflow's, per task)",
        "# the sources: `sinergi simulate serve` serves the demo's world and prints"
        " their AIRFLOW_CONN_SINERGI_* lines",
    ]
    return lines


@app.command()
def env() -> None:
    """Print the warehouse, NIP key, Airflow home, psql command and UI of the demo.

    `eval "$(sinergi dev env)"` sets them in this shell; then `sinergi transform
    build`, `sinergi quality report` and Airflow's own commands work on the
    demo's warehouse as the demo left it.
    """
    for line in dev_env_lines():
        typer.echo(line)
