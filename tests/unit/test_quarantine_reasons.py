"""One list of quarantine reasons (dbt_project/seeds/quarantine_reasons.csv), read by every layer.

The reasons each layer emits are found where they are written: the literals
of dbt staging's `invalid_reason` CASE and of `int_quarantine_candidates`,
the reasons the GX raw contracts give (expectations/raw_contracts.yml), and
ingestion's `IngestionReason` type (plugins/sinergi/ingestion/reasons.py),
which mypy holds every reason ingestion gives to. Every one must be listed,
every listed one must be emitted somewhere, and the seed's `detected_by` must
name exactly the layers that emit it. dbt checks `invalid_reason` against the
seed with relationships tests that warn: an unlisted reason is quarantined, it
never stops a build.
"""

from __future__ import annotations

import ast
import re
import shutil
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import get_type_hints

import pytest
import yaml

from sinergi.domain import reasons
from sinergi.ingestion.raw_loader import QuarantinedRecord
from sinergi.ingestion.reasons import IngestionReason
from sinergi.ingestion.reasons import ingestion_reasons as ingestion_reason_codes
from sinergi.paths import project_dir
from sinergi.quality import config as quality_config
from sinergi.quality.config import EXPECTATIONS_DIR_VARIABLE, QualityConfigError
from sinergi.quality.raw_suites import contract_rules

DBT = project_dir() / "dbt_project"
STAGING = DBT / "models" / "staging"
CANDIDATES = DBT / "models" / "intermediate" / "quality" / "int_quarantine_candidates.sql"
INGESTION = project_dir() / "plugins" / "sinergi" / "ingestion"


def _case_blocks(sql: str, alias: str) -> Iterator[str]:
    """Every `case ... end as <alias>` block (sqlfluff keeps `case` and `end` aligned)."""
    lines = sql.splitlines()
    for number, line in enumerate(lines):
        if line.strip() != f"end as {alias}" and line.strip() != f"end as {alias},":
            continue
        indent = line[: len(line) - len(line.lstrip())]
        start = max(i for i in range(number) if lines[i] == f"{indent}case")
        yield "\n".join(lines[start:number])


def _literals(block: str) -> set[str]:
    return set(re.findall(r"\b(?:then|else)\s+'([^']+)'", block))


def staging_reasons() -> dict[str, set[str]]:
    """reason -> staging models whose invalid_reason CASE gives it."""
    found: dict[str, set[str]] = defaultdict(set)
    models = sorted(STAGING.rglob("stg_*.sql"))
    assert len(models) == 11
    for path in models:
        blocks = list(_case_blocks(path.read_text(encoding="utf-8"), "invalid_reason"))
        assert len(blocks) == 1, f"{path.name}: one `case ... end as invalid_reason` expected"
        for reason in _literals(blocks[0]):
            found[reason].add(path.stem)
    return found


def intermediate_reasons() -> set[str]:
    """The reasons int_quarantine_candidates gives valid records it cannot resolve."""
    sql = CANDIDATES.read_text(encoding="utf-8")
    found = set(re.findall(r"'([^']+)' as reason\b", sql))
    for block in _case_blocks(sql, "reason"):
        found |= _literals(block)
    return found


def raw_contract_reasons() -> dict[str, set[str]]:
    """reason -> raw tables whose committed contract gives it."""
    found: dict[str, set[str]] = defaultdict(set)
    for table, contract in quality_config.raw_contracts().items():
        for reason in contract.reasons:
            found[reason].add(table)
    return found


def ingestion_reasons() -> set[str]:
    """The reasons ingestion gives: its `IngestionReason` type, which mypy holds every
    `QuarantinedRecord` and file-drop row check to (so no code path can give another),
    each still written somewhere in the package's code."""
    declared = set(ingestion_reason_codes())
    written: set[str] = set()
    for path in sorted(INGESTION.glob("*.py")):
        if path.name == "reasons.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                written.add(node.value)
    assert sorted(declared - written) == [], "in IngestionReason, but ingestion never gives it"
    return declared


def emitted_by_layer() -> dict[str, set[str]]:
    """reason -> the layers (the seed's detected_by words) that emit it."""
    layers: dict[str, set[str]] = defaultdict(set)
    for reason in ingestion_reasons():
        layers[reason].add("ingestion")
    for reason in raw_contract_reasons():
        layers[reason].add("raw_contract")
    for reason in staging_reasons():
        layers[reason].add("staging")
    for reason in intermediate_reasons():
        layers[reason].add("intermediate")
    return layers


def test_every_reason_emitted_anywhere_is_listed_and_every_listed_one_is_emitted() -> None:
    listed = reasons.quarantine_reasons()
    emitted = emitted_by_layer()
    assert sorted(set(emitted) - set(listed)) == [], "emitted but not in quarantine_reasons.csv"
    assert sorted(set(listed) - set(emitted)) == [], "listed but emitted nowhere"
    wrong = {
        code: {"seed": sorted(reason.detected_by), "code": sorted(emitted[code])}
        for code, reason in listed.items()
        if set(reason.detected_by) != emitted[code]
    }
    assert wrong == {}, "detected_by disagrees with where the code emits the reason"


def test_the_scans_find_what_they_look_for() -> None:
    """Guards the scans themselves: known reasons of each layer are found."""
    assert {"invalid_nip", "unknown_instansi", "missing_required"} <= set(staging_reasons())
    assert "unknown_instansi" in staging_reasons()
    assert "stg_siasn__asns" in staging_reasons()["unknown_instansi"]
    assert intermediate_reasons() == {"unknown_instansi", "unknown_training", "unknown_asn"}
    assert {"missing_required", "field_too_large", "not_json_object"} <= ingestion_reasons()
    assert "bpsdm_daerah__participations" in raw_contract_reasons()["missing_required"]


def test_ingestion_gives_reasons_only_through_its_reason_type() -> None:
    """What makes `IngestionReason` the whole of ingestion's reasons: ingestion writes
    quarantine in one place (`Batch.quarantine`), from `QuarantinedRecord`s whose reason
    is typed with it, so mypy refuses any other string wherever the reason comes from."""
    assert get_type_hints(QuarantinedRecord)["reason"] == IngestionReason
    writers = [
        path.name
        for path in sorted(INGESTION.glob("*.py"))
        if "into quarantine." in path.read_text(encoding="utf-8")
    ]
    assert writers == ["raw_loader.py"], "ingestion writes quarantine elsewhere: type it too"


def test_raw_rules_give_only_the_reasons_their_contract_declares() -> None:
    for table, contract in quality_config.raw_contracts().items():
        for rule in contract_rules(contract):
            values = re.sub(r"record ->>? '[^']*'", "", rule.reason)  # field names
            given = set(re.findall(r"'([a-z_]+)'", values))
            assert given and given <= contract.reasons, (table, rule.check, rule.reason)


def _tests_of(column: dict) -> list[tuple[str, dict]]:
    out = []
    for test in column.get("data_tests") or []:
        name, body = (test, {}) if isinstance(test, str) else next(iter(test.items()))
        out.append((name, body or {}))
    return out


def test_reason_columns_are_checked_against_the_seed_and_only_warn() -> None:
    """A reason dbt has not seen before must never fail the build (and block the publish):
    every staging invalid_reason and the candidates' reason get a relationships test
    to the seed at severity warn, and no other test judges their values."""
    checked = []
    for path in sorted((DBT / "models").rglob("_*__models.yml")):
        for model in yaml.safe_load(path.read_text(encoding="utf-8")).get("models", []):
            for column in model.get("columns", []):
                is_reason = (
                    model["name"].startswith("stg_") and column["name"] == "invalid_reason"
                ) or (model["name"] == "int_quarantine_candidates" and column["name"] == "reason")
                if not is_reason:
                    continue
                tests = dict(_tests_of(column))
                assert set(tests) <= {"relationships", "not_null"}, (model["name"], tests)
                rel = tests["relationships"]
                assert rel["arguments"] == {"to": "ref('quarantine_reasons')", "field": "reason"}
                assert rel["config"]["severity"] == "warn", model["name"]
                checked.append(model["name"])
    assert len(checked) == 12 and "stg_siasn__asns" in checked, checked


def test_the_seed_is_configured_as_text() -> None:
    project = yaml.safe_load((DBT / "dbt_project.yml").read_text(encoding="utf-8"))
    types = project["seeds"]["sinergi"]["quarantine_reasons"]["+column_types"]
    assert types == {
        name: "text" for name in ("reason", "description", "keterangan", "detected_by")
    }


# ------------------------------------------------------------- the loader


@pytest.fixture
def seeds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the seeds the loader reads instead of the committed ones."""
    shutil.copy(reasons.seed_path(), tmp_path / reasons.SEED_FILE)
    monkeypatch.setenv("SINERGI_REFERENCE_DIR", str(tmp_path))
    return tmp_path / reasons.SEED_FILE


def test_the_loader_reads_codes_labels_and_layers() -> None:
    listed = reasons.quarantine_reasons()
    assert listed["unknown_instansi"].detected_by == ("ingestion", "staging", "intermediate")
    assert listed["unknown_instansi"].keterangan == "Instansi tidak dikenal."
    assert reasons.unlisted(["invalid_nip", "brand_new", "brand_new", "also_new"]) == [
        "also_new",
        "brand_new",
    ]


def test_rows_written_before_the_codes_still_count_as_listed() -> None:
    """Older quarantine rows keep ingestion's former free text: never reported unlisted."""
    assert set(reasons.FORMER_CODES.values()) <= set(reasons.quarantine_reasons())
    assert reasons.unlisted(["not a JSON object", "contains a NUL character"]) == []
    assert not set(reasons.FORMER_CODES) & set(reasons.quarantine_reasons())


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ('invalid_nip,"again",lagi,staging\n', "listed twice"),
        ('new_code,"x",x,dbt\n', "detected_by"),
        (' padded,"x",x,staging\n', "blank or padded"),
    ],
)
def test_a_malformed_seed_is_refused_naming_the_row(seeds: Path, row: str, message: str) -> None:
    with seeds.open("a", encoding="utf-8") as handle:
        handle.write(row)
    with pytest.raises(reasons.ReasonListError, match=message):
        reasons.quarantine_reasons()


def test_a_raw_contract_giving_an_unlisted_reason_does_not_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(EXPECTATIONS_DIR_VARIABLE, str(tmp_path))
    (tmp_path / "raw_contracts.yml").write_text(
        "siasn__asn:\n  key: nip\n  codes: {warna: [merah]}\n", encoding="utf-8"
    )
    with pytest.raises(QualityConfigError, match=r"siasn__asn: reasons \['unknown_warna'\]"):
        quality_config.raw_contracts()
