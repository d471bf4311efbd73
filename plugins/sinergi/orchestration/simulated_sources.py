"""Point the source registry's connections at a running simulator.

The demo and the end-to-end tests ingest from the simulator exactly as from
real endpoints: through the Airflow Connections named in `sources.yml`, given
as `AIRFLOW_CONN_<ID>` environment variables.
"""

from __future__ import annotations

from urllib.parse import quote

from sinergi.ingestion.connections import env_variable
from sinergi.ingestion.registry import load_registry
from sinergi.simulator.api import SimulatorHandle


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
