"""Setting environment variables for one block of work only."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager


@contextmanager
def temporary_environment(values: Mapping[str, str]) -> Iterator[None]:
    """Set `values` in os.environ for the block, then restore what was there before.

    For libraries that read their settings from the environment only (dbtRunner's
    `env_var()`, Airflow's `AIRFLOW_CONN_*` connections).
    """
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
