"""The landing zone of regional uploads: find, claim, load and file away each new file.

Layout: `<landing>/<region code>/<yyyy-mm>/<file>`. A file is *claimed* by an
atomic rename into `<landing>/.claimed/…` (so two sweeps, or the watcher and
a sweep, never load it twice), loaded by the file-drop contract, then moved
to `.done/…` or `.rejected/…`. A crash between claim and load leaves the file
in `.claimed`, and the next sweep loads it; the checksum in `meta.file_loads`
makes that safe. Uploaders should write under a temporary name (a leading
`.`, or `.tmp`/`.part`) and rename when complete: such names are ignored.

Nothing leaves the landing folder: paths are only ever listed, never built
from a name given to us (an event's payload is not read), symbolic links are
never followed (a link is moved, as a link, to `.rejected/` unread), and
every move checks that source and destination resolve inside the landing
folder. Only regular files are read (a FIFO would block the sweep).

A sweep loads over one connection and commits files in groups (each file
still its own batch), then moves the group's files out of `.claimed`: files
are read ahead (`file_groups`) and a group is written in a few round trips,
so thousands of small uploads cost one connection and a commit per group,
not two connections, ten round trips and a commit each. New files are
claimed as the sweep comes to read them.

One bad file never stops a sweep: a file whose load fails unexpectedly is
rolled back alone and moved to `.failed/` (kept, not recorded as seen, so
dropping it again after a fix loads it) and the sweep goes on; only a lost
warehouse connection stops it, leaving the files of the uncommitted group and
the remaining ones claimed for the next sweep. Entries the
layout does not explain (a folder `3273` instead of `32.73`, a month
`2023-8`, a file outside a month folder) are left where they are and listed
under `ignored`, every sweep, so they are seen rather than silently skipped.
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections import Counter
from collections.abc import Generator, Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sinergi.ingestion.file_values import safe_text
from sinergi.ingestion.registry import Source, load_registry
from sinergi.paths import state_dir
from sinergi.warehouse.connection import WarehouseTarget, connect, resolve_target

if TYPE_CHECKING:
    from sinergi.ingestion.file_drop import FileLoader
    from sinergi.ingestion.file_groups import PreparedFile

log = logging.getLogger(__name__)

LANDING_VARIABLE = "SINERGI_LANDING_DIR"
CLAIMED, DONE, REJECTED, FAILED = ".claimed", ".done", ".rejected", ".failed"
_REGION = re.compile(r"^\d{2}(\.\d{2})?$")
_MONTH = re.compile(r"^\d{4}-\d{2}$")
_PARTIAL_SUFFIXES = (".tmp", ".part", ".crdownload", ".partial")
GROUP_FILES, GROUP_SECONDS = 200, 2.0  # files committed together at most, and for how long
GROUP_BYTES = 16 << 20  # and the prepared rows a group holds in memory at most
_TEMPORARY = "a temporary name (an upload still being written?): loaded once renamed"


class LandingError(RuntimeError):
    """The landing zone itself is unsafe to use (an area folder is a link, a move would
    leave it)."""


def landing_dir(source: Source | None = None) -> Path:
    """`SINERGI_LANDING_DIR`, else the registry's `landing_dir` under the state dir."""
    override = os.environ.get(LANDING_VARIABLE)
    if override:
        return Path(override)
    source = source or load_registry().source("bpsdm_daerah")
    path = Path(source.landing_dir)
    return path if path.is_absolute() else state_dir() / path


def is_complete_upload(name: str) -> bool:
    return not name.startswith(".") and not name.lower().endswith(_PARTIAL_SUFFIXES)


def _display(path: Path, root: Path | None = None) -> str:
    """A path as valid Unicode text (relative to `root` when given)."""
    return safe_text(
        str(path.relative_to(root)) if root and path.is_relative_to(root) else str(path)
    )


@dataclass
class Scan:
    """What one look at a landing folder found."""

    files: list[Path] = field(default_factory=list)  # regular files to load
    links: list[Path] = field(default_factory=list)  # symbolic links, at any level
    ignored: list[tuple[Path, str]] = field(default_factory=list)  # (path, why)


def scan(landing: Path) -> Scan:
    """Uploads waiting in `<landing>/<region>/<yyyy-mm>/`, oldest folder first, and what
    else is there. Links are listed, never followed; temporary names (a leading `.`,
    `.part`, ...) in month folders are listed as ignored; hidden top folders skipped."""
    found = Scan()
    if not landing.is_dir() or landing.is_symlink():
        return found
    for region in sorted(landing.iterdir()):
        if region.name.startswith("."):
            continue
        if region.is_symlink():
            found.links.append(region)
        elif not region.is_dir():
            found.ignored.append((region, "a file outside <region>/<yyyy-mm>/"))
        elif not _REGION.match(region.name):
            found.ignored.append((region, "not a Kemendagri region code folder (35, 35.15)"))
        else:
            _scan_region(region, found)
    return found


def _scan_region(region: Path, found: Scan) -> None:
    for month in sorted(region.iterdir()):
        if month.name.startswith("."):
            continue
        if month.is_symlink():
            found.links.append(month)
        elif not month.is_dir():
            found.ignored.append((month, "a file outside a <yyyy-mm> folder"))
        elif not _MONTH.match(month.name):
            found.ignored.append((month, "not a <yyyy-mm> month folder"))
        else:
            for entry in sorted(month.iterdir()):
                if not is_complete_upload(entry.name):
                    found.ignored.append((entry, _TEMPORARY))
                elif entry.is_symlink():
                    found.links.append(entry)
                elif entry.is_file():
                    found.files.append(entry)
                elif entry.is_dir():
                    found.ignored.append((entry, "a folder inside a month folder"))
                else:
                    found.ignored.append((entry, "not a regular file"))


def new_files(landing: Path) -> list[Path]:
    """Uploaded regular files waiting in `<landing>/<region>/<yyyy-mm>/`, oldest folder
    first (links and anything else the layout does not explain are left out)."""
    return scan(landing).files


def _area(landing: Path, area: str) -> Path:
    root = landing / area
    if root.is_symlink():
        raise LandingError(f"{root} is a symbolic link: refusing to move files through it")
    return root


def _inside(landing: Path, path: Path) -> bool:
    """Whether `path` (its folder resolved, the entry itself not followed) is inside
    `landing` (already resolved)."""
    return path.parent.resolve().is_relative_to(landing)


def _check_folders(root: Path, relative: Path) -> None:
    """No folder on the way from an area's root to `relative`'s folder is a link (a link
    there would carry the move, and the folders made for it, out of the landing zone)."""
    folder = root
    for part in relative.parts[:-1]:
        folder = folder / part
        if folder.is_symlink():
            raise LandingError(f"{folder} is a symbolic link: refusing to move files through it")


def _move(path: Path, landing: Path, area: str, relative: Path) -> Path:
    root = _area(landing, area)
    destination = root / relative
    resolved = landing.resolve()
    if ".." in relative.parts or not _inside(resolved, path):
        raise LandingError(f"{path} is not inside the landing folder {landing}")
    _check_folders(root, relative)
    if not destination.parent.is_dir():  # most moves go to a folder made by an earlier one
        destination.parent.mkdir(parents=True, exist_ok=True)
    if not _inside(resolved, destination):
        raise LandingError(f"moving {path} to {destination} would leave {landing}")
    stem, suffix, number = destination.stem, destination.suffix, 1
    while destination.exists() or destination.is_symlink():  # the same name again: keep both
        destination = destination.with_name(f"{stem}.{os.getpid()}-{number}{suffix}")
        number += 1
    os.replace(path, destination)
    return destination


def claim(path: Path, landing: Path) -> Path | None:
    """Move a new file into `.claimed`; None when someone else claimed it first."""
    try:
        return _move(path, landing, CLAIMED, path.relative_to(landing))
    except FileNotFoundError:
        return None


def claim_new_files(landing: Path) -> list[Path]:
    if not landing.exists():
        return []
    return [claimed for path in new_files(landing) if (claimed := claim(path, landing))]


def claimed_files(landing: Path) -> list[Path]:
    root = landing / CLAIMED
    return new_files(root) if root.exists() and not root.is_symlink() else []


def _link_summaries(landing: Path, links: list[Path], base: Path) -> list[dict[str, Any]]:
    """Each link moved, unread, to `.rejected/` (as a link) and reported."""
    from sinergi.ingestion.file_drop import refuse_link

    summaries = []
    for link in links:
        relative = link.relative_to(base)
        region = relative.parts[0] if _REGION.match(relative.parts[0]) else "00"
        summary = refuse_link(link, region).as_dict()
        summary["file"] = _display(_move(link, landing, REJECTED, relative))
        summaries.append(summary)
    return summaries


def _failed(path: Path, landing: Path, relative: Path, error: Exception) -> dict[str, Any]:
    """A file whose load failed for a reason of ours: kept in `.failed/`, sweep goes on."""
    log.error("landing: loading %s failed; moved to %s", path, FAILED, exc_info=error)
    try:
        moved = _move(path, landing, FAILED, relative)
    except FileNotFoundError:  # gone meanwhile (moved by a person)
        moved = path
    return {
        "status": "failed",
        "file": _display(moved),
        "region_code": relative.parts[0],
        "reason": "load_failed",
        "detail": safe_text(f"{type(error).__name__}: {error}"[:2000]),
        "rows_read": 0,
        "rows_loaded": 0,
        "rows_quarantined": 0,
        "rows_rejected": 0,
        "quarantine_reasons": {},
        "report_type": None,
    }


def _claimed_as_read(files: list[Path], landing: Path) -> Iterator[Path]:
    """Each new file claimed as the sweep comes to read it (claiming thousands of files
    then overlaps their reading); one claimed by someone else meanwhile is skipped."""
    for path in files:
        claimed = claim(path, landing)
        if claimed is not None:
            yield claimed


def _load_claimed(
    target: WarehouseTarget, source: Source, landing: Path, files: Iterable[Path]
) -> list[dict[str, Any]]:
    """Load claimed files over one connection, a group at a time (up to `GROUP_FILES`
    files, `GROUP_BYTES` of prepared rows or `GROUP_SECONDS`) in one transaction: files
    are read and checked (`file_groups.prepare`) as a group fills, then written many at
    once, each its own batch.
    Files are moved out of `.claimed` only once their group has committed: a sweep that
    stops (the warehouse lost) leaves the uncommitted ones claimed, and the next sweep
    loads them."""
    from sinergi.ingestion.file_drop import FileLoader
    from sinergi.ingestion.file_groups import prepare

    summaries: list[dict[str, Any]] = []
    root = landing / CLAIMED
    prepared_files = (prepare(path, path.relative_to(root).parts[0], source) for path in files)
    with (
        closing(prepared_files) as prepared,
        connect(target, autocommit=True) as conn,
    ):
        loader = FileLoader(conn, source)
        while group := _next_group(prepared):
            for file, outcome in _write_group(loader, group):
                relative = file.path.relative_to(root)
                if isinstance(outcome, Exception):
                    summaries.append(_failed(file.path, landing, relative, outcome))
                    continue
                area = REJECTED if outcome["status"] == "rejected" else DONE
                outcome["file"] = _display(_move(file.path, landing, area, relative))
                summaries.append(outcome)
    return summaries


def _next_group(prepared: Generator[PreparedFile]) -> list[PreparedFile]:
    group: list[PreparedFile] = []
    held, started = 0, time.monotonic()
    for file in prepared:
        group.append(file)
        held += file.held
        if (
            len(group) >= GROUP_FILES
            or held >= GROUP_BYTES
            or time.monotonic() - started > GROUP_SECONDS
        ):
            break
    return group


Outcome = dict[str, Any] | Exception


def _write_group(
    loader: FileLoader, group: list[PreparedFile]
) -> list[tuple[PreparedFile, Outcome]]:
    """The group in one transaction: prepared files written at once, the others loaded
    alone. Should the group's write fail (a value the server refuses), it is rolled back
    and its files loaded one by one, each in a savepoint, so the bad one is undone alone."""
    import psycopg

    from sinergi.ingestion.file_groups import write_prepared

    conn = loader.conn
    try:
        with conn.transaction():
            written = iter(write_prepared(loader, [f for f in group if f.summary is not None]))
            return [
                (f, next(written).as_dict() if f.summary is not None else _load_alone(loader, f))
                for f in group
            ]
    except (psycopg.OperationalError, psycopg.InterfaceError):
        raise  # the warehouse is gone: every file would fail; next sweep retries
    except Exception as error:
        if conn.broken:
            raise
        log.warning(
            "landing: writing %d files at once failed (%s: %s); loading them one by one",
            len(group), type(error).__name__, error,
        )  # fmt: skip
        loader.tables_ready.clear()  # a table made in the rolled-back group is gone again
        with conn.transaction():
            return [(f, _load_alone(loader, f)) for f in group]


def _load_alone(loader: FileLoader, file: PreparedFile) -> Outcome:
    """One file by `FileLoader`, in a savepoint: its summary, or why it failed."""
    import psycopg

    try:
        return loader.load(file.path, file.region_code).as_dict()
    except (psycopg.OperationalError, psycopg.InterfaceError):
        raise
    except Exception as error:
        if loader.conn.info.transaction_status != psycopg.pq.TransactionStatus.INTRANS:
            raise  # failed outside its batch: the group cannot commit
        return error


def sweep_landing(
    landing: Path | None = None,
    *,
    target: WarehouseTarget | None = None,
    source: Source | None = None,
) -> dict[str, Any]:
    """Claim every new file, load every claimed one; a summary per file and totals.

    The registry is read first, so a broken one fails the sweep before any file moves."""
    from sinergi.ingestion.file_drop import SOURCE

    source = source or load_registry().source(SOURCE)
    landing = landing or landing_dir(source)
    target = target or resolve_target()
    found = scan(landing)
    summaries = _link_summaries(landing, found.links, landing)
    claimed_root = landing / CLAIMED
    claimed = scan(claimed_root) if claimed_root.is_dir() else Scan()  # left by an earlier sweep
    summaries += _link_summaries(landing, claimed.links, claimed_root)
    if claimed.files or found.files:
        summaries += _load_claimed(
            target,
            source,
            landing,
            chain(claimed.files, _claimed_as_read(found.files, landing)),
        )
    ignored = [{"path": _display(path, landing), "why": why} for path, why in found.ignored] + [
        {"path": _display(path, landing), "why": why} for path, why in claimed.ignored
    ]
    for item in ignored:
        log.warning("landing: %s left in place: %s", item["path"], item["why"])
    totals = Counter(s["status"] for s in summaries)
    result = {
        "files": len(summaries),
        "by_status": dict(totals),
        "rows_read": sum(s["rows_read"] for s in summaries),
        "rows_loaded": sum(s["rows_loaded"] for s in summaries),
        "rows_quarantined": sum(s["rows_quarantined"] for s in summaries),
        "rows_rejected": sum(s.get("rows_rejected", 0) for s in summaries),
        "summaries": summaries,
        "ignored": ignored,
    }
    log.info(
        "landing sweep of %s: %s",
        landing,
        {k: v for k, v in result.items() if k not in ("summaries", "ignored")},
    )
    return result
