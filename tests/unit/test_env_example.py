"""`.env.example` names each connection as Airflow will look it up, secrets in the right fields.

Airflow finds Connection `<id>` in the variable `AIRFLOW_CONN_<ID upper-cased>`;
a variable named otherwise is silently ignored, and the source is skipped.
"""

from __future__ import annotations

import json
import re

import pytest

from sinergi.alerts import WEBHOOK_CONN_ID
from sinergi.events import REDIS_CONN_ID
from sinergi.ingestion.connections import SECRET_FIELDS, env_variable, parse_connection
from sinergi.ingestion.registry import load_registry
from sinergi.open_data.config import CONNECTION_ID as OPEN_DATA_CONN_ID
from sinergi.paths import project_dir

# `# AIRFLOW_CONN_X='...'` or `AIRFLOW_CONN_X=...`, commented out or not
ASSIGNMENT = re.compile(r"^#?\s*(AIRFLOW_CONN_[A-Z0-9_]+)=(.*)$")


def _examples() -> dict[str, str]:
    text = (project_dir() / ".env.example").read_text(encoding="utf-8")
    found = {}
    for line in text.splitlines():
        match = ASSIGNMENT.match(line.strip())
        if match:
            found[match.group(1)] = match.group(2).strip().strip("'")
    return found


def _registry_connections() -> dict[str, str]:
    """Variable -> auth type, for every source of sources.yml with a connection."""
    return {
        env_variable(source.connection): source.auth.type
        for source in load_registry().sources.values()
        if source.connection
    }


def test_every_variable_is_a_connection_sinergi_reads() -> None:
    known = {
        *_registry_connections(),
        env_variable(WEBHOOK_CONN_ID),
        env_variable(REDIS_CONN_ID),
        env_variable(OPEN_DATA_CONN_ID),
    }
    unknown = set(_examples()) - known
    assert not unknown, f".env.example names connections nobody reads: {sorted(unknown)}"


def test_every_source_connection_has_its_variable() -> None:
    missing = set(_registry_connections()) - set(_examples())
    assert not missing, f".env.example lacks the connections of sources.yml: {sorted(missing)}"


@pytest.mark.parametrize("variable", sorted(_registry_connections()))
def test_each_example_holds_its_secrets_where_the_auth_reads_them(variable: str) -> None:
    value = _examples()[variable]
    connection = parse_connection(variable, value)
    assert json.loads(value)["host"].startswith("https://"), "the base URL goes in `host`"
    fields = SECRET_FIELDS[_registry_connections()[variable]]
    for name in fields:
        assert getattr(connection, name), f"{variable}: `{name}` should hold {fields[name]}"
    for name in {"login", "password"} - set(fields):
        assert not getattr(connection, name), f"{variable}: `{name}` is not read for this auth"


def test_the_variable_is_the_id_upper_cased() -> None:
    assert env_variable("sinergi_siasn") == "AIRFLOW_CONN_SINERGI_SIASN"
