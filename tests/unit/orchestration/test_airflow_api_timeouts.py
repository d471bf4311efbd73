"""A busy Airflow API server: a read that times out is asked once more, a write never."""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest
import requests

from sinergi.orchestration import airflow_api


class SlowFirstAnswer(BaseHTTPRequestHandler):
    """Answers every request; the first one of each method only after the client gave up."""

    seen: ClassVar[dict[str, int]] = {}

    def _answer(self) -> None:
        count = self.seen[self.command] = self.seen.get(self.command, 0) + 1
        if count == 1:
            time.sleep(1.0)
        body = json.dumps({"dags": [{"dag_id": "transform"}], "access_token": "t"}).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *args: object) -> None:
        pass


class BusyServer(ThreadingHTTPServer):
    """Waits for its slow answers when closed, and takes their broken pipes quietly.

    A slow answer writes after its client gave up: on purpose, so the broken
    pipe is expected. Left running past its test, it printed its traceback
    into whatever test ran a second later (a CLI test capturing stderr).
    """

    daemon_threads = False  # server_close() joins the handlers

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], BrokenPipeError | ConnectionResetError):
            super().handle_error(request, client_address)


@pytest.fixture
def busy_api(monkeypatch: pytest.MonkeyPatch) -> Iterator[airflow_api.AirflowApi]:
    SlowFirstAnswer.seen = {"POST": 1}  # the login's POST answers at once
    server = BusyServer(("127.0.0.1", 0), SlowFirstAnswer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setattr(airflow_api, "TIMEOUT_S", 0.3)
    try:
        yield airflow_api.AirflowApi(f"http://127.0.0.1:{server.server_port}", password="p")
    finally:
        server.shutdown()
        server.server_close()


def test_a_read_that_times_out_is_asked_once_more(busy_api: airflow_api.AirflowApi) -> None:
    assert busy_api.dag_ids() == {"transform"}
    assert SlowFirstAnswer.seen["GET"] == 2


def test_a_write_that_times_out_is_not_sent_again(busy_api: airflow_api.AirflowApi) -> None:
    SlowFirstAnswer.seen = {"POST": 0}
    busy_api._token = "t"
    with pytest.raises(requests.Timeout):
        busy_api.request("POST", "/assets/events", json={})
    assert SlowFirstAnswer.seen["POST"] == 1
