"""Source credentials as Airflow Connections, readable with or without Airflow.

Secrets live only in Connections (`AIRFLOW_CONN_<ID>`, or a secrets backend).
Inside an Airflow task we ask Airflow (`use_airflow=True`), so every secrets
backend works. Outside Airflow (`sinergi ingest`, tests) we parse the same
environment variable ourselves, in Airflow's JSON or URI form: importing
`airflow.sdk` costs ~5 s, too much for a command line.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit


class ConnectionNotFound(LookupError):
    """No connection with that id is configured."""


@dataclass(frozen=True)
class ConnectionInfo:
    """The fields of an Airflow Connection that ingestion uses."""

    conn_id: str
    conn_type: str = ""
    host: str = ""
    port: int | None = None
    schema: str = ""
    login: str = ""
    password: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def base_url(self) -> str | None:
        """The base URL, following Airflow's HttpHook: a host with `://` is taken as is,
        otherwise `schema` (default `http`) is the scheme."""
        if not self.host:
            return None
        if "://" in self.host:
            url = self.host.rstrip("/")
            return f"{url}:{self.port}" if self.port and url.count(":") == 1 else url
        scheme = self.schema or "http"
        port = f":{self.port}" if self.port else ""
        return f"{scheme}://{self.host}{port}"


# Which Connection field holds which secret, per `auth.type` of sources.yml
# (sinergi.ingestion.auth reads them): placeholders for an example connection.
SECRET_FIELDS: dict[str, dict[str, str]] = {
    "oauth2_client_credentials": {"login": "<client id>", "password": "<client secret>"},
    "api_key": {"password": "<API key>"},
    "bearer": {"password": "<bearer token>"},
    "ckan_api_key": {"password": "<CKAN API key, or leave it out for anonymous reads>"},
    "none": {},
}


def env_variable(conn_id: str) -> str:
    """The environment variable of a connection: Airflow's `AIRFLOW_CONN_<ID upper-cased>`."""
    return f"AIRFLOW_CONN_{conn_id.upper()}"


def example_export(conn_id: str, auth_type: str, host: str = "<base URL>") -> str:
    """A shell line defining the connection, its secrets in the fields `auth_type` reads."""
    fields = {"conn_type": "http", "host": host, **SECRET_FIELDS.get(auth_type, {})}
    return f"export {env_variable(conn_id)}='{json.dumps(fields)}'"


def get_connection(conn_id: str, *, use_airflow: bool = False) -> ConnectionInfo:
    """The connection `conn_id`, from the environment, or from Airflow when asked."""
    value = os.environ.get(env_variable(conn_id))
    if value:
        return parse_connection(conn_id, value)
    if use_airflow:
        return _from_airflow(conn_id)
    # Outside Airflow only the environment counts: a connection defined in
    # Airflow's database is not seen here.
    raise ConnectionNotFound(
        f"connection {conn_id!r} is not configured: set {env_variable(conn_id)} in this"
        " shell (Airflow's JSON or URI form; .env.example shows each source's)"
    )


def parse_connection(conn_id: str, value: str) -> ConnectionInfo:
    """Parse an `AIRFLOW_CONN_*` value, JSON (`{"conn_type": ...}`) or URI form."""
    text = value.strip()
    if text.startswith("{"):
        return _from_json(conn_id, text)
    return _from_uri(conn_id, text)


def _from_json(conn_id: str, text: str) -> ConnectionInfo:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"connection {conn_id!r}: invalid JSON: {error}") from error
    extra = data.get("extra") or {}
    if isinstance(extra, str):
        extra = json.loads(extra) if extra.strip() else {}
    port = data.get("port")
    return ConnectionInfo(
        conn_id=conn_id,
        conn_type=str(data.get("conn_type") or ""),
        host=str(data.get("host") or ""),
        port=int(port) if port not in (None, "") else None,
        schema=str(data.get("schema") or ""),
        login=str(data.get("login") or ""),
        password=str(data.get("password") or ""),
        extra=dict(extra),
    )


def _from_uri(conn_id: str, text: str) -> ConnectionInfo:
    """Airflow's URI form: `type://login:password@host:port/schema?extra=...`."""
    parts = urlsplit(text)
    if not parts.scheme:
        raise ValueError(f"connection {conn_id!r}: not a URI nor JSON")
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    if "__extra__" in query:
        extra: dict[str, Any] = json.loads(query["__extra__"])
    else:
        extra = dict(query)
    host = unquote(parts.hostname or "")
    # Airflow encodes a host with its own scheme as `http://https%3A%2F%2Fhost` .
    return ConnectionInfo(
        conn_id=conn_id,
        conn_type=parts.scheme.replace("-", "_"),
        host=host,
        port=parts.port,
        schema=unquote(parts.path.lstrip("/")),
        login=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        extra=extra,
    )


def _from_airflow(conn_id: str) -> ConnectionInfo:
    """Ask Airflow (inside a task: the API server and every secrets backend)."""
    from airflow.sdk import Connection

    try:
        conn = Connection.get(conn_id)
    except Exception as error:  # Airflow raises its own not-found type
        raise ConnectionNotFound(f"connection {conn_id!r}: {error}") from error
    return ConnectionInfo(
        conn_id=conn_id,
        conn_type=conn.conn_type or "",
        host=conn.host or "",
        port=conn.port,
        schema=conn.schema or "",
        login=conn.login or "",
        password=conn.password or "",
        extra=dict(conn.extra_dejson),
    )
