"""The warehouse's domain rules on every shared test vector, on the real PostgreSQL:
the SQL functions of warehouse/sql/007_domain_rules.sql (which dbt staging and the GX
raw contracts call) and the funding-source rule, a dbt macro rendered as dbt renders
it. The Python rules run the same tables in tests/unit/domain."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import jinja2
from rule_vectors import VECTORS_DIR, load

from sinergi.paths import project_dir
from sinergi.warehouse.bootstrap import init_warehouse
from sinergi.warehouse.connection import WarehouseTarget, connect


def _macro(file: str, name: str, argument: str) -> str:
    """A dbt macro's SQL for `argument`: the macro uses nothing of dbt's context, so
    plain Jinja renders it as `dbt compile` would."""
    source = (project_dir() / "dbt_project" / "macros" / file).read_text(encoding="utf-8")
    return str(getattr(jinja2.Environment().from_string(source).module, name)(argument))


# What each table's rule is called on, row by row (`v`, the vector's input).
_CALLS = {
    "nip": "meta.nip_invalid_reason(v), meta.nip_kind(v)",
    "dates": "meta.parse_date_id(v)",
    "rupiah": "meta.parse_rupiah(to_jsonb(v))",  # a JSON string, as dbt reads `record -> 'biaya'`
    "numbers": "meta.parse_number(to_jsonb(v))",
    "funding_source": _macro("normalise.sql", "normalise_funding_source", "v"),
}
_QUERY = "select {} from unnest(%s::text[]) with ordinality as t(v, i) order by i"


def _expected(rule: str, row: dict[str, str]) -> tuple[object, ...]:
    if rule == "nip":
        return (row["reason"] or None, row["kind"] or None)
    if rule == "dates":
        return (dt.date.fromisoformat(row["date"]) if row["date"] else None,)
    if rule in ("rupiah", "numbers"):
        value = row["amount" if rule == "rupiah" else "number"]
        return (Decimal(value) if value else None,)
    return (row["source"] or None,)


def test_every_vector_on_the_warehouse_rules(fresh_database: WarehouseTarget) -> None:
    assert set(_CALLS) == {path.stem for path in VECTORS_DIR.glob("*.csv")}, "a table unrun"
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
