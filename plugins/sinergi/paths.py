"""Where Sinergi keeps things on disk.

One place decides the project directory and the local state folder
(`.sinergi/`), so the CLI, Airflow tasks, dbt and the tests agree.
"""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def project_dir() -> Path:
    """The checkout holding `dags/`, `dbt_project/` and `plugins/`.

    `SINERGI_PROJECT_DIR` overrides it for installs outside a checkout
    (a container image copies the project to a fixed path).
    """
    override = os.environ.get("SINERGI_PROJECT_DIR")
    return Path(override).resolve() if override else _PACKAGE_DIR.parents[1]


def state_dir() -> Path:
    """Local, ignored state: embedded PostgreSQL data, Airflow home, landing zone."""
    override = os.environ.get("SINERGI_STATE_DIR")
    path = Path(override).resolve() if override else project_dir() / ".sinergi"
    path.mkdir(parents=True, exist_ok=True)
    return path


def reference_dir() -> Path:
    """The shared reference data (region codes), also used as dbt seeds."""
    override = os.environ.get("SINERGI_REFERENCE_DIR")
    return Path(override).resolve() if override else project_dir() / "dbt_project" / "seeds"
