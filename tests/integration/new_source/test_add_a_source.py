"""A new source added by following README.md's "Adding a source" steps alone reaches a mart.

The example (tests/data/example_source/) is SIMDIKLAT Jawa Timur, a REST API
with bearer auth and offset pagination reporting participations in the
catalogue's trainings, served here by a tiny HTTP server. On a copy of the
project (the repository's models are never edited), each step of the README
is done as an operator would do it: the registry entry, the Connection named
after its id, the dbt sources file and staging model, the wiring into the
hand-written intermediate models and macros, the quarantine candidates, the
reason and raw contract, `sinergi transform manifest`. Then the README's
commands run on a warehouse holding the handwritten world of the dbt tests
(the other sources): ingest, build, the quality checks (all but the mart
suites, which are the same whatever the sources) and the publish. Its
participations are in the published marts, counted once with other sources'
reports of the same participation; what it sent wrong is quarantined with
its reasons; raw = staged + quarantined holds. A second batch reaches the
marts through the incremental build the transform DAG runs for that raw
table alone: the step a source wired for a first build only would fail.
"""

from __future__ import annotations

import json
import shutil
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from typer.testing import CliRunner, Result

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "transform"))

from committed_expectations import copy_to
from transform_handwritten import FIRST_BATCH, NIP_A, NIP_B, NIP_C, NIP_D
from transform_raw import create_raw_tables, load_batch

from sinergi.cli import app
from sinergi.ingestion.connections import env_variable
from sinergi.ingestion.registry import load_registry
from sinergi.paths import project_dir, state_dir
from sinergi.quality.config import EXPECTATIONS_DIR_VARIABLE
from sinergi.transform.selection import dbt_selection
from sinergi.warehouse.bootstrap import init_warehouse
from sinergi.warehouse.connection import WarehouseTarget, connect

pytestmark = pytest.mark.integration

FIXTURE = Path(__file__).resolve().parents[2] / "data" / "example_source"
SOURCE, ENTITY = "simdiklat_jatim", "participations"
TOKEN = "jatim-test-token"

PKN_JATIM = "PLT2303-035-0001"  # hosted by Jawa Timur, 380 JP
COACHING_PAPPEG = "PLT2305-095-0001"  # hosted by Papua Pegunungan, 10 JP


def report(
    id_laporan: str | None,
    nip: str,
    training: str,
    origin: str,
    status: str = "LULUS",
    jp: object = 380,
    peran: str = "penyelenggara",
    at: str = "2023-06-02T08:00:00Z",
) -> dict[str, Any]:
    record: dict[str, Any] = {
        "nip": nip,
        "kode_pelatihan": training,
        "kode_instansi_asal": origin,
        "peran_pelapor": peran,
        "status_kelulusan": status,
        "jp": jp,
        "diperbarui_pada": at,
    }
    if id_laporan is not None:
        record["id_laporan"] = id_laporan
    return record


FIRST_REPORTS = [
    report("JTM-0001", NIP_A, PKN_JATIM, "35"),  # Jatim's own ASN in its PKN II
    report("JTM-0002", NIP_C, PKN_JATIM, "95"),
    report("JTM-0003", NIP_D, PKN_JATIM, "KL-001", status="PROSES", jp=0),
    # B's PKN II is reported by the Kemendagri API and a file drop too: still one
    report("JTM-0004", NIP_B, PKN_JATIM, "62"),
    # origin report: Jatim's ASN in Papua Pegunungan's coaching
    report("JTM-0005", NIP_A, COACHING_PAPPEG, "35", jp=10, peran="asal"),
    report("JTM-0006", "19850412201003100", PKN_JATIM, "35"),  # 17 digits
    report("JTM-0007", NIP_A, COACHING_PAPPEG, "35", jp=-10, peran="asal"),
    report("JTM-0008", NIP_C, COACHING_PAPPEG, "95", status="DITUNDA", jp=10),
    report("JTM-0009", NIP_A, "PLT2399-999-0099", "35"),  # no such training
    report(None, NIP_B, COACHING_PAPPEG, "62", jp=10),
    report("JTM-0010", NIP_C, COACHING_PAPPEG, "99", jp=10),  # no region 99
]
SECOND_REPORTS = [
    report("JTM-0003", NIP_D, PKN_JATIM, "KL-001", at="2023-06-20T08:00:00Z"),  # now lulus
    report(
        "JTM-0011", NIP_B, COACHING_PAPPEG, "62", jp=10, peran="asal", at="2023-06-21T08:00:00Z"
    ),
]
QUARANTINED = {
    "invalid_nip": 1,
    "negative_jp": 1,
    "unknown_hasil": 1,
    "id_laporan_missing": 1,
    "unknown_instansi": 1,
    "unknown_training": 1,
}


class _Simdiklat(BaseHTTPRequestHandler):
    """GET /api/v1/laporan-peserta?diperbarui_sejak=&offset=&limit= with a bearer token."""

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path != "/api/v1/laporan-peserta":
            return self._send(404, {"error": "not found"})
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            return self._send(401, {"error": "unauthorized"})
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        since = query.get("diperbarui_sejak", "")
        records = sorted(
            (r for r in self.server.records if r["diperbarui_pada"] >= since),  # type: ignore[attr-defined]
            key=lambda r: r["diperbarui_pada"],
        )
        offset, limit = int(query.get("offset", 0)), int(query.get("limit", 100))
        self._send(200, {"data": records[offset : offset + limit], "total": len(records)})

    def _send(self, status: int, body: dict[str, Any]) -> None:
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def simdiklat() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Simdiklat)
    server.records = list(FIRST_REPORTS)  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    thread.join(timeout=5)


def copy_project(root: Path) -> Path:
    """What a checkout holds that the steps edit or read: dbt, the registry, the GX context."""
    shutil.copytree(
        project_dir() / "dbt_project",
        root / "dbt_project",
        ignore=shutil.ignore_patterns("target", "logs", "dbt_packages", ".user.yml"),
    )
    shutil.copy(project_dir() / "sources.yml", root / "sources.yml")
    copy_to(root / "expectations")
    return root


def _edit(path: Path, edit: dict[str, Any]) -> None:
    """One edit of wiring.yml: `text` before or after, or `with` in place of, a text of
    the file that starts and ends lines and occurs once."""
    content = path.read_text(encoding="utf-8")
    anchor = edit.get("before") or edit.get("after") or edit["replace"]
    found = [
        i
        for i in range(len(content))
        if content.startswith(anchor, i)
        and (i == 0 or content[i - 1] == "\n")
        and content[i + len(anchor) : i + len(anchor) + 1] in ("\n", "")
    ]
    assert len(found) == 1, (
        f"{edit['file']}: {anchor!r} found {len(found)} times; the README's wiring steps"
        " and tests/data/example_source/wiring.yml no longer match the models"
    )
    at = found[0]
    if "replace" in edit:
        path.write_text(content[:at] + edit["with"] + content[at + len(anchor) :], encoding="utf-8")
        return
    pad = " " * int(edit.get("indent", 0))
    text = "".join(pad + line if line.strip() else line for line in edit["text"].splitlines(True))
    if "after" in edit:
        at += len(anchor) + 1
    path.write_text(content[:at] + text + content[at:], encoding="utf-8")


def add_the_source(root: Path) -> None:
    """README, Adding a source: the files an operator writes or edits, in its order."""
    with (root / "sources.yml").open("a", encoding="utf-8") as registry:
        registry.write("\n" + (FIXTURE / "sources.yml").read_text(encoding="utf-8"))
    models = FIXTURE / "dbt_project" / "models" / "staging" / SOURCE
    shutil.copytree(models, root / "dbt_project" / "models" / "staging" / SOURCE)
    for edit in yaml.safe_load((FIXTURE / "wiring.yml").read_text(encoding="utf-8")):
        _edit(root / edit["file"], edit)
    reasons = root / "dbt_project" / "seeds" / "quarantine_reasons.csv"
    with reasons.open("a", encoding="utf-8") as seed:
        seed.write((FIXTURE / "quarantine_reasons.csv").read_text(encoding="utf-8"))
    with (root / "expectations" / "raw_contracts.yml").open("a", encoding="utf-8") as contracts:
        contracts.write((FIXTURE / "raw_contracts.yml").read_text(encoding="utf-8"))


def sinergi(*args: str) -> Result:
    started = time.monotonic()
    result = CliRunner().invoke(app, list(args))
    print(f"sinergi {' '.join(args)}: {time.monotonic() - started:.1f} s")
    assert result.exit_code == 0, f"sinergi {' '.join(args)}: {result.output[-3000:]}"
    return result


def test_a_source_added_by_the_readme_reaches_the_marts(
    fresh_database: WarehouseTarget,
    simdiklat: ThreadingHTTPServer,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("SINERGI_STATE_DIR", str(state_dir()))  # the embedded server's home
    root = copy_project(tmp_path / "checkout")
    monkeypatch.setenv("SINERGI_PROJECT_DIR", str(root))
    for variable in ("SINERGI_SOURCES_FILE", "SINERGI_REFERENCE_DIR", EXPECTATIONS_DIR_VARIABLE):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.delenv("DBT_TARGET_PATH", raising=False)  # the copy's target/, read by quality
    monkeypatch.setenv("DBT_LOG_PATH", str(tmp_path / "dbt-logs"))
    monkeypatch.setenv("SINERGI_WAREHOUSE_URL", fresh_database.url)
    monkeypatch.setenv("SINERGI_NIP_HMAC_KEY", "new-source-test-key")

    add_the_source(root)
    source = load_registry().source(SOURCE)
    # the Connection: AIRFLOW_CONN_ + its id upper-cased; bearer auth reads the token
    # from `password`
    assert source.connection is not None
    variable = env_variable(source.connection)
    assert variable == "AIRFLOW_CONN_SINERGI_SIMDIKLAT_JATIM"
    host = f"http://127.0.0.1:{simdiklat.server_port}"
    monkeypatch.setenv(variable, json.dumps({"conn_type": "http", "host": host, "password": TOKEN}))
    manifest = Path(sinergi("transform", "manifest").output.strip().splitlines()[-1])
    assert manifest == root / "dbt_project" / "target" / "manifest.json"

    # the other sources' data, as the handwritten world of the dbt tests
    init_warehouse(fresh_database)
    create_raw_tables(fresh_database)
    load_batch(fresh_database, FIRST_BATCH)

    sinergi("ingest", SOURCE)
    sinergi("transform", "build")
    # what quality_publish runs, but the mart suites (the same whatever the sources; they
    # take half a minute): raw contracts, quarantine, reconciliation, then the publish gate
    sinergi("quality", "check", "--no-marts", "--run-id", "new-source")
    published = sinergi("quality", "publish", "--run-id", "new-source")

    with connect(fresh_database) as conn:
        facts = conn.execute(
            "select training_id, origin_instansi_id, hasil, jp, report_count"
            " from marts.fct_participations where report_source = %s order by 1, 2",
            (SOURCE,),
        ).fetchall()
        pkn_reports = conn.execute(
            "select report_source, report_count from marts.fct_participations"
            " where training_id = %s and origin_instansi_id = '62'",
            (PKN_JATIM,),
        ).fetchone()
        jatim_2023 = conn.execute(
            "select participation_count from marts.participation_by_institution_year"
            " where instansi_id = '35' and tahun = 2023"
        ).fetchone()
        jatim_facts = conn.execute(
            "select count(*) from marts.fct_participations"
            " where origin_instansi_id = '35' and tahun = 2023 and not is_elearning_completion"
        ).fetchone()
        quarantined = dict(
            conn.execute(
                "select reason, count(distinct record_hash) from quarantine.records"
                " where source = %s and entity = %s and released_at is null group by reason",
                (SOURCE, ENTITY),
            ).fetchall()
        )
        balance = conn.execute(
            "select success, observed_value from meta.dq_results"
            " where expectation = 'raw_equals_staged_plus_quarantined' and column_name = %s",
            (f"{SOURCE}__{ENTITY}",),
        ).fetchone()
        reasons_listed = conn.execute(
            "select success from meta.dq_results where expectation = 'reasons_listed'"
        ).fetchone()
    assert facts == [
        (PKN_JATIM, "35", "lulus", 380, 1),
        (PKN_JATIM, "95", "lulus", 380, 1),
        (PKN_JATIM, "KL-001", "proses", 0, 1),
        (COACHING_PAPPEG, "35", "lulus", 10, 1),
    ], published.output
    # the API's host and origin reports, the file drop and SIMDIKLAT: one participation
    assert pkn_reports == ("bpsdm_kemendagri", 4)
    # Jatim's 2023 participations: the API's central teknis and SIMDIKLAT's two
    assert jatim_2023 == jatim_facts == (3,)
    assert quarantined == QUARANTINED
    assert balance is not None and balance[0], balance
    assert balance[1]["raw_rows"] == len(FIRST_REPORTS)
    assert balance[1]["quarantined"] == sum(QUARANTINED.values())
    assert reasons_listed == (True,)

    # a second batch, built as the transform DAG builds after this raw table alone
    simdiklat.records.extend(SECOND_REPORTS)  # type: ignore[attr-defined]
    sinergi("ingest", SOURCE)
    selection = dbt_selection([f"{SOURCE}__{ENTITY}"])
    assert selection == f"source:{SOURCE}.{ENTITY}+"
    sinergi("transform", "build", "--select", selection)

    with connect(fresh_database) as conn:
        facts = conn.execute(
            "select training_id, origin_instansi_id, hasil, jp"
            " from audit.fct_participations where report_source = %s order by 1, 2",
            (SOURCE,),
        ).fetchall()
    assert facts == [
        (PKN_JATIM, "35", "lulus", 380),
        (PKN_JATIM, "95", "lulus", 380),
        (PKN_JATIM, "KL-001", "lulus", 380),  # its second version: proses, then lulus
        (COACHING_PAPPEG, "35", "lulus", 10),
        (COACHING_PAPPEG, "62", "lulus", 10),
    ]
