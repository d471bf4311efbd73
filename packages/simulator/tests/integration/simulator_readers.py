"""Plain `requests` readers of the simulated sources, as a connector would page them.

`Reader(retry=True)` retries transient failures (5xx, 429 with Retry-After,
timeouts, truncated bodies) so fault-injection tests can compare its result
with a clean read.
"""

from __future__ import annotations

import time
from typing import Any

import requests

TRANSIENT = (
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
    ValueError,  # a truncated body that still arrived: JSON cannot be decoded
)


class Reader:
    """Pages every entity of a running simulator."""

    def __init__(self, handle: Any, retry: bool = False, timeout: float = 10.0) -> None:
        self.urls = handle.urls
        self.creds = handle.credentials
        self.retry = retry
        self.timeout = timeout
        self.session = requests.Session()
        self.attempts = 0
        self._token: str | None = None

    def _get(self, url: str, **kwargs: Any) -> tuple[requests.Response, Any]:
        for _ in range(50):
            self.attempts += 1
            try:
                response = self.session.get(url, timeout=self.timeout, **kwargs)
                if self.retry and (response.status_code == 429 or response.status_code >= 500):
                    time.sleep(min(float(response.headers.get("Retry-After", 0)), 0.05))
                    continue
                return response, response.json()
            except TRANSIENT:
                if not self.retry:
                    raise
        raise AssertionError(f"gave up on {url}")

    def token(self) -> str:
        if self._token is None:
            for _ in range(50):
                try:
                    response = self.session.post(
                        f"{self.urls['siasn']}/oauth/token",
                        data={
                            "grant_type": "client_credentials",
                            "client_id": self.creds.siasn_client_id,
                            "client_secret": self.creds.siasn_client_secret,
                        },
                        timeout=self.timeout,
                    )
                    if response.status_code == 200:
                        self._token = response.json()["access_token"]
                        break
                    if not self.retry:
                        response.raise_for_status()
                except TRANSIENT:
                    if not self.retry:
                        raise
        assert self._token
        return self._token

    def siasn(self, limit: int = 500, updated_since: str | None = None) -> list[dict]:
        headers = {"Authorization": f"Bearer {self.token()}"}
        params: dict[str, Any] = {"limit": limit}
        if updated_since:
            params["updated_since"] = updated_since
        out: list[dict] = []
        while True:
            response, body = self._get(
                f"{self.urls['siasn']}/api/v1/asn", headers=headers, params=params
            )
            assert response.status_code == 200, body
            out.extend(body["data"])
            if body["next_cursor"] is None:
                return out
            params = {"limit": limit, "cursor": body["next_cursor"]}

    def kemendagri(
        self, entity: str, limit: int = 500, modified_after: str | None = None
    ) -> list[dict]:
        headers = {"X-API-Key": self.creds.kemendagri_api_key}
        out: list[dict] = []
        offset = 0
        while True:
            params: dict[str, Any] = {"offset": offset, "limit": limit}
            if modified_after:
                params["modified_after"] = modified_after
            response, body = self._get(
                f"{self.urls['bpsdm_kemendagri']}/api/v1/{entity}", headers=headers, params=params
            )
            assert response.status_code == 200, body
            out.extend(body["data"])
            offset += limit
            if offset >= body["total"]:
                return out

    def corpu(self, per_page: int = 500, updated_since_ms: int | None = None) -> list[dict]:
        headers = {"Authorization": f"Bearer {self.creds.corpu_token}"}
        params: dict[str, Any] | None = {"per_page": per_page}
        if updated_since_ms is not None:
            params = {**params, "updated_since_ms": updated_since_ms}
        url: str | None = f"{self.urls['kemnaker_corpu']}/api/v1/completions"
        out: list[dict] = []
        while url:
            response, body = self._get(url, headers=headers, params=params)
            assert response.status_code == 200, body
            out.extend(body)
            url = response.links.get("next", {}).get("url")
            params = None
        return out

    def satudata(self, limit: int = 300) -> list[dict]:
        out: list[dict] = []
        offset = 0
        while True:
            response, body = self._get(
                f"{self.urls['satudata']}/api/3/action/datastore_search",
                params={
                    "resource_id": "anggaran_pengembangan_kompetensi",
                    "limit": limit,
                    "offset": offset,
                },
            )
            assert response.status_code == 200, body
            records = body["result"]["records"]
            out.extend(records)
            offset += limit
            if not records or offset >= body["result"]["total"]:
                return out

    def everything(self) -> dict[str, list[dict]]:
        data = {"siasn.asn": self.siasn()}
        for entity in (
            "trainings",
            "participations",
            "certifications",
            "development_plans",
            "competency_standards",
            "competency_assessments",
        ):
            data[f"bpsdm_kemendagri.{entity}"] = self.kemendagri(entity)
        data["kemnaker_corpu.completions"] = self.corpu()
        data["satudata.budgets"] = self.satudata()
        return data
