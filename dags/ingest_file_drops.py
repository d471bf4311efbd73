"""
### Ingest regional file drops (`bpsdm_daerah`)

Provincial and regency BPSDM upload monthly reports into the landing zone,
`<landing>/<region code>/<yyyy-mm>/<file>.csv|.xlsx`. An AssetWatcher
(`LandingFolderTrigger`, in the triggerer) polls the folder, claims each new
file and fires; this DAG then loads every claimed file by the file-drop
contract: good rows into `raw.bpsdm_daerah__participations` or
`__assessments`, bad rows into `quarantine.records` with a reason, unreadable
files rejected whole. Each file is one batch, recognised by its checksum, so
a file dropped twice is loaded once. Files end in `.done/` or `.rejected/`.
Each batch records what started the run (`meta.load_batches.trigger`: `file`
with the watcher's event, or `schedule`, `manual`).

A nightly run (01:00 Asia/Jakarta) sweeps the landing zone as well, so a
file is loaded even when its event was missed. The same work for one file
runs outside Airflow as `sinergi ingest-file PATH --region CODE`.
"""

from __future__ import annotations

from typing import Any

from airflow.sdk import Asset, AssetOrTimeSchedule, AssetWatcher, dag, task

from sinergi.assets import RAW_ASSETS
from sinergi.ingestion.landing import landing_dir
from sinergi.ingestion.landing_trigger import LandingFolderTrigger
from sinergi.orchestration.dag_defaults import DEFAULT_ARGS, nightly_timetable

LANDING = landing_dir()
LANDED_FILES = Asset(
    name="bpsdm_daerah_landing",
    uri=f"file://{LANDING}",
    watchers=[
        AssetWatcher(
            name="bpsdm_daerah_landing_watcher",
            trigger=LandingFolderTrigger(landing_dir=str(LANDING), poll_interval=2.0),
        )
    ],
)


@dag(
    dag_id="ingest_file_drops",
    doc_md=__doc__,
    schedule=AssetOrTimeSchedule(timetable=nightly_timetable(), assets=LANDED_FILES),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["sinergi", "ingestion", "bpsdm_daerah", "file-drop"],
)
def ingest_file_drops() -> None:
    @task(
        outlets=[
            RAW_ASSETS["bpsdm_daerah__participations"],
            RAW_ASSETS["bpsdm_daerah__assessments"],
        ]
    )
    def load_landed_files() -> dict[str, Any]:
        from sinergi.orchestration.ingest_tasks import sweep_landed_files

        return sweep_landed_files()

    load_landed_files()


ingest_file_drops()
