"""The bpsdm_daerah file-drop contract on a real warehouse: simulator drops, handcrafted files."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections import Counter
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from ingestion_helpers import ASN, SEED

from sinergi.ingestion.file_drop import ingest_file
from sinergi.ingestion.landing import sweep_landing
from sinergi.warehouse.connection import WarehouseTarget, connect
from sinergi_simulator.api import build_sources
from sinergi_simulator.files import write_files
from sinergi_simulator.timeline import WORLD_END_MS
from sinergi_simulator.truth import compute_truth

pytestmark = pytest.mark.integration

AT_INGEST = {"missing_required", "invalid_nip", "invalid_date", "negative_jp", "invalid_level"}
HEADER = ["NIP", "Nama", "Instansi Asal", "Nama Pelatihan", "Jenis Pelatihan", "Tgl Mulai",
          "Tgl Selesai", "JP", "Status", "Biaya (Rp)"]  # fmt: skip
GOOD_ROW = ["199001012020011001", "Budi Santoso", "35.15", "PKP Angkatan I", "pkp",
            "14 Desember 2022", "20/12/2022", "24", "Lulus", "Rp 25.000.000,00"]  # fmt: skip


def quarantine_counts(target: WarehouseTarget, entity: str) -> dict[str, int]:
    with connect(target) as conn:
        rows = conn.execute(
            "select reason, count(*) from quarantine.records"
            " where source = 'bpsdm_daerah' and entity = %s group by reason",
            (entity,),
        ).fetchall()
    return dict(rows)


def raw_records(target: WarehouseTarget, entity: str) -> list[dict[str, Any]]:
    with connect(target) as conn:
        rows = conn.execute(
            f"select record from raw.bpsdm_daerah__{entity} order by _batch_id"  # entity is ours
        ).fetchall()
    return [row[0] for row in rows]


def table_state(target: WarehouseTarget) -> tuple[Any, ...]:
    with connect(target) as conn:
        return tuple(
            conn.execute(query).fetchone()
            for query in (
                "select count(*) from meta.load_batches",
                "select count(*) from meta.file_loads",
                "select count(*) from quarantine.records",
                "select count(*), coalesce(sum(hashtext(record::text)), 0)"
                " from raw.bpsdm_daerah__participations",
            )
        )


def files_under(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()]


def test_the_simulators_drop_loads_as_its_truth_says(
    warehouse: WarehouseTarget, tmp_path: Path
) -> None:
    sources = build_sources(SEED, ASN)
    landing = tmp_path / "landing"
    write_files(sources, landing)
    truth = compute_truth(sources, WORLD_END_MS, include_files=True)

    result = sweep_landing(landing, target=warehouse)

    rejected = sorted(
        (str(Path(s["file"]).relative_to(landing / ".rejected")), s["reason"])
        for s in result["summaries"]
        if s["status"] == "rejected"
    )
    assert rejected == sorted((r["path"], r["reason"]) for r in truth["files"]["rejected"])
    for entity in ("participations", "assessments"):
        served = truth["rows_served"][f"bpsdm_daerah.{entity}"]
        summaries = [s for s in result["summaries"] if s["report_type"] == entity]
        assert sum(s["rows_read"] for s in summaries) == served
        expected = {
            reason: n
            for reason, n in truth["invalid_records"].get(f"bpsdm_daerah.{entity}", {}).items()
            if reason in AT_INGEST
        }
        assert quarantine_counts(warehouse, entity) == expected
        assert len(raw_records(warehouse, entity)) == served - sum(expected.values())
    for summary in result["summaries"]:
        assert summary["rows_read"] == summary["rows_loaded"] + summary["rows_quarantined"]
    assert not list(landing.glob("[0-9]*/*/*")), "files left in the landing zone"
    assert not files_under(landing / ".claimed")

    # Dropping the whole drop again changes nothing.
    state = table_state(warehouse)
    done = files_under(landing / ".done")
    for path in done:
        relative = path.relative_to(landing / ".done")
        (landing / relative).parent.mkdir(parents=True, exist_ok=True)
        path.rename(landing / relative)
    again = sweep_landing(landing, target=warehouse)
    assert again["by_status"] == {"duplicate": len(done)}
    assert table_state(warehouse) == state


def write_csv(
    path: Path, rows: list[list[str]], *, delimiter: str = ",", encoding: str = "utf-8"
) -> Path:
    text = io.StringIO()
    csv.writer(text, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path.write_bytes(text.getvalue().encode(encoding))
    return path


@pytest.mark.parametrize(
    ("delimiter", "encoding"),
    [(";", "cp1252"), (",", "utf-8-sig"), (";", "utf-8"), (",", "cp1252")],
)
def test_csv_delimiters_and_encodings(
    warehouse: WarehouseTarget, tmp_path: Path, delimiter: str, encoding: str
) -> None:
    row = [*GOOD_ROW[:1], "Ni Luh Putu Ayu Widyastuti, S.Sos — Kepala Seksi", *GOOD_ROW[2:]]
    path = write_csv(
        tmp_path / "peserta.csv", [HEADER, row], delimiter=delimiter, encoding=encoding
    )
    summary = ingest_file(path, "35.15", target=warehouse)
    assert (summary.status, summary.rows_loaded, summary.report_type) == (
        "loaded",
        1,
        "participations",
    )
    [record] = raw_records(warehouse, "participations")
    assert record["nama"] == row[1]
    assert record["biaya"] == "Rp 25.000.000,00"
    assert record["tanggal_mulai"] == "14 Desember 2022"
    assert (record["region_code"], record["file_name"], record["row_number"]) == (
        "35.15",
        "peserta.csv",
        2,
    )


def test_header_variants_title_rows_and_region_columns(
    warehouse: WarehouseTarget, tmp_path: Path
) -> None:
    header = ["NIP_PESERTA", "nama peserta", "ASAL INSTANSI", "Judul Pelatihan", "Jenis",
              "Tanggal Mulai", "Jam Pelajaran", "Keterangan Lulus", "Sumber Anggaran",
              "Biaya Per Peserta", "Catatan Kabupaten"]  # fmt: skip
    row = ["19900101 202001 1 001", "Budi", "Pemkab Sidoarjo", "Latsar CPNS", "latsar",
           "2023-03-01", "40", "lulus", "APBD", "Rp25,000,000", "=SUM(A1:A9)"]  # fmt: skip
    path = write_csv(
        tmp_path / "laporan.csv", [["LAPORAN PESERTA PELATIHAN 2023"], [], header, row]
    )
    summary = ingest_file(path, "35.15", target=warehouse)
    assert summary.rows_loaded == 1, summary
    [record] = raw_records(warehouse, "participations")
    assert record["nip"] == "19900101 202001 1 001"
    assert record["instansi_asal"] == "Pemkab Sidoarjo"
    assert record["jp"] == "40"
    assert record["hasil"] == "lulus"
    assert record["sumber_dana"] == "APBD"
    assert record["_extra"] == {"Catatan Kabupaten": "=SUM(A1:A9)"}
    assert record["_raw"]["NIP_PESERTA"] == "19900101 202001 1 001"


def test_xlsx_serial_dates_date_cells_formulas_and_big_nips(
    warehouse: WarehouseTarget, tmp_path: Path
) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["NIP Peserta", "Instansi", "Jabatan", "Kompetensi", "Standar", "Level Capaian",
                  "Tgl Asesmen", "Keterangan"])  # fmt: skip
    sheet.append(["199001012020011001", "35", "Analis Kebijakan", "teknis", 3, 2, 44909, "@import"])
    sheet.append(["198502282019212005", "35", "Analis", "manajerial", 4, 4,
                  dt.datetime(2023, 1, 5), "+62 812"])  # fmt: skip
    sheet.append(["199001012020011002", "35", "Analis", "teknis", 3, 2, "31/02/2023", ""])
    sheet.append(["199001012020011003", "35", "Analis", "teknis", 3, 9, "2023-01-05", ""])
    sheet["H5"] = "=1+1"  # a real formula cell: kept as its text, never evaluated
    # A NIP typed as a number: Excel keeps 15 significant digits, so it is already lost.
    sheet.append([199001012020011004, "35", "Analis", "teknis", 3, 2, "2023-01-05", ""])
    path = tmp_path / "asesmen.xlsx"
    book.save(path)

    summary = ingest_file(path, "35", target=warehouse)
    assert summary.report_type == "assessments"
    assert (summary.rows_read, summary.rows_loaded, summary.rows_quarantined) == (5, 2, 3)
    assert summary.quarantine_reasons == {"invalid_date": 1, "invalid_level": 1, "invalid_nip": 1}
    first, second = raw_records(warehouse, "assessments")
    assert first["nip"] == "199001012020011001"
    assert first["tanggal_asesmen"] == "2022-12-14"  # Excel serial 44909
    assert first["level_standar"] == "3"
    assert first["_extra"] == {"Keterangan": "@import"}
    assert second["tanggal_asesmen"] == "2023-01-05"
    assert second["_extra"] == {"Keterangan": "+62 812"}
    with connect(warehouse) as conn:
        (formula,) = conn.execute(
            "select record -> '_extra' ->> 'Keterangan' from quarantine.records"
            " where reason = 'invalid_level'"
        ).fetchone()
    assert formula == "=1+1"
    with connect(warehouse) as conn:
        (detail,) = conn.execute(
            "select record ->> '_detail' from quarantine.records where reason = 'invalid_nip'"
        ).fetchone()
    assert "digits lost" in detail


def test_bad_rows_are_quarantined_with_reasons_and_counts_balance(
    warehouse: WarehouseTarget, tmp_path: Path
) -> None:
    def variant(**changes: str) -> list[str]:
        row = dict(zip(HEADER, GOOD_ROW, strict=True))
        row.update(changes)
        return list(row.values())

    rows = [
        HEADER,
        GOOD_ROW,
        variant(NIP="19900101202001100"),  # 17 digits
        variant(NIP="199002302020011001"),  # 30 February birth date
        variant(**{"Tgl Mulai": "31/02/2023"}),
        variant(**{"Tgl Mulai": "2023-03-10", "Tgl Selesai": "2023-03-01"}),
        variant(JP="-8"),
        variant(JP="delapan"),
        variant(**{"Biaya (Rp)": "-Rp 5.000"}),
        variant(**{"Instansi Asal": ""}),
        variant(**{"Nama Pelatihan": " "}),
        ["", "", "", "", "", "", "", "", "", ""],  # a blank row is no row
    ]
    summary = ingest_file(write_csv(tmp_path / "bad.csv", rows), "35.15", target=warehouse)
    assert summary.rows_read == 10
    assert summary.rows_read == summary.rows_loaded + summary.rows_quarantined
    assert summary.rows_loaded == 1
    assert summary.quarantine_reasons == {
        "invalid_nip": 2,
        "invalid_date": 2,
        "negative_jp": 1,
        "invalid_jp": 1,
        "negative_amount": 1,
        "missing_required": 2,
    }
    assert quarantine_counts(warehouse, "participations") == summary.quarantine_reasons
    with connect(warehouse) as conn:
        record = conn.execute(
            "select record from quarantine.records where reason = 'negative_jp'"
        ).fetchone()[0]
    assert record["_raw"]["JP"] == "-8"
    assert record["row_number"] == 7
    assert "negative" in record["_detail"]


def test_unreadable_files_are_rejected_whole(warehouse: WarehouseTarget, tmp_path: Path) -> None:
    corrupt = tmp_path / "laporan.xlsx"
    corrupt.write_bytes(b"PK\x03\x04 this is not really a workbook")
    pdf = tmp_path / "scan.csv"
    pdf.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\x00\n")
    word = tmp_path / "laporan.docx"
    word.write_bytes(b"whatever")
    big = write_csv(tmp_path / "big.csv", [HEADER] + [GOOD_ROW] * 40_000)  # ~4 MB
    no_header = write_csv(tmp_path / "catatan.csv", [["Catatan rapat"], ["tidak ada data"]])

    from sinergi.ingestion.registry import load_registry

    small_limit = (
        load_registry()
        .source("bpsdm_daerah")
        .__class__(**{**load_registry().source("bpsdm_daerah").__dict__, "max_file_mb": 1})
    )
    reasons = {
        path.name: ingest_file(path, "35.15", target=warehouse, source=small_limit).reason
        for path in (corrupt, pdf, word, big, no_header)
    }
    assert reasons == {
        "laporan.xlsx": "corrupt_xlsx",
        "scan.csv": "wrong_type",
        "laporan.docx": "wrong_type",
        "big.csv": "too_large",
        "catatan.csv": "no_header",
    }
    with connect(warehouse) as conn:
        statuses = Counter(
            row[0] for row in conn.execute("select status from meta.file_loads").fetchall()
        )
        loaded = conn.execute(
            "select count(*) from meta.load_batches where status = 'succeeded'"
        ).fetchone()
        summary = conn.execute(
            "select summary from meta.file_loads where path like '%%big.csv'"
        ).fetchone()[0]
    assert statuses == {"rejected": 5}
    assert loaded == (0,)
    assert summary["status"] == "rejected" and "limit" in summary["detail"]
    again = ingest_file(corrupt, "35.15", target=warehouse)
    assert (again.status, again.reason) == ("rejected", "corrupt_xlsx")
    with connect(warehouse) as conn:
        assert conn.execute("select count(*) from meta.file_loads").fetchone() == (5,)


def test_the_cli_prints_the_summary_json(
    warehouse: WarehouseTarget, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import typer
    from typer.testing import CliRunner

    from sinergi.ingestion.cli import ingest_file as ingest_file_command

    monkeypatch.setenv("SINERGI_WAREHOUSE_URL", warehouse.url)
    app = typer.Typer()
    app.command()(ingest_file_command)
    path = write_csv(tmp_path / "p.csv", [HEADER, GOOD_ROW], delimiter=";")
    result = CliRunner().invoke(app, [str(path), "--region", "35.15"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert {k: summary[k] for k in ("rows_read", "rows_loaded", "rows_quarantined", "status")} == {
        "rows_read": 1,
        "rows_loaded": 1,
        "rows_quarantined": 0,
        "status": "loaded",
    }
    assert summary["quarantine_reasons"] == {}


def test_the_same_bytes_from_two_regions_are_two_reports(
    warehouse: WarehouseTarget, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "peserta.csv", [HEADER, GOOD_ROW], delimiter=",", encoding="utf-8")
    first = ingest_file(path, "35.15", target=warehouse)
    second = ingest_file(path, "36.01", target=warehouse)
    again = ingest_file(path, "36.01", target=warehouse)

    assert (first.status, second.status) == ("loaded", "loaded")
    assert again.rows_loaded == 0
    regions = sorted(record["region_code"] for record in raw_records(warehouse, "participations"))
    assert regions == ["35.15", "36.01"]
