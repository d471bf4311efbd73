"""Shared pieces of the ingestion integration tests (imported by the tests and conftest)."""

from __future__ import annotations

from urllib.parse import quote

from sinergi.ingestion.http import HttpSettings
from sinergi.simulator.api import SimulatorHandle

SEED = 11
ASN = 400

# Patient enough for the simulator's faults (3 in a row at most), fast enough for tests:
# the 3 s "slow" fault trips the 1 s read timeout and is retried.
FAST_HTTP = HttpSettings(read_timeout_s=1.0, backoff_base_s=0.02, backoff_max_s=0.1)


def connection_uris(sim: SimulatorHandle) -> dict[str, str]:
    """AIRFLOW_CONN_* values (URI form) pointing the registry's connections at the simulator."""
    creds = sim.credentials

    def uri(source: str, login: str, password: str) -> str:
        host = sim.urls[source].split("://", 1)[1]
        return f"http://{quote(login, safe='')}:{quote(password, safe='')}@{host}"

    return {
        "AIRFLOW_CONN_SINERGI_SIASN": uri(
            "siasn", creds.siasn_client_id, creds.siasn_client_secret
        ),
        "AIRFLOW_CONN_SINERGI_BPSDM_KEMENDAGRI": uri(
            "bpsdm_kemendagri", "", creds.kemendagri_api_key
        ),
        "AIRFLOW_CONN_SINERGI_KEMNAKER_CORPU": uri("kemnaker_corpu", "", creds.corpu_token),
        "AIRFLOW_CONN_SINERGI_SATUDATA": uri("satudata", "", creds.satudata_api_key),
    }
