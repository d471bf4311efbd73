"""A small client of Airflow's REST API (v2): tokens, DAGs, runs and asset events.

Used by `sinergi notify`, `sinergi backfill`, the demo and the scheduler-driven
tests. The local Airflow's login is the admin user of Airflow's simple auth
manager, whose password Airflow generates into the home on first start.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any

import requests

from sinergi.orchestration.airflow_home import ADMIN_USER, airflow_home

# A local API server on a busy 2-core machine (the test suites' Airflows beside
# dbt and PostgreSQL, load 9-12) was seen answering a backfill after over 30 s.
TIMEOUT_S = 120


def admin_password(home: Path | None = None) -> str:
    """The local admin's password (Airflow writes it when the API server first starts)."""
    path = (home or airflow_home()) / "simple_auth_manager_passwords.json.generated"
    return str(json.loads(path.read_text())[ADMIN_USER])


class AirflowApiError(RuntimeError):
    """The API answered with an error; the message has the call and the answer."""


class AirflowApi:
    def __init__(
        self,
        base_url: str,
        home: Path | None = None,
        *,
        username: str | None = None,
        password: str | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.home = home
        self.username = username or os.environ.get("SINERGI_AIRFLOW_USER") or ADMIN_USER
        self._password = password or os.environ.get("SINERGI_AIRFLOW_PASSWORD")
        self._token: str | None = None
        self.session = requests.Session()

    def _login(self) -> str:
        password = self._password or admin_password(self.home)
        answer = self.session.post(
            f"{self.base_url}/auth/token",
            json={"username": self.username, "password": password},
            timeout=TIMEOUT_S,
        )
        if answer.status_code >= 400:
            raise AirflowApiError(f"login to {self.base_url} as {self.username}: {answer.text}")
        return str(answer.json()["access_token"])

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        for attempt in (1, 2):
            if self._token is None:
                self._token = self._login()
            try:
                answer = self.session.request(
                    method,
                    f"{self.base_url}/api/v2{path}",
                    headers={"Authorization": f"Bearer {self._token}"},
                    timeout=TIMEOUT_S,
                    **kwargs,
                )
            except requests.Timeout:
                if method != "GET" or attempt == 2:
                    raise
                continue  # a busy API server: a read is safe to ask once more
            if answer.status_code == 401 and attempt == 1:
                self._token = None  # expired: log in again once
                continue
            if answer.status_code >= 400:
                raise AirflowApiError(f"{method} {path}: {answer.status_code} {answer.text[:500]}")
            return answer.json() if answer.content else None
        raise AssertionError("unreachable")

    def dag_ids(self) -> set[str]:
        dags = self.request("GET", "/dags", params={"limit": 1000})["dags"]
        return {dag["dag_id"] for dag in dags}

    def asset_id(self, uri: str) -> int:
        """The id of the asset with exactly this URI (the API matches substrings)."""
        assets = self.request("GET", "/assets", params={"uri_pattern": uri, "limit": 1000})
        for asset in assets["assets"]:
            if asset["uri"] == uri:
                return int(asset["id"])
        raise AirflowApiError(f"no asset with URI {uri!r}: has the DAG using it been parsed?")

    def create_asset_event(self, uri: str, extra: dict[str, Any]) -> dict[str, Any]:
        body = {"asset_id": self.asset_id(uri), "extra": extra}
        return dict(self.request("POST", "/assets/events", json=body))

    def dag_runs(self, dag_id: str, *, limit: int = 100) -> list[dict[str, Any]]:
        """The DAG's runs, newest first."""
        params = {"limit": limit, "order_by": "-run_after"}
        return list(self.request("GET", f"/dags/{dag_id}/dagRuns", params=params)["dag_runs"])

    def runs_updated_since(self, since: datetime, *, page: int = 100) -> list[dict[str, Any]]:
        """Every DAG's runs created or changed at or after `since`, in one request a page.

        One request for all DAGs, not one per DAG: a chain watcher polls every
        second, and nine requests a poll kept a quarter of a core busy in the
        API server (measured on an idle local Airflow).
        """
        runs: list[dict[str, Any]] = []
        params: dict[str, Any] = {
            "updated_at_gte": since.isoformat(),
            "order_by": "id",
            "limit": page,
        }
        while True:
            batch = self.request("GET", "/dags/~/dagRuns", params={**params, "offset": len(runs)})
            runs.extend(batch["dag_runs"])
            if len(batch["dag_runs"]) < page:
                return runs

    def task_instances(self, dag_id: str, run_id: str) -> list[dict[str, Any]]:
        path = f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances"
        return list(self.request("GET", path, params={"limit": 1000})["task_instances"])

    def task_result(self, dag_id: str, run_id: str, task_id: str) -> Any:
        """What a task returned (its `return_value` XCom); None when it returned nothing."""
        path = f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}/xcomEntries/return_value"
        try:
            return self.request("GET", path)["value"]
        except AirflowApiError:
            return None
