"""A small client of CKAN's Action API (`POST /api/3/action/<action>`, JSON in and out).

CKAN answers `{"success": true, "result": ...}`, or `{"success": false,
"error": {"__type": ..., ...}}` with a 4xx status; the API key (token) goes
in the `Authorization` header. Only the actions the open-data publish uses.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import requests

log = logging.getLogger(__name__)

TIMEOUT_S = 60


class CkanError(RuntimeError):
    """CKAN refused an action; the message carries the action and CKAN's error."""

    def __init__(self, action: str, status: int, error: Any) -> None:
        self.action = action
        self.status = status
        self.error = error if isinstance(error, dict) else {"message": str(error)}
        kind = self.error.get("__type", f"HTTP {status}")
        details = {k: v for k, v in self.error.items() if k != "__type"}
        super().__init__(f"CKAN {action}: {kind}: {json.dumps(details, ensure_ascii=False)}")

    @property
    def not_found(self) -> bool:
        return self.status == 404 or self.error.get("__type") == "Not Found Error"


class CkanClient:
    def __init__(self, base_url: str, api_key: str, session: requests.Session | None = None):
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.session = session or requests.Session()

    def call(self, action: str, payload: dict[str, Any]) -> Any:
        """`result` of the action; CkanError when CKAN says no."""
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = self.api_key
        response = self.session.post(
            f"{self.base_url}/api/3/action/{action}",
            data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
            headers=headers,
            timeout=TIMEOUT_S,
        )
        try:
            body = response.json()
        except ValueError:
            raise CkanError(action, response.status_code, response.text[:300]) from None
        if not isinstance(body, dict) or not body.get("success"):
            error = body.get("error") if isinstance(body, dict) else body
            raise CkanError(action, response.status_code, error)
        return body["result"]

    def package_show(self, name: str) -> dict[str, Any] | None:
        """The package, or None when the portal has none of that name."""
        try:
            return dict(self.call("package_show", {"id": name}))
        except CkanError as error:
            if error.not_found:
                return None
            raise

    def search_all(self, resource_id: str, fields: list[str]) -> list[dict[str, Any]]:
        """Every record of a DataStore table (its `fields` only), page by page."""
        records: list[dict[str, Any]] = []
        limit = 1000
        while True:
            page = self.call(
                "datastore_search",
                {
                    "resource_id": resource_id,
                    "fields": fields,
                    "limit": limit,
                    "offset": len(records),
                    "sort": "_id",
                },
            )
            records.extend(page["records"])
            if len(page["records"]) < limit:
                return records
