"""An event trigger that fires when regional uploads land: the file-drop DAG's AssetWatcher.

It runs in Airflow's triggerer, polls the landing folder, claims what it
finds (atomic rename into `.claimed`, so each file fires once) and fires one
event listing them. The DAG run it starts loads everything claimed — not only
the files of its event — so events that arrive in a burst, or get lost while
the triggerer restarts, cost latency, never data. A failed look at the folder
(a permission error, a folder moved away, an unsafe link) is logged and
tried again at the next poll: the watcher must outlive a bad upload.
Symbolic links and entries outside the layout are never claimed; the sweep
reports them.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from airflow.triggers.base import BaseEventTrigger, TriggerEvent

from sinergi.ingestion.landing import LandingError, claim_new_files


class LandingFolderTrigger(BaseEventTrigger):
    """Fires `{"claimed": [paths]}` when new files appear under `landing_dir`."""

    def __init__(self, landing_dir: str, poll_interval: float = 5.0) -> None:
        super().__init__()
        self.landing_dir = landing_dir
        self.poll_interval = poll_interval

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            f"{type(self).__module__}.{type(self).__qualname__}",
            {"landing_dir": self.landing_dir, "poll_interval": self.poll_interval},
        )

    async def run(self) -> AsyncIterator[TriggerEvent]:
        landing = Path(self.landing_dir)
        while True:
            try:
                claimed = await asyncio.to_thread(claim_new_files, landing)
            except (OSError, LandingError) as error:
                self.log.warning("cannot claim files in %s (trying again): %s", landing, error)
                claimed = []
            if claimed:
                self.log.info("claimed %d new file(s) in %s", len(claimed), landing)
                yield TriggerEvent({"claimed": [str(path) for path in claimed]})
                return
            await asyncio.sleep(self.poll_interval)
