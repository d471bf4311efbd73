"""A landing sweep of many files: one connection, group commits, one batch per file.

Sessions are PostgreSQL's own count (`pg_stat_database.sessions`), read from
another database once every backend of the test database has exited.
"""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import openpyxl
import psycopg
import pytest
from test_file_drops import GOOD_ROW, HEADER, table_state, write_csv

from sinergi.ingestion import landing as landing_module
from sinergi.ingestion.file_drop import file_sha256
from sinergi.ingestion.landing import sweep_landing
from sinergi.ingestion.raw_loader import ensure_raw_table
from sinergi.warehouse.connection import WarehouseTarget, connect

pytestmark = pytest.mark.integration

FILES = 200
BROKEN = 117  # the file that breaks half-way, in the middle of a commit group


def sessions(target: WarehouseTarget) -> int:
    """Sessions opened on the database so far (a backend's count is flushed as it exits)."""
    with psycopg.connect(target.with_database("postgres").conninfo, autocommit=True) as conn:
        deadline = time.monotonic() + 30
        while conn.execute(
            "select count(*) from pg_stat_activity where datname = %s", (target.dbname,)
        ).fetchone() != (0,):
            assert time.monotonic() < deadline, "backends of the test database still running"
            time.sleep(0.05)
        conn.execute("select pg_stat_clear_snapshot()")
        row = conn.execute(
            "select sessions from pg_stat_database where datname = %s", (target.dbname,)
        ).fetchone()
    assert row is not None
    return int(row[0])


def half_readable_workbook(path: Path, rows: int) -> Path:
    """An .xlsx whose sheet is cut half-way: the reader gives rows, then fails."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for number in range(rows):
        sheet.append([f"1985022820192120{number:02d}", *GOOD_ROW[1:]])
    whole = io.BytesIO()
    book.save(whole)
    with (
        zipfile.ZipFile(io.BytesIO(whole.getvalue())) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as cut,
    ):
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]
            cut.writestr(info, data)
    return path


def drop_files(landing: Path) -> dict[str, Path]:
    """200 small reports over regions and months; one breaks half-way; by file name."""
    dropped = {}
    for number in range(FILES):
        folder = landing / f"35.{number % 20 + 1:02d}" / f"2024-{number % 12 + 1:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        if number == BROKEN:
            path = half_readable_workbook(folder / f"laporan_{number:03d}.xlsx", 60)
        else:
            nips = [f"199001012020011{number * 3 + row + 1:03d}" for row in range(3)]
            rows = [[nip, *GOOD_ROW[1:]] for nip in nips]
            rows[2][7] = "-8"  # negative JP: quarantined
            path = write_csv(folder / f"peserta_{number:03d}.csv", [HEADER, *rows])
        dropped[path.name] = path
    return dropped


def test_a_sweep_of_many_files_uses_one_connection_and_a_broken_file_loads_nothing(
    warehouse: WarehouseTarget, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(landing_module, "GROUP_FILES", 50)  # four commit groups
    landing = tmp_path / "landing"
    dropped = drop_files(landing)
    checksums = {name: file_sha256(path) for name, path in dropped.items()}
    broken = f"laporan_{BROKEN:03d}.xlsx"
    before = sessions(warehouse)

    result = sweep_landing(landing, target=warehouse)

    assert sessions(warehouse) - before == 1, "one connection for the whole sweep"
    assert result["by_status"] == {"loaded": FILES - 1, "rejected": 1}
    by_name = {Path(s["file"]).name: s for s in result["summaries"]}
    assert by_name[broken]["reason"] == "corrupt_xlsx"
    assert 0 < by_name[broken]["rows_rejected"] < 60  # it broke after rows were read
    assert (result["rows_loaded"], result["rows_quarantined"]) == (2 * (FILES - 1), FILES - 1)
    with connect(warehouse) as conn:
        batches = conn.execute(
            "select b.status, f.path, f.file_sha256, f.status, b.rows_loaded,"
            " b.rows_quarantined,"
            " (select count(*) from raw.bpsdm_daerah__participations r"
            "  where r._batch_id = b.batch_id),"
            " (select count(*) from quarantine.records q where q.batch_id = b.batch_id)"
            " from meta.load_batches b left join meta.file_loads f using (batch_id)"
        ).fetchall()
        rejected = conn.execute(
            "select path, file_sha256, summary ->> 'reason' from meta.file_loads"
            " where status = 'rejected'"
        ).fetchall()
        from_broken = conn.execute(
            "select count(*) from raw.bpsdm_daerah__participations"
            " where record ->> 'file_name' = %s",
            (broken,),
        ).fetchone()
    loaded = [row for row in batches if row[0] == "succeeded"]
    assert len(loaded) == FILES - 1  # one batch per file, with its checksum
    for _, path, sha256, status, rows_loaded, rows_quarantined, raw, quarantined in loaded:
        name = Path(path).name
        assert (sha256, status) == (checksums[name], "loaded")
        assert (rows_loaded, raw, rows_quarantined, quarantined) == (2, 2, 1, 1), name
    [failed] = [row for row in batches if row[0] == "failed"]  # the broken file's batch
    assert failed[1] is None and failed[6] == failed[7] == 0  # rolled back: nothing kept
    assert [(Path(path).name, sha, reason) for path, sha, reason in rejected] == [
        (broken, checksums[broken], "corrupt_xlsx")
    ]
    assert from_broken == (0,)
    assert (landing / ".rejected").joinpath(*dropped[broken].relative_to(landing).parts).exists()
    assert len([p for p in (landing / ".done").rglob("*") if p.is_file()]) == FILES - 1

    # The whole drop again: every file skipped by its checksum, nothing written.
    state = table_state(warehouse)
    for area in (".done", ".rejected"):
        for path in [p for p in (landing / area).rglob("*") if p.is_file()]:
            back = landing / path.relative_to(landing / area)
            back.parent.mkdir(parents=True, exist_ok=True)
            path.rename(back)
    before = sessions(warehouse)
    again = sweep_landing(landing, target=warehouse)
    assert sessions(warehouse) - before == 1
    assert again["by_status"] == {"duplicate": FILES - 1, "rejected": 1}
    assert table_state(warehouse) == state


def test_a_file_the_server_refuses_fails_alone_and_the_rest_of_its_group_loads(
    warehouse: WarehouseTarget, tmp_path: Path
) -> None:
    """A group of files is written at once. When the server refuses that write (here a
    check on raw rows, broken by one file's row), the group is rolled back and loaded
    file by file: the refused file goes to `.failed` with the server's error and is not
    recorded as seen; every other file of the group loads, one batch each."""
    landing = tmp_path / "landing"
    folder = landing / "35.15" / "2024-01"
    folder.mkdir(parents=True)
    for number in range(5):
        row = [f"19900101202001100{number}", *GOOD_ROW[1:]]
        write_csv(folder / f"peserta_{number}.csv", [HEADER, row])
    with connect(warehouse) as conn:
        ensure_raw_table(conn, "bpsdm_daerah__participations")
        conn.execute(
            "alter table raw.bpsdm_daerah__participations add constraint not_peserta_2"
            " check (record ->> 'file_name' <> 'peserta_2.csv')"
        )
        conn.commit()

    result = sweep_landing(landing, target=warehouse)

    assert result["by_status"] == {"loaded": 4, "failed": 1}
    [failed] = [s for s in result["summaries"] if s["status"] == "failed"]
    assert Path(failed["file"]).name == "peserta_2.csv" and "not_peserta_2" in failed["detail"]
    assert (landing / ".failed" / "35.15" / "2024-01" / "peserta_2.csv").exists()
    assert len(list((landing / ".done").rglob("*.csv"))) == 4
    with connect(warehouse) as conn:
        files = conn.execute("select path from meta.file_loads order by path").fetchall()
        batches = conn.execute(
            "select status, count(*) from meta.load_batches group by status order by status"
        ).fetchall()
        raw = conn.execute(
            "select record ->> 'file_name' from raw.bpsdm_daerah__participations order by 1"
        ).fetchall()
    assert [Path(path).name for (path,) in files] == [f"peserta_{n}.csv" for n in (0, 1, 3, 4)]
    assert batches == [("failed", 1), ("succeeded", 4)]
    assert raw == [(f"peserta_{n}.csv",) for n in (0, 1, 3, 4)]
