"""Point the pipeline at a running simulator: its connections, its file drops.

The demo and the end-to-end tests ingest from the simulator exactly as from
real endpoints: through the Airflow Connections named in `sources.yml`, given
as `AIRFLOW_CONN_<ID>` environment variables.
"""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path
from urllib.parse import quote

from sinergi.ingestion.connections import env_variable
from sinergi.ingestion.registry import load_registry
from sinergi_simulator.api import SimulatorHandle
from sinergi_simulator.entities import Sources
from sinergi_simulator.files import write_files


def simulator_connections(sim: SimulatorHandle) -> dict[str, str]:
    """`AIRFLOW_CONN_*` name -> URI, for every API source the simulator serves."""
    creds = sim.credentials
    secrets = {
        "siasn": (creds.siasn_client_id, creds.siasn_client_secret),
        "bpsdm_kemendagri": ("", creds.kemendagri_api_key),
        "kemnaker_corpu": ("", creds.corpu_token),
        "satudata": ("", creds.satudata_api_key),
    }
    registry = load_registry()
    connections = {}
    for name, (login, password) in secrets.items():
        conn_id = registry.source(name).connection
        if conn_id is None:
            raise ValueError(f"sources.yml: source {name!r} names no connection")
        host = sim.urls[name].split("://", 1)[1]
        connections[env_variable(conn_id)] = (
            f"http://{quote(login, safe='')}:{quote(password, safe='')}@{host}"
        )
    return connections


def drop_files(sources: Sources, landing: Path, until_ms: int | None = None) -> int:
    """Write the simulator's regional files as uploaders should: each under a hidden
    folder of the landing zone first, then renamed into place, so the landing
    watcher never claims a half-written file. Returns how many files were dropped."""
    incoming = landing / f".incoming-{uuid.uuid4().hex[:8]}"
    incoming.mkdir(parents=True)
    try:
        write_files(sources, incoming, **({"until_ms": until_ms} if until_ms else {}))
        dropped = 0
        for path in sorted(p for p in incoming.rglob("*") if p.is_file()):
            destination = landing / path.relative_to(incoming)
            destination.parent.mkdir(parents=True, exist_ok=True)
            path.rename(destination)
            dropped += 1
        return dropped
    finally:
        shutil.rmtree(incoming, ignore_errors=True)
