"""The local Airflow home under `.sinergi/airflow`, for the demo, operators and the tests.

Airflow reads its settings from `$AIRFLOW_HOME/airflow.cfg`; writing that file
from here (rather than asking people to edit one) keeps the DAG and plugin
folders pointing at this checkout and the example DAGs off. Deployments set
the same options as `AIRFLOW__*` variables (see docker-compose.yml).

Airflow's metadata lives in PostgreSQL, in a database of its own (`airflow`)
on the warehouse's server (the embedded one by default), because a running
scheduler with parallel tasks needs more than SQLite. Every component shares
the secrets written once into the home: the JWT secret (`.jwt_secret`), or
tasks fail with `InvalidSignatureError`, and the API secret key
(`.api_secret_key`), or task log servers refuse the API server with 403.
"""

from __future__ import annotations

import logging
import os
import secrets
import subprocess
import sys
from pathlib import Path

from sinergi.paths import project_dir, state_dir
from sinergi.warehouse.connection import ensure_database, planned_target, resolve_target

log = logging.getLogger(__name__)

METADATA_DATABASE = "airflow"
METADATA_DB_VARIABLE = "SINERGI_AIRFLOW_DATABASE"
PORT_VARIABLE = "SINERGI_AIRFLOW_PORT"
DEFAULT_PORT = 28080
ADMIN_USER = "admin"


def airflow_home() -> Path:
    return Path(os.environ.get("AIRFLOW_HOME") or state_dir() / "airflow")


def api_port() -> int:
    return int(os.environ.get(PORT_VARIABLE) or DEFAULT_PORT)


def api_url() -> str:
    return f"http://127.0.0.1:{api_port()}"


def metadata_database() -> str:
    return os.environ.get(METADATA_DB_VARIABLE) or METADATA_DATABASE


def metadata_url() -> str:
    """SQLAlchemy URL of Airflow's metadata database, on the warehouse's server."""
    return planned_target().with_database(metadata_database()).sqlalchemy_url


def _secret(home: Path, name: str) -> str:
    """A random secret written once into the home, so every component reads the same."""
    path = home / name
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _config_text(home: Path) -> str:
    root = project_dir()
    port = api_port()
    return f"""\
# Written by `sinergi airflow init` for this checkout; regenerated on each init.
[core]
dags_folder = {root / "dags"}
plugins_folder = {root / "plugins"}
load_examples = False
dags_are_paused_at_creation = False
executor = LocalExecutor
parallelism = 4
max_active_tasks_per_dag = 4
default_timezone = utc
dagbag_import_timeout = 60
execution_api_server_url = http://127.0.0.1:{port}/execution/
simple_auth_manager_users = {ADMIN_USER}:admin

[database]
sql_alchemy_conn = {metadata_url()}

[api]
host = 127.0.0.1
port = {port}
base_url = http://127.0.0.1:{port}

# signs the API server's requests to the task log servers
secret_key = {_secret(home, ".api_secret_key")}

[api_auth]
jwt_secret = {_secret(home, ".jwt_secret")}

[scheduler]
# how often the scheduler loops: asset-triggered runs start within a heartbeat
scheduler_heartbeat_sec = 2

[workers]
# a task's calls to the API server: on a busy 2-core machine (the test suites'
# Airflows beside dbt and PostgreSQL) the default 5 s was seen to time out
execution_api_timeout = 60

[dag_processor]
# new DAG files are found within this many seconds
refresh_interval = 30
# an edited DAG file is parsed again at once (file_parsing_sort_mode =
# modified_time); an unchanged one every 5 min instead of every 30 s: each
# parse re-imports Sinergi in a fresh process, 12 % of a core for an idle
# local Airflow, measured. A new source in sources.yml shows within 5 min,
# or at once after `touch dags/ingest_sources.py`.
min_file_process_interval = 300

[logging]
base_log_folder = {home / "logs"}

[cosmos]
enable_telemetry = False
cache_dir = {home / "cosmos_cache"}
"""


def configure_environment() -> Path:
    """Point this process (and its children) at the local Airflow home.

    Must run before `airflow` is imported: Airflow reads its configuration once,
    at import.
    """
    home = airflow_home()
    home.mkdir(parents=True, exist_ok=True)
    config = home / "airflow.cfg"
    text = _config_text(home)
    if not config.exists() or config.read_text() != text:
        config.write_text(text)
        config.chmod(0o600)  # holds the JWT secret
    os.environ["AIRFLOW_HOME"] = str(home)
    os.environ.setdefault("AIRFLOW__COSMOS__ENABLE_TELEMETRY", "False")
    return home


def migrate_metadata_db() -> None:
    """Create or upgrade Airflow's metadata database (idempotent)."""
    home = configure_environment()
    ensure_database(resolve_target().with_database(metadata_database()))
    log.info("migrating the Airflow metadata database in %s", home)
    subprocess.run(
        [str(Path(sys.executable).with_name("airflow")), "db", "migrate"],
        check=True,
        env=os.environ.copy(),
        stdout=subprocess.DEVNULL,
    )
