"""Pages a real source may send that the simulator never does: pretty-printed JSON with
whitespace inside records, elements that are not objects, a NUL character. Each valid
record must reach raw intact and each bad one must reach quarantine with its reason."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from ingestion_helpers import FAST_HTTP

from sinergi.ingestion.registry import Registry, load_registry
from sinergi.ingestion.runner import ingest_source
from sinergi.warehouse.bootstrap import init_warehouse
from sinergi.warehouse.connection import WarehouseTarget, connect

GOOD = [
    {"id": "A-1", "note": "tab\there, newline\nthere, back\\slash", "modified_at": "2024-01-02"},
    {"id": "A-2", "nested": {"b": [1, 2, {"c": None}], "a": "é ü 漢"}, "modified_at": "2024-01-05"},
    {"id": 3, "modified_at": "2024-01-03"},
]
NUL = {"id": "A-4", "note": "nul \u0000 here", "modified_at": "2024-01-04"}
NOT_OBJECTS = [42, "a string", ["a", "list"]]


def _body() -> bytes:
    """One page, indented so tabs, newlines and CRs sit between the tokens of each record."""
    text = json.dumps({"total": 7, "data": [*GOOD, NUL, *NOT_OBJECTS]}, indent="\t")
    return text.replace("\n", "\r\n").encode()


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = _body()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        return None


@pytest.fixture
def awkward_source(tmp_path: Path) -> Iterator[Registry]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    path = tmp_path / "sources.yml"
    path.write_text(
        f"""
sources:
  awkward:
    kind: rest_json
    description: a source that pretty-prints and sends junk
    base_url: http://127.0.0.1:{server.server_port}
    pagination: {{type: offset, page_size: 100}}
    entities:
      things:
        path: /things
        primary_key: id
        incremental: {{field: modified_at, param: modified_after}}
"""
    )
    yield load_registry(path)
    server.shutdown()
    server.server_close()


def test_awkward_page_loads_valid_records_intact_and_quarantines_the_rest(
    fresh_database: WarehouseTarget, awkward_source: Registry
) -> None:
    init_warehouse(fresh_database)
    [result] = ingest_source(
        "awkward", target=fresh_database, registry=awkward_source, settings=FAST_HTTP
    )
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (7, 3, 4)
    assert result.watermark_to == "2024-01-05"  # the NUL record's date is earlier
    with connect(fresh_database) as conn:
        loaded = [row[0] for row in conn.execute("select record from raw.awkward__things")]
        quarantined = conn.execute(
            "select reason, record from quarantine.records where source = 'awkward'"
            " order by reason, record::text"
        ).fetchall()
    assert sorted(loaded, key=str) == sorted(GOOD, key=str)
    assert [reason for reason, _ in quarantined] == ["not_json_object"] * 3 + ["nul_character"]
    assert sorted((record for _, record in quarantined[:3]), key=str) == sorted(
        NOT_OBJECTS, key=str
    )
    assert quarantined[3][1]["id"] == "A-4"
