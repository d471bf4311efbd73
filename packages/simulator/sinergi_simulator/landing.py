"""Layout of the `bpsdm_daerah` file drop: which rows go into which region-month folder.

Shared by the file writer (`files.py`) and the truth manifest, so the truth
counts exactly the rows that are written. A folder `<region>/<yyyy-mm>` is
uploaded near the end of its month (`upload_ms`); the truth at a clock counts
only folders uploaded by then, and `files --until` writes only those.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sinergi_simulator import rand
from sinergi_simulator.entities import Sources
from sinergi_simulator.timeline import PERIOD_LEN_MS, PERIOD_START_MS, period_year_month

if TYPE_CHECKING:
    from sinergi_simulator.world import World

DAY_MS = 86_400_000
HOST_REPORT, ORIGIN_REPORT, JUNK_ROW = 0, 1, 2
PARTICIPATION_REASONS = (
    "invalid_nip",
    "invalid_date",
    "negative_jp",
    "unknown_training",
    "missing_required",
)
ASSESSMENT_REASONS = ("invalid_nip", "invalid_date", "invalid_level", "missing_required")
BROKEN_KINDS = ("corrupt_xlsx", "wrong_type")

# The columns of each report type: logical field -> the headers a region may use.
PARTICIPATION_HEADERS: dict[str, tuple[str, ...]] = {
    "nip": ("NIP", "NIP Peserta", "No. Induk Pegawai"),
    "nama": ("Nama", "Nama Peserta"),
    "instansi": ("Instansi Asal", "Instansi", "Asal Instansi", "Kode Instansi"),
    "pelatihan": ("Nama Pelatihan", "Pelatihan", "Judul Pelatihan"),
    "kode": ("Kode Pelatihan",),
    "jenis": ("Jenis Pelatihan", "Jenis"),
    "mulai": ("Tgl Mulai", "Tanggal Mulai"),
    "selesai": ("Tgl Selesai", "Tanggal Selesai"),
    "jp": ("JP", "Jumlah JP", "Jam Pelajaran"),
    "hasil": ("Status", "Hasil", "Keterangan Lulus"),
    "sumber": ("Sumber Dana", "Sumber Anggaran"),
    "biaya": ("Biaya", "Biaya (Rp)", "Biaya Per Peserta"),
}
ASSESSMENT_HEADERS: dict[str, tuple[str, ...]] = {
    "nip": ("NIP", "NIP Peserta", "No. Induk Pegawai"),
    "nama": ("Nama", "Nama Peserta"),
    "instansi": ("Instansi", "Instansi Asal", "Asal Instansi", "Kode Instansi"),
    "jabatan": ("Jabatan", "Nama Jabatan"),
    "kompetensi": ("Jenis Kompetensi", "Kompetensi"),
    "standar": ("Level Standar", "Standar"),
    "capaian": ("Level Hasil", "Hasil Asesmen", "Level Capaian"),
    "tanggal": ("Tanggal Asesmen", "Tgl Asesmen"),
}
OPTIONAL = {"nama", "kode", "selesai", "hasil", "sumber", "biaya"}
STYLE_DRAWS = 24  # uniforms behind one file's style (format, headers, delimiter, ...)


@dataclass(frozen=True)
class FileRows:
    """Rows of one (period, block) bound for files: source record, folder, kind, defect."""

    src: np.ndarray  # index into the period's true table (participations or assessments)
    folder: np.ndarray  # institution index whose folder receives the row
    kind: np.ndarray  # HOST_REPORT | ORIGIN_REPORT | JUNK_ROW
    reason: np.ndarray  # -1 or index into the reasons tuple
    how: np.ndarray


def upload_ms(seed: int, folder: np.ndarray, period: int) -> np.ndarray:
    """When a region uploads its folder for a month: in the month's last days."""
    key = folder.astype(np.int64) * 64 + period
    u = rand.hash_u01(seed, "upload", key)
    end = int(PERIOD_START_MS[period] + PERIOD_LEN_MS[period])
    back = (1 + np.floor(u * 4).astype(np.int64)) * DAY_MS
    return (
        end
        - back
        + np.floor(rand.hash_u01(seed, "upload-hour", key) * 12 * 3600_000).astype(np.int64)
    )


def planted_delay_days(world: World, folder: np.ndarray) -> np.ndarray:
    """Whole days each folder's region uploads after its month ends (ReportingProfiles)."""
    top = world.config.reporting.max_delay_days
    u = rand.hash_u01(world.seed, "report-delay", folder.astype(np.int64))
    return np.floor(u * (top + 1)).astype(np.int64)


def planted_error_rate(world: World, folder: np.ndarray) -> np.ndarray:
    """Expected share of defective rows in each folder's region's files (ReportingProfiles)."""
    top = world.config.reporting.max_error_rate
    return rand.hash_u01(world.seed, "report-error", folder.astype(np.int64)) * top


def folder_upload_ms(world: World, folder: np.ndarray, period: int) -> np.ndarray:
    """When a region uploads its folder for a month: `upload_ms`, or with planted
    reporting profiles its delay in days after the month ends plus up to 12 hours."""
    if not world.config.reporting.enabled:
        return upload_ms(world.seed, folder, period)
    key = folder.astype(np.int64) * 64 + period
    end = int(PERIOD_START_MS[period] + PERIOD_LEN_MS[period])
    hours = np.floor(rand.hash_u01(world.seed, "upload-hour", key) * 12 * 3600_000)
    return end + planted_delay_days(world, folder) * DAY_MS + hours.astype(np.int64)


def style_uniforms(sources: Sources, folder: np.ndarray, period: int, report: str) -> np.ndarray:
    """(folders, STYLE_DRAWS) uniforms a file's style is drawn from (see files.file_style)."""
    key = (folder.astype(np.int64) * 64 + period) * 2 + (report == "assessments")
    seed = sources.world.seed
    return np.stack(
        [rand.hash_u01(seed, f"file-style-{i}", key) for i in range(STYLE_DRAWS)], axis=-1
    )


def column_dropped(sources: Sources, u: np.ndarray | float) -> np.ndarray | bool:
    """Whether a file leaves an optional column out, from that column's style uniform."""
    return u < min(1.0, sources.world.mess.drift_rate * 10) * 0.5


def lacks_status(sources: Sources, folder: np.ndarray, period: int) -> np.ndarray:
    """Per participation folder: its file has no Status column (its rows then mean lulus)."""
    draw = 1 + list(PARTICIPATION_HEADERS).index("hasil")
    u = style_uniforms(sources, folder, period, "participations")[..., draw]
    return np.asarray(column_dropped(sources, u), dtype=bool)


def folder_name(sources: Sources, folder: int, period: int) -> str:
    year, month = period_year_month(period)
    return f"{sources.world.inst.codes[folder]}/{year:04d}-{month:02d}"


def _with_junk(
    world: World, purpose: str, period: int, block: int, src, folder, kind, reasons: int
) -> FileRows:
    gen = rand.rng(world.seed, purpose, period, block)
    n = len(src)
    if world.config.reporting.max_error_rate > 0:
        # each row gets a defective copy with odds s / (1 - s): a share s of the rows
        share = planted_error_rate(world, folder)
        pick = np.flatnonzero(gen.random(n) < share / (1 - share))
        count = len(pick)
    else:
        count = int(gen.binomial(n, world.mess.invalid_rate)) if n else 0
        pick = gen.integers(0, max(n, 1), count)
    order = gen.permutation(n + count)
    return FileRows(
        src=np.concatenate([src, src[pick]])[order],
        folder=np.concatenate([folder, folder[pick]])[order],
        kind=np.concatenate([kind, np.full(count, JUNK_ROW)])[order],
        reason=np.concatenate([np.full(n, -1), gen.integers(0, reasons, count)])[order],
        how=np.concatenate([np.zeros(n, np.int64), gen.integers(0, 1 << 20, count)])[order],
    )


def participation_file_rows(sources: Sources, period: int, block: int) -> FileRows:
    """Host reports of file-only participations (host's folder) and origin duplicates."""
    world = sources.world
    act = world.participations(period, block)
    c = act.columns
    host_idx = np.flatnonzero(c["file_primary"])
    dup_idx = np.flatnonzero(c["dup_file"])
    src = np.concatenate([host_idx, dup_idx])
    folder = np.concatenate([c["host"][host_idx], c["inst"][dup_idx]])
    kind = np.concatenate(
        [np.full(len(host_idx), HOST_REPORT), np.full(len(dup_idx), ORIGIN_REPORT)]
    )
    return _with_junk(
        world, "file-participations", period, block, src, folder, kind, len(PARTICIPATION_REASONS)
    )


def assessment_file_rows(sources: Sources, period: int, block: int) -> FileRows:
    """Assessments a region reports by file (its own ASN, its own folder)."""
    world = sources.world
    act = world.assessments(period, block)
    src = np.flatnonzero(act.columns["by_file"])
    folder = world.asn_core(block).inst[act.owner[src]]
    kind = np.full(len(src), HOST_REPORT)
    return _with_junk(
        world, "file-assessments", period, block, src, folder, kind, len(ASSESSMENT_REASONS)
    )


def broken_files(sources: Sources, folders: list[tuple[int, int]]) -> list[tuple[int, int, int]]:
    """(folder, period, broken kind) of the extra unreadable files among existing folders."""
    rate = sources.world.mess.broken_file_rate
    if not folders or rate <= 0:
        return []
    keys = np.array([f * 64 + p for f, p in folders], dtype=np.int64)
    u = rand.hash_u01(sources.world.seed, "broken-file", keys)
    return [
        (f, p, int(u[i] / rate * len(BROKEN_KINDS)) % len(BROKEN_KINDS))
        for i, (f, p) in enumerate(folders)
        if u[i] < rate
    ]
