"""The bpsdm_daerah file drop: every contract variant present, readable, deterministic."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pytest

from sinergi_simulator import build_sources, landing
from sinergi_simulator.files import PARTICIPATION_HEADERS, write_files
from sinergi_simulator.timeline import WORLD_END_MS
from sinergi_simulator.truth import compute_truth

pytestmark = pytest.mark.integration

SEED, N_ASN = 11, 1200


@pytest.fixture(scope="module")
def sources():
    return build_sources(SEED, N_ASN)


@pytest.fixture(scope="module")
def drop(sources, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("landing")
    write_files(sources, out)
    return out


def _read(path: Path) -> tuple[list[str], list[list], dict]:
    """Header, rows and how the file was written."""
    if path.suffix == ".xlsx":
        book = openpyxl.load_workbook(path, read_only=True)
        rows = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
        book.close()
        return [str(h) for h in rows[0]], rows[1:], {"ext": "xlsx"}
    raw = path.read_bytes()
    bom = raw.startswith(b"\xef\xbb\xbf")
    try:
        text, encoding = raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        text, encoding = raw.decode("cp1252"), "cp1252"
    delimiter = ";" if text.splitlines()[0].count(";") > text.splitlines()[0].count(",") else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    return rows[0], rows[1:], {"ext": "csv", "bom": bom, "enc": encoding, "delim": delimiter}


def _norm(header: str) -> str:
    return "".join(ch for ch in header.lower() if ch.isalnum())


def test_drop_layout_and_variants(sources, drop):
    truth = compute_truth(sources, WORLD_END_MS)
    rejected = {r["path"] for r in truth["files"]["rejected"]}
    files = sorted(p for p in drop.rglob("*") if p.is_file())
    assert rejected and rejected <= {str(p.relative_to(drop)) for p in files}
    seen_headers: set[str] = set()
    styles: set[tuple] = set()
    participation_rows = assessment_rows = 0
    formulas = 0
    for path in files:
        rel = path.relative_to(drop)
        region, month = rel.parts[0], rel.parts[1]
        assert region in truth["institution_variants"].values() and len(month) == 7
        if str(rel) in rejected:
            with pytest.raises(
                (zipfile.BadZipFile, UnicodeDecodeError, ValueError, KeyError, OSError)
            ):
                if path.suffix == ".xlsx":
                    openpyxl.load_workbook(path)
                else:
                    path.read_bytes().decode("utf-8")
            continue
        header, rows, how = _read(path)
        styles.add(tuple(sorted(how.items())))
        seen_headers |= {_norm(h) for h in header}
        if path.name.startswith("peserta"):
            participation_rows += len(rows)
        else:
            assessment_rows += len(rows)
        formulas += sum(
            1 for row in rows for v in row if isinstance(v, str) and v[:1] in "=+@" and v[1:]
        )
    assert participation_rows == truth["rows_served"]["bpsdm_daerah.participations"]
    assert assessment_rows == truth["rows_served"]["bpsdm_daerah.assessments"]
    assert formulas > 0, "formula-like text is stored as text"
    exts = {dict(s)["ext"] for s in styles}
    assert exts == {"csv", "xlsx"}
    csv_styles = [dict(s) for s in styles if dict(s)["ext"] == "csv"]
    assert {s["delim"] for s in csv_styles} == {",", ";"}
    assert {s["enc"] for s in csv_styles} == {"utf-8", "cp1252"}
    assert {s["bom"] for s in csv_styles} == {True, False}
    accepted = {_norm(h) for options in PARTICIPATION_HEADERS.values() for h in options}
    assert len(accepted & seen_headers) >= len(accepted) - 2


def test_date_and_amount_formats_present(drop):
    text = "\n".join(
        p.read_bytes().decode("utf-8-sig", errors="replace")
        for p in drop.rglob("*.csv")
        if not p.name.startswith("scan_")
    )
    for marker in ("Desember", " Des ", "/20", "-12-", "Rp "):
        assert marker in text, marker
    serials = [c for c in text.replace(";", ",").split(",") if c.isdigit() and len(c) == 5]
    assert serials, "Excel serial dates appear in CSV too"


def test_same_seed_same_bytes(sources, drop, tmp_path):
    write_files(build_sources(SEED, N_ASN), tmp_path)
    ours = {p.relative_to(drop): p.read_bytes() for p in drop.rglob("*") if p.is_file()}
    theirs = {p.relative_to(tmp_path): p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    assert ours == theirs


def test_truth_reads_a_file_without_status_as_lulus(sources, drop, monkeypatch):
    status_headers = {_norm(h) for h in PARTICIPATION_HEADERS["hasil"]}
    silent_files = 0
    for path in drop.rglob("peserta_pelatihan_*"):
        header, _, _ = _read(path)
        region, month = path.relative_to(drop).parts[:2]
        folder = sources.world.inst.codes.index(region)
        period = (int(month[:4]) - 2022) * 12 + int(month[5:]) - 12
        lacks = bool(landing.lacks_status(sources, np.array([folder]), period)[0])
        assert lacks == (not status_headers & {_norm(h) for h in header}), path
        silent_files += lacks
    assert silent_files, "some participation files come without a Status column"
    as_written = compute_truth(sources, WORLD_END_MS)["participations"]["by_year_result"]
    monkeypatch.setattr(landing, "lacks_status", lambda s, f, p: np.zeros(len(f), dtype=bool))
    hidden = compute_truth(sources, WORLD_END_MS)["participations"]["by_year_result"]
    assert sum(y["lulus"] for y in as_written.values()) > sum(y["lulus"] for y in hidden.values())
