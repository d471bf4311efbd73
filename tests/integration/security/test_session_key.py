"""PGOPTIONS carries the key to the server intact through psycopg2, the driver dbt-postgres uses."""

from __future__ import annotations

import psycopg2
import pytest

from sinergi.transform.dbt import HMAC_KEY_SETTING, SESSION_OPTIONS, pg_options
from sinergi.warehouse.connection import WarehouseTarget

pytestmark = pytest.mark.integration


@pytest.mark.parametrize(
    "key", ["sinergi 'test' \\key é", "tab\tand\nnewline", "a=b -c work_mem=1MB", "\\\\ "]
)
def test_the_session_reads_the_key_as_given(
    warehouse_server: WarehouseTarget, monkeypatch: pytest.MonkeyPatch, key: str
) -> None:
    options = pg_options([*SESSION_OPTIONS, f"{HMAC_KEY_SETTING}={key}"])
    monkeypatch.setenv("PGOPTIONS", options)
    connection = psycopg2.connect(warehouse_server.with_database("postgres").conninfo)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "select current_setting(%s), current_setting('work_mem'), current_setting('jit')",
                (HMAC_KEY_SETTING,),
            )
            assert cursor.fetchone() == (key, "64MB", "off")
    finally:
        connection.close()
