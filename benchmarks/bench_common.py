"""Bits the benchmarks share: the simulator's connection URIs, the machine's load, a
throwaway warehouse database."""

from __future__ import annotations

import os
import uuid
from collections.abc import Mapping
from urllib.parse import quote

import psycopg

from sinergi.warehouse.bootstrap import init_warehouse
from sinergi.warehouse.connection import WarehouseTarget
from sinergi_simulator.config import Credentials


def connection_env(credentials: Credentials, urls: Mapping[str, str]) -> dict[str, str]:
    """`AIRFLOW_CONN_SINERGI_<SOURCE>` for each simulated API source, as the ingest reads them."""

    def uri(source: str, login: str, password: str) -> str:
        host = urls[source].split("://", 1)[1]
        return f"http://{quote(login, safe='')}:{quote(password, safe='')}@{host}"

    return {
        "AIRFLOW_CONN_SINERGI_SIASN": uri(
            "siasn", credentials.siasn_client_id, credentials.siasn_client_secret
        ),
        "AIRFLOW_CONN_SINERGI_BPSDM_KEMENDAGRI": uri(
            "bpsdm_kemendagri", "", credentials.kemendagri_api_key
        ),
        "AIRFLOW_CONN_SINERGI_KEMNAKER_CORPU": uri("kemnaker_corpu", "", credentials.corpu_token),
        "AIRFLOW_CONN_SINERGI_SATUDATA": uri("satudata", "", credentials.satudata_api_key),
    }


def load() -> str:
    """The 1/5/15-minute load average: the machine is shared, so say how busy it was."""
    return "load=" + "/".join(f"{x:.2f}" for x in os.getloadavg())


def fresh_database(server: WarehouseTarget) -> WarehouseTarget:
    """A new, initialised warehouse database on `server`, named for the benchmark."""
    target = server.with_database(f"sinergi_bench_{uuid.uuid4().hex[:8]}")
    init_warehouse(target)
    return target


def drop_database(target: WarehouseTarget) -> None:
    with psycopg.connect(target.with_database("postgres").conninfo, autocommit=True) as conn:
        conn.execute(f'drop database if exists "{target.dbname}" with (force)')
