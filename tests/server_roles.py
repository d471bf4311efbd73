"""Dropping the login roles a test made, on a server the test suites share.

Roles are server-wide, and every `init_warehouse` of another suite's
database (they run side by side) sets the analysts' search path for each
login granted sinergi_analyst. A DROP ROLE racing such an update fails with
"tuple concurrently deleted" (seen in `make test`): it is tried again.
"""

from __future__ import annotations

import time

import psycopg
from psycopg import sql

ATTEMPTS = 5


def drop_roles(conninfo: str, names: list[str]) -> None:
    """Drop each role if it exists, retrying a drop that raced a catalog update."""
    with psycopg.connect(conninfo, autocommit=True) as conn:
        for name in names:
            for attempt in range(1, ATTEMPTS + 1):
                try:
                    conn.execute(sql.SQL("drop role if exists {}").format(sql.Identifier(name)))
                    break
                except psycopg.errors.InternalError_:
                    if attempt == ATTEMPTS:
                        raise
                    time.sleep(0.2 * attempt)
