"""The file-drop corpora (tests/data/bad_inputs, tests/data/real_shapes) through the real sweep.

Each case's file is dropped into a landing folder and swept by
`sweep_landing` into a real PostgreSQL; the outcome must be the one declared
in the folder's `cases.yml`. Around every case the same promises are checked:
nothing outside the landing folder is read or changed, nothing stays in the
landing or claim folders, the counts balance (read = loaded + quarantined +
rejected, in the summary and in the warehouse), and no loaded text that can
reach a mart starts like a spreadsheet formula. A last test drops the whole
corpus at once: one sweep handles every file, whatever the others do.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
import yaml
from psycopg import sql

from sinergi.ingestion import file_drop
from sinergi.ingestion.file_drop import TEXT_FIELDS
from sinergi.ingestion.file_values import formula_trigger, safe_text
from sinergi.ingestion.landing import CLAIMED, sweep_landing
from sinergi.ingestion.registry import REGISTRY_VARIABLE, RegistryError, Source, load_registry
from sinergi.warehouse.bootstrap import init_warehouse
from sinergi.warehouse.connection import WarehouseTarget, connect

pytestmark = pytest.mark.integration

DATA = Path(__file__).resolve().parents[2] / "data"
CORPORA = ("bad_inputs", "real_shapes")
MONTH = "2023-08"
# A good report outside the landing folder: links point at it; its NIP must never load.
OUTSIDE_NIP = "198001012005011999"
OUTSIDE_REPORT = (
    "NIP,Nama,Instansi Asal,Nama Pelatihan,Jenis Pelatihan,Tgl Mulai,JP\r\n"
    f"{OUTSIDE_NIP},Rahasia,35.15,PKP,pkp,14/08/2023,24\r\n"
).encode()


def load_cases() -> list[Any]:
    params = []
    for corpus in CORPORA:
        document = yaml.safe_load((DATA / corpus / "cases.yml").read_text(encoding="utf-8"))
        for case in document["cases"]:
            case["corpus"] = corpus
            params.append(pytest.param(case, id=f"{corpus}:{case['id']}"))
    return params


CASES = load_cases()


@pytest.fixture(scope="module")
def corpus_warehouse(warehouse_server: WarehouseTarget) -> Iterator[WarehouseTarget]:
    """One warehouse for every case (each case's files differ, so none is a duplicate of
    another's): a fresh database per case would cost more than the cases."""
    target = warehouse_server.with_database(f"sinergi_test_{uuid.uuid4().hex[:12]}")
    init_warehouse(target)
    yield target
    with psycopg.connect(target.with_database("postgres").conninfo, autocommit=True) as conn:
        conn.execute(
            sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(target.dbname))
        )


def source_for(case: dict[str, Any]) -> Source:
    source = load_registry().source("bpsdm_daerah")
    return dataclasses.replace(source, **case.get("source", {}))


def drop(case: dict[str, Any], landing: Path, outside: Path) -> Path:
    """Put the case's file where an uploader would (or the link/folder its setup wants)."""
    original = DATA / case["corpus"] / "files" / case["file"]
    folder = landing / case.get("folder", f"{case.get('region', '35.15')}/{MONTH}")
    name: str | bytes = case.get("drop_as", case["file"])
    if "drop_as_bytes" in case:
        name = case["drop_as_bytes"].encode("latin-1")
    setup = case.get("setup")
    if setup == "symlink_folder":
        target_folder = outside / "wilayah"
        (target_folder / MONTH).mkdir(parents=True)
        shutil.copy(outside / "rahasia.csv", target_folder / MONTH / case["file"])
        link = landing / "36"
        landing.mkdir(parents=True, exist_ok=True)
        link.symlink_to(target_folder, target_is_directory=True)
        return link
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / os.fsdecode(name)
    if setup == "symlink_file":
        path.symlink_to(outside / "rahasia.csv")
    else:
        shutil.copyfile(original, path)
    return path


def tree(root: Path) -> dict[str, bytes | str]:
    """Every entry under `root` (links as their target), to compare before and after."""
    found: dict[str, bytes | str] = {}
    for path in sorted(root.rglob("*")):
        key = str(path.relative_to(root))
        if path.is_symlink():
            found[key] = f"-> {os.readlink(path)}"
        elif path.is_file():
            found[key] = path.read_bytes()
        else:
            found[key] = "dir"
    return found


def raw_rows(target: WarehouseTarget, batch_id: int, entity: str) -> list[dict[str, Any]]:
    with connect(target) as conn:
        rows = conn.execute(
            sql.SQL("select record from {} where _batch_id = %s").format(
                sql.Identifier("raw", f"bpsdm_daerah__{entity}")
            ),
            (batch_id,),
        ).fetchall()
    return [row[0] for row in rows]


def quarantined(target: WarehouseTarget, batch_id: int) -> list[tuple[str, dict[str, Any]]]:
    with connect(target) as conn:
        rows = conn.execute(
            "select reason, record from quarantine.records where batch_id = %s", (batch_id,)
        ).fetchall()
    return [(row[0], row[1]) for row in rows]


def matches(record: Any, expected: Any) -> bool:
    """`expected` is a subset of `record` (nested dicts compared the same way)."""
    if isinstance(expected, dict):
        return isinstance(record, dict) and all(
            key in record and matches(record[key], value) for key, value in expected.items()
        )
    return bool(record == expected)


def outside_never_loaded(target: WarehouseTarget) -> None:
    """The report kept outside the landing folder (links point at it) is in no raw table."""
    with connect(target) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "select table_name from information_schema.tables where table_schema = 'raw'"
                " and table_name like 'bpsdm_daerah%%'"
            )
        ]
        for table in tables:
            found = conn.execute(
                sql.SQL("select count(*) from {} where record ->> 'nip' = %s").format(
                    sql.Identifier("raw", table)
                ),
                (OUTSIDE_NIP,),
            ).fetchone()
            assert found == (0,), "a file outside the landing folder was loaded"


def check_summary(target: WarehouseTarget, case: dict[str, Any], summary: dict[str, Any]) -> None:
    expect = case["expect"]
    assert summary["status"] == expect["status"], summary
    assert summary["rows_read"] == (
        summary["rows_loaded"] + summary["rows_quarantined"] + summary["rows_rejected"]
    ), summary
    if "reason" in expect:
        assert summary["reason"] == expect["reason"], summary
    for text in expect.get("detail", []):
        assert text in (summary["detail"] or ""), (text, summary["detail"])
    if "report_type" in expect:
        assert summary["report_type"] == expect["report_type"]
    if "rows" in expect:
        rows = {key: summary[f"rows_{key}"] for key in expect["rows"]}
        assert rows == expect["rows"], summary
    assert summary["quarantine_reasons"] == expect.get("quarantined", {}), summary
    for text in expect.get("warnings", []):
        assert any(text in warning for warning in summary["warnings"]), summary["warnings"]
    if summary["status"] == "rejected":
        assert summary["batch_id"] is None
        assert "/.rejected/" in summary["file"]
        return
    assert "/.done/" in summary["file"]
    batch = summary["batch_id"]
    refused = quarantined(target, batch)
    assert len(refused) == summary["rows_quarantined"]
    for text in expect.get("quarantine_detail", []):
        assert any(text in record["_detail"] for _, record in refused), (text, refused)
    loaded = raw_rows(target, batch, summary["report_type"] or "participations")
    assert len(loaded) == summary["rows_loaded"]
    for wanted in expect.get("raw", []):
        assert any(matches(record, wanted) for record in loaded), (wanted, loaded)
    for record in loaded:  # nothing a spreadsheet would run can travel on to a mart
        for name in TEXT_FIELDS:
            assert not (record.get(name) and formula_trigger(record[name])), record


@pytest.mark.parametrize("case", CASES)
def test_each_bad_input_meets_its_declared_outcome(
    case: dict[str, Any],
    corpus_warehouse: WarehouseTarget,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    landing, outside = tmp_path / "landing", tmp_path / "outside"
    outside.mkdir()
    (outside / "rahasia.csv").write_bytes(OUTSIDE_REPORT)
    placed = drop(case, landing, outside)
    before = tree(outside)
    expect = case["expect"]

    if expect["status"] == "error":
        monkeypatch.setenv(REGISTRY_VARIABLE, str(DATA / case["corpus"] / "files" / case["file"]))
        good = drop({**case, "file": "hanya_header.csv", "setup": None}, landing, outside)
        with pytest.raises(RegistryError) as error:
            sweep_landing(landing, target=corpus_warehouse)
        for text in expect["detail"]:
            assert text in str(error.value)
        assert good.exists() and not (landing / CLAIMED).exists(), "a file moved"
        return

    result = sweep_landing(landing, target=corpus_warehouse, source=source_for(case))

    assert tree(outside) == before, "something outside the landing folder changed"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["landing", "outside"]
    assert not [p for p in (landing / CLAIMED).rglob("*") if not p.is_dir()]
    assert result["rows_read"] == (
        result["rows_loaded"] + result["rows_quarantined"] + result["rows_rejected"]
    )
    outside_never_loaded(corpus_warehouse)
    if expect["status"] == "ignored":
        assert result["files"] == 0
        [ignored] = result["ignored"]
        assert all(text in ignored["why"] for text in expect["detail"]), ignored
        assert placed.exists(), "an ignored file was moved"
        return
    assert not placed.exists() and not placed.is_symlink(), "left in the landing zone"
    [summary] = result["summaries"]
    check_summary(corpus_warehouse, case, summary)


def test_one_sweep_over_the_whole_corpus_handles_every_file(
    warehouse: WarehouseTarget, tmp_path: Path
) -> None:
    """All cases dropped at once (each in its own month folder): every file gets its own
    outcome, none stops the sweep; dropping it all again changes nothing."""
    landing, outside = tmp_path / "landing", tmp_path / "outside"
    outside.mkdir()
    (outside / "rahasia.csv").write_bytes(OUTSIDE_REPORT)
    expected: dict[str, dict[str, Any]] = {}
    for number, param in enumerate(CASES, start=1):
        case = dict(param.values[0])
        if case["expect"]["status"] == "error" or "source" in case:
            continue  # a registry of its own / limits of its own
        if case.get("setup") == "symlink_folder":
            continue  # its link is a region folder: one per landing is the single case
        month = f"20{number:02d}-01"
        case.setdefault("folder", f"{case.get('region', '35.15')}/{month}")
        placed = drop(case, landing, outside)
        expected[safe_text(str(placed.relative_to(landing)))] = case

    result = sweep_landing(landing, target=warehouse)

    ignored = {item["path"] for item in result["ignored"]}
    by_path = {}
    for summary in result["summaries"]:
        relative = Path(summary["file"]).relative_to(landing)
        by_path[str(Path(*relative.parts[1:]))] = summary
    for path, case in expected.items():
        if case["expect"]["status"] == "ignored":
            assert any(path.startswith(item) for item in ignored), (path, ignored)
            continue
        check_summary(warehouse, case, by_path[path])
    handled = sum(1 for case in expected.values() if case["expect"]["status"] != "ignored")
    assert result["files"] == handled
    assert result["rows_read"] == (
        result["rows_loaded"] + result["rows_quarantined"] + result["rows_rejected"]
    )
    outside_never_loaded(warehouse)

    for area in (".done", ".rejected"):  # drop everything again
        for path in sorted((landing / area).rglob("*")):
            if path.is_file() and not path.is_symlink():
                back = landing / path.relative_to(landing / area)
                back.parent.mkdir(parents=True, exist_ok=True)
                path.rename(back)
    again = sweep_landing(landing, target=warehouse)
    assert again["rows_loaded"] == again["rows_quarantined"] == 0
    assert set(again["by_status"]) <= {"duplicate", "rejected"}


def test_a_file_that_breaks_the_loader_is_set_aside_and_the_sweep_goes_on(
    warehouse: WarehouseTarget, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unexpected error (a bug, not a bad file) while loading one file: that file goes
    to `.failed/` with the error, its batch is rolled back, the next file still loads."""
    landing = tmp_path / "landing"
    files = DATA / "bad_inputs" / "files"
    for name in ("peserta_cp1252.csv", "peserta_latin1.csv"):
        (landing / "35.15" / MONTH).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(files / name, landing / "35.15" / MONTH / name)
    real_problem = file_drop.row_problem

    def breaks_on_cp1252(record: dict[str, Any], report_type: str) -> Any:
        if record["file_name"] == "peserta_cp1252.csv":
            raise RuntimeError("a bug in the loader")
        return real_problem(record, report_type)

    monkeypatch.setattr(file_drop, "row_problem", breaks_on_cp1252)
    result = sweep_landing(landing, target=warehouse)

    assert result["by_status"] == {"failed": 1, "loaded": 1}
    failed = next(s for s in result["summaries"] if s["status"] == "failed")
    assert "a bug in the loader" in failed["detail"]
    assert (landing / ".failed" / "35.15" / MONTH / "peserta_cp1252.csv").exists()
    with connect(warehouse) as conn:
        statuses = dict(
            conn.execute("select status, count(*) from meta.load_batches group by status")
        )
        loads = conn.execute("select path from meta.file_loads").fetchall()
    assert statuses == {"failed": 1, "succeeded": 1}
    assert [Path(row[0]).name for row in loads] == ["peserta_latin1.csv"]  # not marked seen
