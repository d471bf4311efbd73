"""Raw contracts as SQL predicates over `record`, the GX suites built from them,
and the quarantine of the rows they catch.

Raw is jsonb as received, so column expectations do not fit; each contract
rule is a predicate on `record ->> '<field>'` that selects the *bad* rows.
One statement per raw table evaluates every predicate in a single scan of
the run's batches and stores what they catch in `meta.raw_contract_findings`
(`findings_statement`); GX's UnexpectedRowsExpectation per rule reads its
rule's findings (what Data Docs and `meta.dq_results` show), and the
quarantine copies them all (GX returns at most 200 unexpected rows). Two GX
queries per rule on the raw table itself read every row twenty times over.
"""

from __future__ import annotations

import logging
import re
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import psycopg

from sinergi.quality.config import RawContract
from sinergi.quality.gx_context import SuiteSpec
from sinergi.warehouse.connection import WarehouseTarget, connect
from sinergi.warehouse.identifiers import valid_identifier

log = logging.getLogger(__name__)

_FIELD = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
DRIFT_CHECK = "schema_drift:new_keys"
SCAN_WORKERS = 2  # raw tables scanned at once (this machine's cores)
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


def _known_keys(contract: RawContract) -> str:
    for name in contract.expected_keys:
        _text(name)  # validates: the names are spliced into SQL
    known = ", ".join(_literal(k) for k in sorted(contract.expected_keys))
    return f"array[{known}]::text[]" if known else "'{}'::text[]"


def findings_statement(
    contract: RawContract, run_id: str, batch_ids: list[int] | None = None
) -> str:
    """One scan of a raw table that stores what every rule of its contract catches.

    Rows that any predicate flags, or that carry a key outside the contract,
    pass into `caught`; only those few are then matched rule by rule. Each
    rule's bad record becomes one finding, each new key one drift finding
    with its record count. (The statement is built from validated field
    names and quoted values, and runs without parameters.)
    """
    table = valid_identifier(contract.table, f"raw_contracts.yml: {contract.table}")
    rules = contract_rules(contract)
    known = _known_keys(contract)
    scope = batch_filter(batch_ids) if batch_ids is not None else "true"
    key = _text(contract.key) if contract.key else "null::text"
    flagged = " or ".join([*(f"({r.predicate})" for r in rules), f"(record - {known}) <> '{{}}'"])
    rule_rows = ", ".join(f"({_literal(r.check)}, {r.predicate}, {r.reason})" for r in rules)
    finding = f"{_literal(run_id)}, {_literal(table)}"
    per_rule = (
        f"select {finding}, rule.check_name, _batch_id, _record_hash, {key}, rule.reason,"
        f" record, null, null from caught cross join lateral (values {rule_rows})"
        " as rule(check_name, failed, reason) where rule.failed union all "
        if rules
        else ""
    )
    return (
        "with caught as materialized ("
        f" select _batch_id, _record_hash, record, record - {known} as extra"
        f" from raw.{table} where {scope} and ({flagged}))"
        " insert into meta.raw_contract_findings (run_id, raw_table, check_name,"
        " batch_id, record_hash, record_key, reason, record, new_key, records) "
        + per_rule
        + f"select {finding}, {_literal(DRIFT_CHECK)}, null, null, null, null, null,"
        " new_key, count(*)"
        " from caught cross join lateral jsonb_object_keys(extra) as new_key group by new_key"
    )


def find_violations(
    conn: psycopg.Connection,
    contract: RawContract,
    run_id: str,
    batch_ids: list[int] | None = None,
) -> int:
    """Store what the contract's rules catch in these batches (see `findings_statement`)."""
    started = time.monotonic()
    conn.execute(
        "delete from meta.raw_contract_findings where run_id = %s and raw_table = %s",
        (run_id, contract.table),
    )
    statement = findings_statement(contract, run_id, batch_ids)
    found = conn.execute(statement).rowcount  # type: ignore[arg-type]  # see its docstring
    log.info(
        "raw contract %s: %d findings in %.1f s (%s batches)",
        contract.table,
        found,
        time.monotonic() - started,
        "all" if batch_ids is None else len(batch_ids),
    )
    return max(found, 0)


def find_all_violations(
    target: WarehouseTarget,
    contracts: list[RawContract],
    run_id: str,
    batches: dict[str, list[int]],
) -> None:
    """`find_violations` for every table, SCAN_WORKERS at a time, the largest first.

    PostgreSQL runs an insert's scan in one backend, and the scans are
    independent: two at a time keep both cores busy, and starting with the
    largest tables keeps the last one from running alone.
    """

    def scan(contract: RawContract) -> None:
        with connect(target) as conn:
            find_violations(conn, contract, run_id, batches[contract.table])

    with connect(target) as conn:
        sizes: dict[str, int] = dict(
            conn.execute(
                "select c.relname, pg_relation_size(c.oid) from pg_class c"
                " join pg_namespace n on n.oid = c.relnamespace"
                " where n.nspname = 'raw' and c.relname = any(%s)",
                ([c.table for c in contracts],),
            ).fetchall()
        )
    largest_first = sorted(contracts, key=lambda c: sizes.get(c.table, 0), reverse=True)
    with ThreadPoolExecutor(SCAN_WORKERS, thread_name_prefix="raw-scan") as pool:
        for _ in pool.map(scan, largest_first):
            pass  # re-raises the first failure


def forget_findings(conn: psycopg.Connection, run_id: str) -> None:
    conn.execute("delete from meta.raw_contract_findings where run_id = %s", (run_id,))


STALE_FINDINGS_AFTER = "1 day"


def forget_stale_findings(conn: psycopg.Connection) -> int:
    """Delete what killed runs left behind (no run lasts a day); returns the rows deleted."""
    deleted = conn.execute(
        "delete from meta.raw_contract_findings where found_at < now() - %s::interval",
        (STALE_FINDINGS_AFTER,),
    ).rowcount
    if deleted > 0:
        log.warning("raw contracts: deleted %d findings left by killed runs", deleted)
    return max(deleted, 0)


def rule_query(rule: RawRule) -> str:
    """The UnexpectedRowsExpectation query of a rule: one row per bad record."""
    return (
        "select batch_id as _batch_id, record_hash as _record_hash, record_key, reason"
        f" from {{batch}} where check_name = {_gx_sql(_literal(rule.check))}"
    )


def drift_query() -> str:
    """Keys that records carry and the contract does not know: drift, reported only."""
    return (
        "select new_key as key, records from {batch}"
        f" where check_name = {_literal(DRIFT_CHECK)} order by new_key"
    )


def suite_name(table: str) -> str:
    return f"raw__{table}"


def batch_filter(batch_ids: list[int]) -> str:
    """The rows of these batches only (ids are integers from the warehouse: safe to inline)."""
    return f"_batch_id = any(array[{', '.join(str(int(b)) for b in batch_ids)}]::bigint[])"


def build_suite(contract: RawContract, run_id: str) -> SuiteSpec:
    """The GX SuiteSpec of one raw table, over its findings of this run (imports GX:
    call from tasks only)."""
    import great_expectations as gx

    expectations = [
        gx.expectations.UnexpectedRowsExpectation(
            unexpected_rows_query=rule_query(rule),
            description=f"raw contract {contract.table}: {rule.check} (bad rows are quarantined)",
            meta={"check": rule.check, "blocking": contract.blocking, "quarantines": True},
        )
        for rule in contract_rules(contract)
    ]
    expectations.append(
        gx.expectations.UnexpectedRowsExpectation(
            unexpected_rows_query=drift_query(),
            description=f"schema drift in {contract.table}: keys outside the contract",
            meta={"check": DRIFT_CHECK, "blocking": False},
        )
    )
    query = (
        "select * from meta.raw_contract_findings"
        f" where run_id = {_literal(run_id)} and raw_table = {_literal(contract.table)}"
    )
    return SuiteSpec(suite_name(contract.table), "raw", contract.table, expectations, query)


def quarantine_findings(conn: psycopg.Connection, contract: RawContract, run_id: str) -> int:
    """Copy every bad record the rules found into quarantine (once per rule); returns new rows."""
    source, entity = contract.table.split("__", 1)
    inserted = conn.execute(
        "insert into quarantine.records"
        " (batch_id, source, entity, record_key, reason, detected_by, record, record_hash)"
        " select batch_id, %(source)s, %(entity)s, record_key, reason,"
        " %(detector)s || check_name, record, record_hash"
        " from meta.raw_contract_findings"
        " where run_id = %(run_id)s and raw_table = %(table)s and check_name <> %(drift)s"
        " on conflict (source, entity, batch_id, record_hash, detected_by)"
        " where record_hash is not null do nothing",
        {
            "source": source,
            "entity": entity,
            "detector": f"gx:{suite_name(contract.table)}:",
            "run_id": run_id,
            "table": contract.table,
            "drift": DRIFT_CHECK,
        },
    ).rowcount
    log.info("quarantine %s: %d new rows (raw contracts)", contract.table, inserted)
    return max(inserted, 0)
