"""Raw contracts become SQL predicates that GX and the quarantine share."""

from __future__ import annotations

import pytest

from sinergi.quality.config import RawContract, matching_columns, raw_contracts
from sinergi.quality.raw_suites import contract_rules, findings_statement, rule_query

CONTRACT = RawContract(
    table="s__e",
    key="id",
    required={"id": "id_missing"},
    required_any=((("kode", "nama"), "instansi_missing"),),
    nip=("nip",),
    dates=("tgl",),
    timestamps=("at",),
    amounts=("pagu",),
    non_negative={"jp": "negative_jp"},
    codes={"hasil": ("lulus", "O'Brien")},
    date_order=(("mulai", "selesai"),),
)


def test_every_rule_kind_yields_a_named_check() -> None:
    checks = [rule.check for rule in contract_rules(CONTRACT)]
    assert checks == [
        "required:id",
        "required_any:kode|nama",
        "nip_valid:nip",
        "date_parseable:tgl",
        "timestamp_parseable:at",
        "amount_non_negative:pagu",
        "number_non_negative:jp",
        "code_known:hasil",
        "date_order:mulai<=selesai",
    ]


def test_the_scan_keeps_regex_braces_and_gx_queries_quote_values() -> None:
    rules = {rule.check: rule for rule in contract_rules(CONTRACT)}
    scan = findings_statement(CONTRACT, "run-1", [3, 5])
    assert "\\d{4}" in scan and "{{" not in scan  # run as it is, not a template
    assert "_batch_id = any(array[3, 5]::bigint[])" in scan
    assert "'o''brien'" in rules["code_known:hasil"].predicate
    assert rule_query(rules["date_order:mulai<=selesai"]).endswith(
        "from {batch} where check_name = 'date_order:mulai<=selesai'"
    )
    assert rules["nip_valid:nip"].reason == "'invalid_nip'"
    assert rules["required_any:kode|nama"].reason == "'instansi_missing'"


def test_field_names_are_validated_before_reaching_sql() -> None:
    with pytest.raises(ValueError, match="not a valid field name"):
        contract_rules(RawContract(table="t", required={"x'; drop table y; --": "r"}))


def test_the_scan_knows_every_expected_key() -> None:
    query = findings_statement(CONTRACT, "run-1")
    for key in ("id", "kode", "nama", "nip", "mulai", "selesai", "hasil"):
        assert f"'{key}'" in query


def test_committed_contracts_cover_every_registry_entity() -> None:
    from sinergi.ingestion.registry import load_registry

    tables = {entity.table for entity in load_registry().entities()}
    contracts = raw_contracts()
    assert tables <= set(contracts)
    for contract in contracts.values():
        contract_rules(contract)
        findings_statement(contract, "run-1")


def test_column_conventions() -> None:
    columns = ["share_20jp", "kuota_share", "total_jp", "jp", "jp_formal", "pagu_idr", "sharer"]
    assert matching_columns(columns, ["share_*", "*_share"]) == ["share_20jp", "kuota_share"]
    assert matching_columns(columns, ["jp", "jp_*", "*_jp", "*_jp_*"]) == [
        "total_jp",
        "jp",
        "jp_formal",
    ]


def test_contract_file_forms(tmp_path: object) -> None:
    from sinergi.quality.config import _contract

    contract = _contract(
        "s__e",
        {
            "required": {"a": None, "b": "custom"},
            "required_any": [["x", "y"], {"fields": ["p", "q"], "reason": "pq_missing"}],
            "non_negative": ["jp"],
        },
    )
    assert contract.required == {"a": "a_missing", "b": "custom"}
    assert contract.required_any == ((("x", "y"), "x_or_y_missing"), (("p", "q"), "pq_missing"))
    assert contract.non_negative == {"jp": "negative_jp"}
