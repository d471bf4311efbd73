"""Alerts: one call that logs, records in `meta.alerts` and posts to a webhook.

Every failure path (a blocked publish, a failed task, a stale source) goes
through `alert()`, so an engineer finds the same facts in the logs, in the
warehouse and in the team's chat. Delivery is best effort on purpose: an
alert that cannot be delivered is logged, and never turns a failing run into
a different failure or hides the original one.

The webhook is the Airflow Connection `sinergi_alerts_webhook` (type `http`):
outside Airflow it is read from `AIRFLOW_CONN_SINERGI_ALERTS_WEBHOOK` (URI or
JSON form), inside a task from Airflow's connection API. Without it alerts
are only logged and recorded.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from psycopg.types.json import Jsonb

from sinergi.warehouse.connection import WarehouseTarget, connect, resolve_target

log = logging.getLogger(__name__)

WEBHOOK_CONN_ID = "sinergi_alerts_webhook"
WEBHOOK_TIMEOUT_S = 5.0


def alert(
    kind: str,
    subject: str,
    message: str,
    details: Mapping[str, Any] | None = None,
    *,
    target: WarehouseTarget | None = None,
) -> bool:
    """Raise an alert; returns whether the webhook accepted it. Never raises."""
    payload = {
        "kind": kind,
        "subject": subject,
        "message": message,
        "details": dict(details or {}),
        "raised_at": datetime.now(UTC).isoformat(),
    }
    log.warning("ALERT %s %s: %s", kind, subject, message)
    url = webhook_url()
    delivered = _post(url, payload) if url else False
    _record(payload, delivered_to=_redacted(url) if delivered and url else None, target=target)
    return delivered


def webhook_url() -> str | None:
    """The webhook's URL, from the environment or Airflow; None when not configured."""
    env_value = os.environ.get("AIRFLOW_CONN_" + WEBHOOK_CONN_ID.upper())
    if env_value:
        return _url_from_env_value(env_value)
    if "airflow" not in sys.modules:
        return None  # not inside Airflow: no connection store to ask (and no heavy import)
    return _url_from_airflow()


def _url_from_env_value(value: str) -> str | None:
    """A Connection in Airflow's env form: a JSON object or a URI (`http://host:port/path`)."""
    value = value.strip()
    if value.startswith("{"):
        try:
            spec = json.loads(value)
        except json.JSONDecodeError:
            log.error("%s is not valid JSON; alerts are not posted", WEBHOOK_CONN_ID)
            return None
        return _url_from_parts(
            conn_type=spec.get("conn_type"),
            host=spec.get("host"),
            port=spec.get("port"),
            schema=spec.get("schema"),
            login=spec.get("login"),
            password=spec.get("password"),
            extra=spec.get("extra"),
        )
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        log.error("%s: only http(s) URIs are supported, got %r", WEBHOOK_CONN_ID, parts.scheme)
        return None
    return urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, ""))


def _url_from_airflow() -> str | None:
    try:
        from airflow.sdk import Connection

        conn = Connection.get(WEBHOOK_CONN_ID)
    except Exception:  # not defined, or no connection store reachable
        log.debug("no Airflow connection %s; alerts are not posted", WEBHOOK_CONN_ID)
        return None
    return _url_from_parts(
        conn_type=conn.conn_type,
        host=conn.host,
        port=conn.port,
        schema=conn.schema,
        login=conn.login,
        password=conn.password,
        extra=conn.extra,
    )


def _url_from_parts(
    *,
    conn_type: str | None,
    host: str | None,
    port: int | str | None,
    schema: str | None,
    login: str | None,
    password: str | None,
    extra: str | Mapping[str, Any] | None,
) -> str | None:
    """The URL of an http Connection: `extra.url`, a full URL as host, or host/port/schema."""
    extras = json.loads(extra) if isinstance(extra, str) and extra else dict(extra or {})
    if extras.get("url"):
        return str(extras["url"])
    if not host:
        return None
    if host.startswith(("http://", "https://")):
        return host
    scheme = "https" if conn_type == "https" or extras.get("scheme") == "https" else "http"
    auth = f"{login}:{password}@" if login and password else (f"{login}@" if login else "")
    netloc = f"{auth}{host}:{port}" if port else f"{auth}{host}"
    path = "/" + schema.lstrip("/") if schema else ""
    return f"{scheme}://{netloc}{path}"


def _post(url: str, payload: Mapping[str, Any]) -> bool:
    try:
        response = requests.post(url, json=payload, timeout=WEBHOOK_TIMEOUT_S)
        response.raise_for_status()
    except requests.RequestException as exc:
        log.error("alert %s not delivered to %s: %s", payload["kind"], _redacted(url), exc)
        return False
    return True


def _redacted(url: str | None) -> str | None:
    """The URL without credentials, fit for logs and `meta.alerts`."""
    if not url:
        return None
    parts = urlsplit(url)
    netloc = parts.hostname or ""
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def _record(
    payload: Mapping[str, Any], *, delivered_to: str | None, target: WarehouseTarget | None
) -> None:
    try:
        with connect(target or resolve_target()) as conn:
            conn.execute(
                "insert into meta.alerts (kind, subject, message, details, delivered_to)"
                " values (%s, %s, %s, %s, %s)",
                (
                    payload["kind"],
                    payload["subject"],
                    payload["message"],
                    Jsonb(payload["details"]),
                    delivered_to,
                ),
            )
    except Exception as exc:  # the warehouse may be what failed
        log.error("alert %s not recorded in meta.alerts: %s", payload["kind"], exc)


def task_failure_callback(context: Mapping[str, Any]) -> None:
    """Airflow `on_failure_callback`: alert with the DAG, task, run and exception."""
    ti = context.get("task_instance") or context.get("ti")
    dag_id = getattr(ti, "dag_id", None) or getattr(context.get("dag"), "dag_id", "?")
    task_id = getattr(ti, "task_id", "?")
    run_id = context.get("run_id") or getattr(ti, "run_id", "?")
    exception = context.get("exception")
    alert(
        "task_failed",
        f"{dag_id}.{task_id}",
        f"task {task_id} of DAG {dag_id} failed in run {run_id}: {exception}",
        {
            "dag_id": dag_id,
            "task_id": task_id,
            "run_id": run_id,
            "try_number": getattr(ti, "try_number", None),
            "exception": repr(exception) if exception is not None else None,
        },
    )
