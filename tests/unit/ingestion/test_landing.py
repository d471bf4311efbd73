"""The landing zone: which files count as uploaded, claiming, and the watcher's trigger."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sinergi.ingestion.landing import CLAIMED, claim_new_files, claimed_files, new_files
from sinergi.ingestion.landing_trigger import LandingFolderTrigger


def drop(landing: Path, relative: str, text: str = "NIP;Nama\n") -> Path:
    path = landing / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_only_complete_uploads_in_region_month_folders_are_new(tmp_path: Path) -> None:
    drop(tmp_path, "35.15/2023-08/peserta.csv")
    drop(tmp_path, "35/2023-08/asesmen.xlsx")
    drop(tmp_path, "35.15/2023-08/.peserta.csv")  # being written
    drop(tmp_path, "35.15/2023-08/peserta2.csv.part")
    drop(tmp_path, "README/2023-08/x.csv")  # not a region
    drop(tmp_path, "35.15/agustus/x.csv")  # not a month
    drop(tmp_path, f"{CLAIMED}/35.15/2023-07/old.csv")
    assert [p.relative_to(tmp_path).as_posix() for p in new_files(tmp_path)] == [
        "35/2023-08/asesmen.xlsx",
        "35.15/2023-08/peserta.csv",
    ]


def test_claiming_moves_files_once(tmp_path: Path) -> None:
    drop(tmp_path, "35.15/2023-08/peserta.csv")
    claimed = claim_new_files(tmp_path)
    assert [p.relative_to(tmp_path / CLAIMED).as_posix() for p in claimed] == [
        "35.15/2023-08/peserta.csv"
    ]
    assert claim_new_files(tmp_path) == []
    assert claimed_files(tmp_path) == claimed


def test_the_trigger_fires_with_the_files_it_claimed(tmp_path: Path) -> None:
    trigger = LandingFolderTrigger(landing_dir=str(tmp_path), poll_interval=0.05)
    classpath, kwargs = trigger.serialize()
    assert classpath == "sinergi.ingestion.landing_trigger.LandingFolderTrigger"
    assert LandingFolderTrigger(**kwargs).landing_dir == str(tmp_path)

    async def first_event() -> dict:
        events = trigger.run()
        task = asyncio.ensure_future(events.__anext__())
        await asyncio.sleep(0.2)
        assert not task.done(), "fired with nothing landed"
        drop(tmp_path, "35.15/2023-08/peserta.csv")
        event = await asyncio.wait_for(task, timeout=5)
        return event.payload

    payload = asyncio.run(first_event())
    assert payload == {"claimed": [str(tmp_path / CLAIMED / "35.15/2023-08/peserta.csv")]}
