"""How a warehouse URL is split and re-formed for each client."""

from __future__ import annotations

from sinergi.warehouse.connection import WarehouseTarget


def test_tcp_url_round_trips() -> None:
    target = WarehouseTarget.from_url("postgresql://loader:s3cr%40t@db.example:6543/sinergi")
    assert (target.host, target.port, target.user, target.password, target.dbname) == (
        "db.example",
        6543,
        "loader",
        "s3cr@t",
        "sinergi",
    )
    assert WarehouseTarget.from_url(target.url) == target
    assert target.sqlalchemy_url == "postgresql+psycopg://loader:s3cr%40t@db.example:6543/sinergi"


def test_socket_url_gets_a_dummy_host_for_sqlalchemy() -> None:
    target = WarehouseTarget.from_url("postgresql://postgres@/sinergi?host=/srv/pg%20data")
    assert target.uses_socket
    assert target.host == "/srv/pg data"
    assert WarehouseTarget.from_url(target.url) == target
    assert target.sqlalchemy_url.startswith("postgresql+psycopg://postgres@localhost/sinergi?host=")


def test_defaults_for_a_bare_url() -> None:
    target = WarehouseTarget.from_url("postgresql://127.0.0.1")
    assert (target.port, target.user, target.dbname) == (5432, "postgres", "postgres")
