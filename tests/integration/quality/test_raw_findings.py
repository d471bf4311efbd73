"""The raw contracts' one scan per table finds what each rule finds on its own.

`findings_statement` ORs every rule's predicate into one pass over a raw
table and then matches the few flagged rows rule by rule; on the simulated
world (its invalid records and its drifting key) that must give, for every
rule of every contract, exactly the rows its predicate selects alone, and
for the drift check exactly the keys outside the contract with their counts.
"""

from __future__ import annotations

import pytest

from sinergi.quality.config import raw_contracts
from sinergi.quality.raw_suites import (
    DRIFT_CHECK,
    contract_rules,
    find_violations,
    forget_findings,
    forget_stale_findings,
)
from sinergi.warehouse.connection import connect

from . import world as quality_world
from .world import World

pytestmark = pytest.mark.integration

RUN = "findings-test"


def test_one_scan_finds_what_every_rule_finds_alone(world: World) -> None:
    contracts = raw_contracts()
    checked, found_any = 0, 0
    with connect(world.target) as conn:
        tables = [
            t
            for (t,) in conn.execute(
                "select table_name from information_schema.tables where table_schema = 'raw'"
            ).fetchall()
            if t in contracts
        ]
        for table in tables:
            contract = contracts[table]
            find_violations(conn, contract, RUN)
            by_rule = dict(
                conn.execute(
                    "select check_name, count(*) from meta.raw_contract_findings"
                    " where run_id = %s and raw_table = %s and check_name <> %s group by 1",
                    (RUN, table, DRIFT_CHECK),
                ).fetchall()
            )
            alone = {}
            for rule in contract_rules(contract):
                [(count,)] = conn.execute(  # type: ignore[call-overload]
                    f'select count(*) from raw."{table}" where {rule.predicate}'
                ).fetchall()
                if count:
                    alone[rule.check] = count
            assert by_rule == alone, table

            drift = dict(
                conn.execute(
                    "select new_key, records from meta.raw_contract_findings"
                    " where run_id = %s and raw_table = %s and check_name = %s",
                    (RUN, table, DRIFT_CHECK),
                ).fetchall()
            )
            known = sorted(contract.expected_keys)
            drift_alone = dict(
                conn.execute(
                    f'select key, count(*) from raw."{table}"'  # type: ignore[call-overload]
                    " cross join lateral jsonb_object_keys(record) as key"
                    " where key <> all(%s::text[]) group by key",
                    (known,),
                ).fetchall()
            )
            assert drift == drift_alone, table
            checked += 1
            found_any += sum(alone.values())
    assert checked == len(tables) >= 5
    assert found_any > 0  # the world's invalid records were there to find
    with connect(world.target) as conn:
        [(siasn_drift,)] = conn.execute(
            "select records from meta.raw_contract_findings"
            " where run_id = %s and raw_table = 'siasn__asn' and new_key = %s",
            (RUN, quality_world.DRIFT_KEY),
        ).fetchall()
    assert siasn_drift == 1  # the world's handwritten record with a key no contract knows


def test_findings_left_by_a_killed_run_are_deleted_by_the_next(world: World) -> None:
    insert = (
        "insert into meta.raw_contract_findings (run_id, raw_table, check_name, found_at)"
        " values (%s, 'siasn__asn', 'any', now() - %s::interval)"
    )
    with connect(world.target) as conn:
        conn.execute(insert, ("killed-run", "2 days"))
        conn.execute(insert, ("running-run", "5 minutes"))
        deleted = forget_stale_findings(conn)
        left = {
            run
            for (run,) in conn.execute(
                "select distinct run_id from meta.raw_contract_findings"
                " where run_id in ('killed-run', 'running-run')"
            ).fetchall()
        }
        forget_findings(conn, "running-run")
    assert deleted == 1
    assert left == {"running-run"}
