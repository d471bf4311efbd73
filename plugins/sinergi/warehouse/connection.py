"""Which warehouse to use and how to connect to it.

`SINERGI_WAREHOUSE_URL` (a libpq URI) wins; without it Sinergi uses its own
embedded PostgreSQL, database `sinergi`. Every consumer (psycopg, dbt,
SQLAlchemy for Great Expectations, Airflow connections) gets its form of the
same target from here.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from urllib.parse import quote

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from sinergi.warehouse import embedded
from sinergi.warehouse.identifiers import identifier

log = logging.getLogger(__name__)

URL_VARIABLE = "SINERGI_WAREHOUSE_URL"
EMBEDDED_DATABASE = "sinergi"


@dataclass(frozen=True)
class WarehouseTarget:
    """A warehouse database, split into the parts each client wants."""

    host: str  # a hostname, or the directory of a Unix socket
    port: int
    user: str
    password: str
    dbname: str

    @classmethod
    def from_url(cls, url: str) -> WarehouseTarget:
        parts = conninfo_to_dict(url)
        return cls(
            host=str(parts.get("host") or "localhost"),
            port=int(parts.get("port") or 5432),
            user=str(parts.get("user") or "postgres"),
            password=str(parts.get("password") or ""),
            dbname=str(parts.get("dbname") or parts.get("user") or "postgres"),
        )

    @property
    def uses_socket(self) -> bool:
        return self.host.startswith("/")

    @property
    def conninfo(self) -> str:
        """libpq connection string, for psycopg and psql."""
        return make_conninfo(
            host=self.host,
            port=self.port,
            user=self.user,
            password=self.password or None,
            dbname=self.dbname,
        )

    @property
    def url(self) -> str:
        """libpq URI, the form `SINERGI_WAREHOUSE_URL` takes."""
        auth = quote(self.user, safe="")
        if self.password:
            auth += ":" + quote(self.password, safe="")
        if self.uses_socket:
            return f"postgresql://{auth}@/{self.dbname}?host={quote(self.host)}&port={self.port}"
        return f"postgresql://{auth}@{self.host}:{self.port}/{self.dbname}"

    @property
    def sqlalchemy_url(self) -> str:
        """SQLAlchemy URL; GX rejects a socket URL without a host, so a dummy one is given."""
        auth = quote(self.user, safe="")
        if self.password:
            auth += ":" + quote(self.password, safe="")
        if self.uses_socket:
            return (
                f"postgresql+psycopg://{auth}@localhost/{self.dbname}"
                f"?host={quote(self.host)}&port={self.port}"
            )
        return f"postgresql+psycopg://{auth}@{self.host}:{self.port}/{self.dbname}"

    def with_database(self, dbname: str) -> WarehouseTarget:
        return WarehouseTarget(self.host, self.port, self.user, self.password, dbname)


def resolve_target() -> WarehouseTarget:
    """The configured warehouse, starting the embedded one when none is configured."""
    url = os.environ.get(URL_VARIABLE)
    if url:
        return WarehouseTarget.from_url(url)
    socket_dir = embedded.start()
    return WarehouseTarget(
        host=socket_dir, port=5432, user="postgres", password="", dbname=EMBEDDED_DATABASE
    )


def planned_target() -> WarehouseTarget:
    """The target `resolve_target()` gives, without starting anything (for config files).

    The embedded server's socket is in its data directory.
    """
    url = os.environ.get(URL_VARIABLE)
    if url:
        return WarehouseTarget.from_url(url)
    return WarehouseTarget(
        host=str(embedded.data_dir()),
        port=5432,
        user="postgres",
        password="",
        dbname=EMBEDDED_DATABASE,
    )


def connect(target: WarehouseTarget | None = None, **kwargs: object) -> psycopg.Connection:
    target = target or resolve_target()
    return psycopg.connect(target.conninfo, application_name="sinergi", **kwargs)  # type: ignore[arg-type]


def ensure_database(
    target: WarehouseTarget, config_key: str = f"{URL_VARIABLE} (database name)"
) -> bool:
    """Create the target's database when it does not exist; returns whether it was created.

    The name is held to the identifier rule (sinergi.warehouse.identifiers);
    `config_key` is where it was configured, for the error.
    """
    name = identifier(target.dbname, config_key)
    maintenance = target.with_database("postgres")
    with psycopg.connect(maintenance.conninfo, autocommit=True) as conn:
        exists = conn.execute(
            "select 1 from pg_database where datname = %s", (target.dbname,)
        ).fetchone()
        if exists:
            return False
        try:
            conn.execute(sql.SQL("create database {}").format(name))
        except psycopg.errors.DuplicateDatabase:
            return False  # created concurrently by another process
    log.info("created database %s", target.dbname)
    return True
