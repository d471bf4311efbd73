"""The three roles on a real warehouse: bootstrapped, loaded, built, checked and published.

Each probe runs under `set local role` in a transaction that is rolled back,
so a write that is allowed leaves nothing behind. A statement is denied when
PostgreSQL refuses it for privileges (42501); any other error means the
privilege check passed and something later (a constraint) stopped it.

What the roles are for (plugins/sinergi/warehouse/sql/003_grants.sql):
- sinergi_analyst reads the published `marts` and the two change-record
  tables of `meta`, nothing else, and writes nothing;
- sinergi_loader writes raw, quarantine and meta, and nothing dbt builds;
- sinergi_transformer reads raw and builds everything after it.
Which tables hold NIPs is found from their content, not assumed.
"""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from psycopg import sql
from secured_world import SecuredWorld

from sinergi.warehouse.bootstrap import ROLES, SCHEMAS

pytestmark = pytest.mark.integration

ANALYST, LOADER, TRANSFORMER = "sinergi_analyst", "sinergi_loader", "sinergi_transformer"
# meta tables analysts may query beside the marts: the record of what each
# publish changed (sql/005_publish_changes.sql); they hold no NIP
ANALYST_META_TABLES = {"mart_changes", "headline_movements"}
# schemas dbt builds (audit holds the marts before they are checked)
DBT_SCHEMAS = ("staging", "intermediate", "audit", "snapshots")
NIP_PATTERN = "(^|[^0-9a-fA-F])[0-9]{18}([^0-9a-fA-F]|$)"

Tables = dict[str, dict[str, str]]  # schema -> table -> its first column


@pytest.fixture(scope="module")
def conn(secured_world: SecuredWorld) -> Iterator[psycopg.Connection]:
    with psycopg.connect(secured_world.target.conninfo, autocommit=True) as connection:
        yield connection


@pytest.fixture(scope="module")
def tables(conn: psycopg.Connection) -> Tables:
    found: Tables = {schema: {} for schema in SCHEMAS}
    for schema, table, column in conn.execute(
        "select table_schema, table_name, column_name from information_schema.columns"
        " join information_schema.tables using (table_schema, table_name)"
        " where table_type = 'BASE TABLE' and table_schema = any(%s) and ordinal_position = 1"
        " order by 1, 2",
        (list(SCHEMAS),),
    ):
        found[schema][table] = column
    return found


@pytest.fixture(scope="module")
def nip_tables(conn: psycopg.Connection, tables: Tables) -> set[str]:
    """`schema.table` of every table whose rows hold an 18-digit number (a NIP, valid or
    not) standing alone: not inside a hex pseudonym."""
    holding = set()
    for schema, names in tables.items():
        for table in names:
            row = conn.execute(
                sql.SQL("select exists (select from {} as t where t::text ~ %s)").format(
                    sql.Identifier(schema, table)
                ),
                (NIP_PATTERN,),
            ).fetchone()
            if row and row[0]:
                holding.add(f"{schema}.{table}")
    return holding


def allowed(conn: psycopg.Connection, role: str, statement: sql.Composable) -> bool:
    """Whether `role` passes PostgreSQL's privilege checks for `statement` (rolled back)."""
    with conn.transaction(force_rollback=True):
        conn.execute(sql.SQL("set local role {}").format(sql.Identifier(role)))
        try:
            with conn.transaction():
                conn.execute(statement)
        except psycopg.errors.InsufficientPrivilege:
            return False
        except psycopg.Error:
            return True
    return True


def _select(schema: str, table: str) -> sql.Composable:
    return sql.SQL("select from {} limit 1").format(sql.Identifier(schema, table))


def _writes(tables: Tables, schema: str, table: str) -> dict[str, sql.Composable]:
    relation = sql.Identifier(schema, table)
    column = sql.Identifier(tables[schema][table])
    return {
        "insert": sql.SQL("insert into {} default values").format(relation),
        "update": sql.SQL("update {} set {} = {} where false").format(relation, column, column),
        "delete": sql.SQL("delete from {} where false").format(relation),
        "truncate": sql.SQL("truncate {}").format(relation),
    }


def _create(schema: str) -> sql.Composable:
    return sql.SQL("create table {} (probe int)").format(
        sql.Identifier(schema, "sinergi_role_probe")
    )


def readable(conn: psycopg.Connection, role: str, tables: Tables) -> set[str]:
    return {
        f"{schema}.{table}"
        for schema, names in tables.items()
        for table in names
        if allowed(conn, role, _select(schema, table))
    }


def test_the_world_has_tables_in_every_layer(tables: Tables, nip_tables: set[str]) -> None:
    """Not vacuous: every schema holds tables, and NIPs are where raw data is."""
    assert all(tables[schema] for schema in SCHEMAS), tables
    assert {"raw.siasn__asn", "intermediate.int_asns_resolved"} <= nip_tables
    assert all(ROLES)


def test_analyst_reads_the_published_marts_and_nothing_else(
    conn: psycopg.Connection, tables: Tables, nip_tables: set[str]
) -> None:
    expected = {f"marts.{t}" for t in tables["marts"]} | {
        f"meta.{t}" for t in tables["meta"] if t in ANALYST_META_TABLES
    }
    assert tables["marts"]
    assert readable(conn, ANALYST, tables) == expected
    assert expected.isdisjoint(nip_tables), "a table analysts read holds NIPs"


def test_analyst_writes_nothing(conn: psycopg.Connection, tables: Tables) -> None:
    for table in tables["marts"]:
        for what, statement in _writes(tables, "marts", table).items():
            assert not allowed(conn, ANALYST, statement), f"analyst can {what} marts.{table}"
    for schema in (*SCHEMAS, "public"):
        assert not allowed(conn, ANALYST, _create(schema)), f"analyst can create in {schema}"


def test_no_mart_holds_a_nip(nip_tables: set[str]) -> None:
    assert {t for t in nip_tables if t.split(".")[0] in ("marts", "audit")} == set()


def test_loader_cannot_write_marts_or_anything_dbt_builds(
    conn: psycopg.Connection, tables: Tables
) -> None:
    for schema in ("marts", *DBT_SCHEMAS):
        assert not allowed(conn, LOADER, _create(schema)), f"loader can create in {schema}"
        for table in tables[schema]:
            for what, statement in _writes(tables, schema, table).items():
                assert not allowed(conn, LOADER, statement), f"loader can {what} {schema}.{table}"


def test_loader_reads_no_nip_beyond_what_it_loads(
    conn: psycopg.Connection, tables: Tables, nip_tables: set[str]
) -> None:
    """The loader compares incoming records with raw (unchanged ones are skipped)
    and writes quarantine: it reads those, none of the layers dbt derives."""
    nips_read = readable(conn, LOADER, tables) & nip_tables
    assert {t.split(".")[0] for t in nips_read} <= {"raw", "quarantine"}, nips_read


def test_loader_loads(conn: psycopg.Connection, tables: Tables) -> None:
    """The positive side: what ingestion does, the loader may do."""
    assert allowed(conn, LOADER, _create("raw"))
    for table in tables["raw"]:
        assert allowed(conn, LOADER, _writes(tables, "raw", table)["insert"]), table
    for schema, table in (("meta", "load_batches"), ("quarantine", "records")):
        assert allowed(conn, LOADER, _writes(tables, schema, table)["insert"]), table


def test_only_the_transformer_reads_raw_nips_among_the_readers_of_data(
    conn: psycopg.Connection, tables: Tables, nip_tables: set[str]
) -> None:
    raw = {f"raw.{t}" for t in tables["raw"]}
    assert raw <= readable(conn, TRANSFORMER, tables)
    assert readable(conn, ANALYST, tables) & nip_tables == set()
    for table in tables["raw"]:  # raw is append-only, the loader's
        assert not allowed(conn, TRANSFORMER, _writes(tables, "raw", table)["insert"]), table


def test_transformer_builds_and_publishes(conn: psycopg.Connection) -> None:
    for schema in (*DBT_SCHEMAS, "marts"):
        assert allowed(conn, TRANSFORMER, _create(schema)), schema


def test_tables_a_role_creates_get_the_same_grants(conn: psycopg.Connection) -> None:
    """A deployment's loader creates a new source's raw table itself; the
    transformer publishes into marts itself: the readers downstream still read."""
    with conn.transaction(force_rollback=True):
        conn.execute(sql.SQL("set local role {}").format(sql.Identifier(LOADER)))
        conn.execute(_create("raw"))
        conn.execute(sql.SQL("set local role {}").format(sql.Identifier(TRANSFORMER)))
        conn.execute(_create("marts"))
        conn.execute(_create("audit"))
        conn.execute("reset role")
        assert allowed_here(conn, TRANSFORMER, _select("raw", "sinergi_role_probe"))
        assert allowed_here(conn, ANALYST, _select("marts", "sinergi_role_probe"))
        assert not allowed_here(conn, ANALYST, _select("audit", "sinergi_role_probe"))
        assert not allowed_here(conn, ANALYST, _select("raw", "sinergi_role_probe"))


def allowed_here(conn: psycopg.Connection, role: str, statement: sql.Composable) -> bool:
    """allowed() inside an open transaction: a savepoint, the role reset after."""
    try:
        with conn.transaction():
            conn.execute(sql.SQL("set local role {}").format(sql.Identifier(role)))
            conn.execute(statement)
            conn.execute("reset role")
    except psycopg.errors.InsufficientPrivilege:
        return False
    return True
