"""The hostname Airflow records for a task, telling local Celery workers apart.

Airflow takes a task instance's hostname from `socket.getfqdn()`, the same
for every worker on one machine; `AIRFLOW__CORE__HOSTNAME_CALLABLE` points
here so each worker started by `LocalAirflow` reports its own name.
"""

from __future__ import annotations

import os
import socket


def hostname() -> str:
    name = os.environ.get("SINERGI_WORKER_NAME")
    return f"{socket.getfqdn()}-{name}" if name else socket.getfqdn()
