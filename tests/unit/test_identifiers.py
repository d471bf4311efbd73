"""Names from configuration become SQL identifiers only when they are plain lower snake case."""

from __future__ import annotations

import pytest
from psycopg import sql

from sinergi.warehouse.identifiers import (
    InvalidIdentifier,
    identifier,
    qualified,
    valid_identifier,
)


@pytest.mark.parametrize("name", ["marts", "sinergi_analyst", "_x", "raw2", "a" * 63])
def test_plain_names_pass(name: str) -> None:
    assert valid_identifier(name, "quality.yml: published_schema") == name
    assert identifier(name, "k") == sql.Identifier(name)


@pytest.mark.parametrize(
    "name",
    [
        "Marts",  # quoted it would be another schema than marts
        "marts; drop schema raw",
        'marts"',
        "marts.x",
        "9lives",
        "",
        "sinergi-prod",
        "pärt",
        None,
        42,
    ],
)
def test_anything_else_is_refused_naming_the_key(name: object) -> None:
    with pytest.raises(InvalidIdentifier, match=r"^quality\.yml: published_schema: .* not a valid"):
        valid_identifier(name, "quality.yml: published_schema")


def test_names_postgresql_would_cut_are_refused() -> None:
    with pytest.raises(InvalidIdentifier, match="64 bytes; PostgreSQL keeps 63"):
        valid_identifier("a" * 64, "sources.yml: siasn.asn")
    with pytest.raises(InvalidIdentifier, match="with '__next' appended"):
        valid_identifier("a" * 60, "dbt manifest: mart name", suffix="__next")


def test_qualified_names_check_each_part_against_its_own_key() -> None:
    assert qualified("audit", "a", "funding", "b") == sql.Identifier("audit", "funding")
    with pytest.raises(InvalidIdentifier, match=r"^quality\.yml: audit_schema"):
        qualified("Audit", "quality.yml: audit_schema", "funding", "b")
