"""Create the warehouse's schemas, roles and metadata tables, idempotently.

The SQL lives in `sql/NNN_*.sql`, applied in name order in one transaction
under an advisory lock, so concurrent or repeated inits are harmless.
"""

from __future__ import annotations

import logging
from importlib import resources

from sinergi.warehouse import schemas
from sinergi.warehouse.connection import WarehouseTarget, connect, ensure_database

log = logging.getLogger(__name__)

SCHEMAS = schemas.ALL
ROLES = ("sinergi_loader", "sinergi_transformer", schemas.ANALYST_ROLE)
_INIT_LOCK_KEY = 0x5E_4E_26_1  # any constant shared by every init


def bootstrap_scripts() -> list[tuple[str, str]]:
    """(name, sql) of every bootstrap script, in the order they apply."""
    folder = resources.files("sinergi.warehouse") / "sql"
    scripts = sorted(
        (entry.name, entry.read_text(encoding="utf-8"))
        for entry in folder.iterdir()
        if entry.name.endswith(".sql")
    )
    if not scripts:
        raise RuntimeError(f"no bootstrap SQL found in {folder}")
    return scripts


def init_warehouse(target: WarehouseTarget) -> None:
    """Bring the target database to the layout every other layer expects."""
    if ensure_database(target):
        log.info("warehouse database %s created", target.dbname)
    with connect(target) as conn, conn.transaction():
        conn.execute("select pg_advisory_xact_lock(%s)", (_INIT_LOCK_KEY,))
        for name, script in bootstrap_scripts():
            log.debug("applying %s", name)
            conn.execute(script)  # type: ignore[arg-type]  # trusted, packaged SQL
    log.info("warehouse %s initialised", target.dbname)
