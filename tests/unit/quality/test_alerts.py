"""Alert delivery: the webhook URL from a Connection, and never an exception."""

from __future__ import annotations

import json

import pytest

from sinergi import alerts
from sinergi.warehouse.connection import WarehouseTarget

VARIABLE = "AIRFLOW_CONN_SINERGI_ALERTS_WEBHOOK"
UNREACHABLE_WAREHOUSE = WarehouseTarget("127.0.0.1", 1, "nobody", "", "none")


@pytest.mark.parametrize(
    ("value", "url"),
    [
        ("http://127.0.0.1:8080/hooks/sinergi", "http://127.0.0.1:8080/hooks/sinergi"),
        ("https://chat.example/hook?token=abc", "https://chat.example/hook?token=abc"),
        (
            json.dumps(
                {
                    "conn_type": "http",
                    "host": "chat.example",
                    "port": 8443,
                    "schema": "hook",
                    "extra": {"scheme": "https"},
                }
            ),
            "https://chat.example:8443/hook",
        ),
        (json.dumps({"conn_type": "http", "extra": {"url": "http://x/y"}}), "http://x/y"),
        (json.dumps({"conn_type": "http", "host": "http://h:1/p"}), "http://h:1/p"),
    ],
)
def test_webhook_url_from_the_connection(
    monkeypatch: pytest.MonkeyPatch, value: str, url: str
) -> None:
    monkeypatch.setenv(VARIABLE, value)
    assert alerts.webhook_url() == url


def test_no_connection_means_no_webhook(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(VARIABLE, raising=False)
    assert alerts.webhook_url() is None


def test_undeliverable_alert_is_logged_not_raised(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv(VARIABLE, "http://127.0.0.1:1/closed")
    delivered = alerts.alert("test", "subject", "message", target=UNREACHABLE_WAREHOUSE)
    assert delivered is False
    assert "not delivered" in caplog.text and "not recorded" in caplog.text


def test_credentials_are_redacted() -> None:
    assert alerts._redacted("https://u:secret@h.example:99/p?token=t") == "https://h.example:99/p"


def test_failure_callback_names_dag_task_and_run(monkeypatch: pytest.MonkeyPatch) -> None:
    raised: list[tuple[str, str, str]] = []
    monkeypatch.setattr(
        alerts,
        "alert",
        lambda kind, subject, message, details=None, **_: raised.append((kind, subject, message)),
    )

    class TaskInstance:
        dag_id, task_id, run_id, try_number = "d", "t", "r1", 2

    alerts.task_failure_callback({"task_instance": TaskInstance(), "exception": ValueError("x")})
    assert raised == [("task_failed", "d.t", "task t of DAG d failed in run r1: x")]
