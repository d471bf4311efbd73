"""An embedded PostgreSQL for machines without a warehouse of their own.

`pgserver` ships the server binaries in its wheel. The server is started once
under `.sinergi/pgdata` and left running, so every later command (CLI, dbt,
Airflow tasks) attaches to it in ~0.1 s; `stop()` shuts it down cleanly.
"""

from __future__ import annotations

import logging
import os
import subprocess
import warnings
from pathlib import Path

from sinergi.paths import state_dir

log = logging.getLogger(__name__)

# pgserver logs every command it runs at INFO; keep our logs readable.
logging.getLogger("pgserver").setLevel(logging.WARNING)
# Without XDG_RUNTIME_DIR (containers, CI) platformdirs warns on every start; /tmp is fine.
warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")


def data_dir() -> Path:
    return state_dir() / "pgdata"


def start() -> str:
    """Start (or attach to) the embedded server and return its socket directory."""
    import pgserver

    server = pgserver.get_server(data_dir(), cleanup_mode=None)
    socket_dir = server.get_postmaster_info().socket_dir
    if socket_dir is None:
        raise RuntimeError(f"embedded PostgreSQL in {data_dir()} reports no socket directory")
    log.debug("embedded PostgreSQL running in %s (socket %s)", data_dir(), socket_dir)
    return str(socket_dir)


def is_running() -> bool:
    pid_file = data_dir() / "postmaster.pid"
    if not pid_file.exists():
        return False
    try:
        pid = int(pid_file.read_text().split("\n", 1)[0])
        os.kill(pid, 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True


def stop() -> bool:
    """Stop the embedded server if it runs; returns whether it was running.

    As root, pgserver runs PostgreSQL as the system user `pgserver`, and
    `pg_ctl` refuses to run as root, so it is called as that user.
    """
    if not is_running():
        return False
    from pgserver._commands import POSTGRES_BIN_PATH

    user = "pgserver" if os.geteuid() == 0 else None
    subprocess.run(
        [str(POSTGRES_BIN_PATH / "pg_ctl"), "-D", str(data_dir()), "-w", "-m", "fast", "stop"],
        check=True,
        user=user,
        capture_output=True,
        timeout=60,
    )
    log.info("embedded PostgreSQL in %s stopped", data_dir())
    return True
