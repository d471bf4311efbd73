"""The local Airflow home under `.sinergi/airflow`, for the demo and the tests.

Airflow reads its settings from `$AIRFLOW_HOME/airflow.cfg`; writing that file
from here (rather than asking people to edit one) keeps the DAG and plugin
folders pointing at this checkout and the example DAGs off. Deployments set
the same options as `AIRFLOW__*` variables (see docker-compose.yml).
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

from sinergi.paths import project_dir, state_dir

log = logging.getLogger(__name__)


def airflow_home() -> Path:
    return Path(os.environ.get("AIRFLOW_HOME") or state_dir() / "airflow")


def _config_text(home: Path) -> str:
    root = project_dir()
    return f"""\
# Written by `sinergi airflow init` for this checkout; regenerated on each init.
[core]
dags_folder = {root / "dags"}
plugins_folder = {root / "plugins"}
load_examples = False
dags_are_paused_at_creation = False
parallelism = 4
max_active_tasks_per_dag = 4
default_timezone = utc
dagbag_import_timeout = 60

[database]
sql_alchemy_conn = sqlite:///{home / "airflow.db"}

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
    os.environ["AIRFLOW_HOME"] = str(home)
    os.environ.setdefault("AIRFLOW__COSMOS__ENABLE_TELEMETRY", "False")
    return home


def migrate_metadata_db() -> None:
    """Create or upgrade Airflow's metadata database (idempotent)."""
    home = configure_environment()
    log.info("migrating the Airflow metadata database in %s", home)
    subprocess.run(
        [str(Path(sys.executable).with_name("airflow")), "db", "migrate"],
        check=True,
        env=os.environ.copy(),
        stdout=subprocess.DEVNULL,
    )
