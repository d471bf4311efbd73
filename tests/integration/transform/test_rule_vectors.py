"""The warehouse's domain rules (the SQL functions of warehouse/sql/007_domain_rules.sql,
which dbt staging and the GX raw contracts call) on every shared test vector, on the
real PostgreSQL: the same table the Python rules run in tests/unit/domain."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from rule_vectors import load

from sinergi.warehouse.bootstrap import init_warehouse
from sinergi.warehouse.connection import WarehouseTarget, connect

# What each rule's function is called on, row by row (`v`, the vector's input).
_CALLS = {
    "nip": "meta.nip_invalid_reason(v), meta.nip_kind(v)",
    "dates": "meta.parse_date_id(v)",
    "rupiah": "meta.parse_rupiah(to_jsonb(v))",  # a JSON string, as dbt reads `record -> 'biaya'`
}
_QUERY = "select {} from unnest(%s::text[]) with ordinality as t(v, i) order by i"


def _expected(rule: str, row: dict[str, str]) -> tuple[object, ...]:
    if rule == "nip":
        return (row["reason"] or None, row["kind"] or None)
    if rule == "dates":
        return (dt.date.fromisoformat(row["date"]) if row["date"] else None,)
    return (Decimal(row["amount"]) if row["amount"] else None,)


def test_every_vector_on_the_warehouse_functions(fresh_database: WarehouseTarget) -> None:
    init_warehouse(fresh_database)
    wrong = []
    with connect(fresh_database) as conn:
        for rule, calls in _CALLS.items():
            rows = load(rule)
            query = _QUERY.format(calls)
            got = conn.execute(query, ([row["input"] for row in rows],)).fetchall()  # type: ignore[arg-type]
            assert len(got) == len(rows)
            wrong += [
                f"{rule}.csv line {row['line']}: {row['input']!r} gave {tuple(result)}, "
                f"expected {_expected(rule, row)} ({row['note']})"
                for row, result in zip(rows, got, strict=True)
                if tuple(result) != _expected(rule, row)
            ]
    assert not wrong, "\n".join(wrong)
