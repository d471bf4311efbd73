"""Connections read outside Airflow agree with Airflow's own parser."""

from __future__ import annotations

import pytest

from sinergi.ingestion.connections import ConnectionNotFound, get_connection, parse_connection


def test_uri_form() -> None:
    conn = parse_connection("x", "http://us%40er:p%2Fw@127.0.0.1:8080/?api_key=k1")
    assert (conn.login, conn.password, conn.host, conn.port) == ("us@er", "p/w", "127.0.0.1", 8080)
    assert conn.extra == {"api_key": "k1"}
    assert conn.base_url == "http://127.0.0.1:8080"


def test_json_form_with_a_host_holding_its_scheme() -> None:
    conn = parse_connection(
        "x", '{"conn_type": "http", "host": "https://siasn.example.go.id", "password": "s"}'
    )
    assert conn.base_url == "https://siasn.example.go.id"
    assert conn.password == "s"


def test_https_schema_like_airflows_http_hook() -> None:
    conn = parse_connection("x", '{"conn_type": "http", "host": "h.go.id", "schema": "https"}')
    assert conn.base_url == "https://h.go.id"


def test_missing_connection_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AIRFLOW_CONN_NOPE_NOPE", raising=False)
    with pytest.raises(ConnectionNotFound, match="AIRFLOW_CONN_NOPE_NOPE"):
        get_connection("nope_nope")


@pytest.mark.parametrize(
    "uri",
    [
        "http://us%40er:p%2Fw@127.0.0.1:8080/?x=1",
        "https://login:secret@api.example.go.id:443/v1",
        "http://:tok@10.0.0.1:9000",
    ],
)
def test_same_fields_as_airflow(uri: str) -> None:
    from airflow.sdk import Connection

    ours = parse_connection("x", uri)
    theirs = Connection.from_uri(uri, conn_id="x")
    assert ours.host == (theirs.host or "")
    assert ours.port == theirs.port
    assert ours.login == (theirs.login or "")
    assert ours.password == (theirs.password or "")
    assert ours.schema == (theirs.schema or "")
    assert ours.extra == theirs.extra_dejson
