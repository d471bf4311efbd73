"""SQL identifiers that come from configuration: validated, then quoted.

Schema, table, role and database names read from `sources.yml`,
`expectations/quality.yml`, dbt's manifest or the environment end up in SQL.
Quoting alone (psycopg's `sql.Identifier`) makes them safe to splice in, but
not right: PostgreSQL silently truncates a name past 63 bytes (two long
entities would share one raw table), and a quoted `"Marts"` is not `marts`.
So every such name is first held to one strict pattern, lower snake case of
at most 63 bytes, and a name that breaks it stops the run with an error that
names the configuration key it came from.
"""

from __future__ import annotations

import re

from psycopg import sql

# PostgreSQL keeps NAMEDATALEN - 1 = 63 bytes of an identifier.
MAX_IDENTIFIER_BYTES = 63
_PATTERN = re.compile(r"[a-z_][a-z0-9_]*")


class InvalidIdentifier(ValueError):
    """A configured name that cannot be a warehouse identifier as it stands."""


def valid_identifier(value: object, config_key: str, *, suffix: str = "") -> str:
    """`value`, when it is lower snake case and (with `suffix`) at most 63 bytes.

    `config_key` says where the value was configured (`sources.yml:
    siasn.asn`, `SINERGI_WAREHOUSE_URL (database name)`); `suffix` is
    what the code appends to the name (`__next`), which must fit too.
    """
    if not isinstance(value, str) or not _PATTERN.fullmatch(value):
        raise InvalidIdentifier(
            f"{config_key}: {value!r} is not a valid name: use lower-case letters,"
            " digits and _ (starting with a letter or _)"
        )
    size = len((value + suffix).encode())
    if size > MAX_IDENTIFIER_BYTES:
        detail = f" with {suffix!r} appended" if suffix else ""
        raise InvalidIdentifier(
            f"{config_key}: {value!r} is {size} bytes{detail}; PostgreSQL keeps"
            f" {MAX_IDENTIFIER_BYTES} and would silently cut the rest"
        )
    return value


def identifier(value: object, config_key: str) -> sql.Identifier:
    """`value` validated (see valid_identifier) and quoted for psycopg's `sql` composition."""
    return sql.Identifier(valid_identifier(value, config_key))


def qualified(schema: object, schema_key: str, name: object, name_key: str) -> sql.Identifier:
    """`schema.name`, each part validated against its own configuration key, then quoted."""
    return sql.Identifier(valid_identifier(schema, schema_key), valid_identifier(name, name_key))
