"""Raw contracts as SQL predicates over `record`, the GX suites built from them,
and the quarantine of the rows they catch.

Raw is jsonb as received, so column expectations do not fit; each contract
rule is a predicate on `record ->> '<field>'` that selects the *bad* rows.
The same predicate feeds GX's UnexpectedRowsExpectation (what Data Docs and
`meta.dq_results` show) and the set-based insert into `quarantine.records`:
GX returns at most 200 unexpected rows, the quarantine must take them all.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

import psycopg
from psycopg import sql

from sinergi.quality.config import RawContract
from sinergi.quality.gx_context import SuiteSpec

log = logging.getLogger(__name__)

_FIELD = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_TIMESTAMP = r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}(:?\d{2})?)?$"


@dataclass(frozen=True)
class RawRule:
    """One contract rule: the bad rows' predicate and the reason each gets in quarantine."""

    check: str
    predicate: str
    reason: str  # SQL expression, evaluated per bad row


def _text(field: str) -> str:
    if not _FIELD.match(field):
        raise ValueError(f"raw contract: {field!r} is not a valid field name")
    return f"(record ->> '{field}')"


def _json(field: str) -> str:
    _text(field)
    return f"(record -> '{field}')"


def _present(field: str) -> str:
    return f"nullif(btrim({_text(field)}), '') is not null"


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def contract_rules(contract: RawContract) -> list[RawRule]:
    """Every rule of a contract, in the order the contract file lists kinds."""
    rules: list[RawRule] = []
    for f, reason in contract.required.items():
        rules.append(RawRule(f"required:{f}", f"not ({_present(f)})", _literal(reason)))
    for group, reason in contract.required_any:
        either = " or ".join(_present(f) for f in group)
        rules.append(
            RawRule(f"required_any:{'|'.join(group)}", f"not ({either})", _literal(reason))
        )
    for f in contract.nip:
        rules.append(
            RawRule(
                f"nip_valid:{f}",
                f"{_present(f)} and meta.nip_invalid_reason({_text(f)}) is not null",
                _literal("invalid_nip"),
            )
        )
    for f in contract.dates:
        rules.append(
            RawRule(
                f"date_parseable:{f}",
                f"{_present(f)} and meta.parse_date_id({_text(f)}) is null",
                _literal("invalid_date"),
            )
        )
    for f in contract.timestamps:
        value = f"btrim({_text(f)})"
        bad = (
            f"not ({value} ~ {_literal(_TIMESTAMP)})"
            f" or meta.parse_date_id(left({value}, 10)) is null"
        )
        rules.append(
            RawRule(
                f"timestamp_parseable:{f}", f"{_present(f)} and ({bad})", _literal("invalid_date")
            )
        )
    for f in contract.amounts:
        parsed = f"meta.parse_rupiah({_json(f)})"
        rules.append(
            RawRule(
                f"amount_non_negative:{f}",
                f"{_present(f)} and coalesce({parsed} < 0, true)",
                f"case when {parsed} is null then 'invalid_amount' else 'negative_amount' end",
            )
        )
    for f, reason in contract.non_negative.items():
        # only a readable negative number: what an unreadable one means is staging's call
        rules.append(
            RawRule(
                f"number_non_negative:{f}",
                f"meta.parse_number({_json(f)}) < 0",
                _literal(reason),
            )
        )
    for f, values in contract.codes.items():
        accepted = ", ".join(_literal(v.lower()) for v in values)
        rules.append(
            RawRule(
                f"code_known:{f}",
                f"{_present(f)} and lower(btrim({_text(f)})) <> all (array[{accepted}])",
                _literal(f"unknown_{f}"),
            )
        )
    for start, end in contract.date_order:
        first, last = (f"meta.parse_date_id({_text(x)})" for x in (start, end))
        rules.append(
            RawRule(
                f"date_order:{start}<={end}",
                f"{last} < {first}",
                _literal("invalid_date"),
            )
        )
    return rules


def _gx_sql(text: str) -> str:
    """SQL text for a GX query template: literal braces doubled (regex quantifiers)."""
    return text.replace("{", "{{").replace("}", "}}")


def rule_query(contract: RawContract, rule: RawRule) -> str:
    """The UnexpectedRowsExpectation query of a rule: one row per bad record."""
    key = _text(contract.key) if contract.key else "null::text"
    return (
        f"select _batch_id, _record_hash, {_gx_sql(key)} as record_key,"
        f" {_gx_sql(rule.reason)} as reason from {{batch}} where {_gx_sql(rule.predicate)}"
    )


def drift_query(contract: RawContract) -> str:
    """Keys that records carry and the contract does not know: drift, reported only."""
    for name in contract.expected_keys:
        _text(name)  # validates: the names are spliced into SQL
    known = ", ".join(_literal(k) for k in sorted(contract.expected_keys))
    # GX leaves a query with a join to alias its batch subquery itself, and
    # PostgreSQL before 16 refuses a subquery in FROM without an alias
    return (
        "select key, count(*) as records from {batch} as batch_rows"
        " cross join lateral jsonb_object_keys(batch_rows.record) as key"
        f" where key <> all (array[{known}]::text[]) group by key order by key"
    )


def suite_name(table: str) -> str:
    return f"raw__{table}"


def batch_filter(batch_ids: list[int]) -> str:
    """The rows of these batches only (ids are integers from the warehouse: safe to inline)."""
    return f"_batch_id = any(array[{', '.join(str(int(b)) for b in batch_ids)}]::bigint[])"


def build_suite(contract: RawContract, batch_ids: list[int] | None = None) -> SuiteSpec:
    """The GX SuiteSpec of one raw table (imports GX: call from tasks only)."""
    import great_expectations as gx

    expectations = [
        gx.expectations.UnexpectedRowsExpectation(
            unexpected_rows_query=rule_query(contract, rule),
            description=f"raw contract {contract.table}: {rule.check} (bad rows are quarantined)",
            meta={"check": rule.check, "blocking": contract.blocking, "quarantines": True},
        )
        for rule in contract_rules(contract)
    ]
    expectations.append(
        gx.expectations.UnexpectedRowsExpectation(
            unexpected_rows_query=drift_query(contract),
            description=f"schema drift in {contract.table}: keys outside the contract",
            meta={"check": "schema_drift:new_keys", "blocking": False},
        )
    )
    query = (
        f'select * from raw."{contract.table}" where {batch_filter(batch_ids)}'
        if batch_ids is not None
        else None
    )
    return SuiteSpec(suite_name(contract.table), "raw", contract.table, expectations, query)


def quarantine_rule(
    conn: psycopg.Connection,
    contract: RawContract,
    rule: RawRule,
    detected_by: str,
    batch_ids: list[int] | None = None,
) -> int:
    """Copy every raw row the rule catches into quarantine (once per detector); returns new rows."""
    key = _text(contract.key) if contract.key else "null::text"
    statement = sql.SQL(
        "insert into quarantine.records"
        " (batch_id, source, entity, record_key, reason, detected_by, record, record_hash)"
        " select _batch_id, _source, _entity, {key}, {reason}, {detected_by}, record, _record_hash"
        " from raw.{table} where {predicate}"
        " on conflict (source, entity, batch_id, record_hash, detected_by)"
        " where record_hash is not null do nothing"
    ).format(
        key=sql.SQL(key),  # type: ignore[arg-type]  # built from validated field names
        reason=sql.SQL(rule.reason),  # type: ignore[arg-type]
        detected_by=sql.Literal(detected_by),
        table=sql.Identifier(contract.table),
        predicate=sql.SQL(
            f"({rule.predicate}) and {batch_filter(batch_ids)}"  # type: ignore[arg-type]
            if batch_ids is not None
            else rule.predicate
        ),
    )
    inserted = conn.execute(statement).rowcount
    log.info("quarantine %s: %d new rows (%s)", contract.table, inserted, detected_by)
    return max(inserted, 0)
