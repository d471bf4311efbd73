"""What a warehouse holds in quarantine, counted as the simulator's truth counts it.

Per batch and record hash: a record quarantined again for the same reason in
its batch counts once (a row refused before it had a hash counts by its own
quarantine id).
"""

from __future__ import annotations

from sinergi.warehouse.connection import WarehouseTarget, connect


def quarantined(target: WarehouseTarget) -> dict[tuple[str, str], int]:
    """Distinct records in quarantine, not released, per (`<source>.<entity>`, reason)."""
    with connect(target) as conn:
        rows = conn.execute(
            "select source || '.' || entity, reason,"
            " count(distinct (batch_id, coalesce(record_hash, quarantine_id::text)))"
            " from quarantine.records where released_at is null group by 1, 2"
        ).fetchall()
    return {(entity, reason): n for entity, reason, n in rows}
