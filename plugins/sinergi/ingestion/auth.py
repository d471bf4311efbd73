"""Authenticating to sources: OAuth2 client credentials, API-key headers, bearer tokens.

Which scheme a source uses is registry configuration (`auth.type`); the
secrets come from its Airflow Connection: `login`/`password` are the OAuth2
client id/secret, or `password` is the API key / bearer token (`extra.token`
or `extra.api_key` also accepted, as Airflow HTTP connections often hold them).
"""

from __future__ import annotations

import json
import logging
import time

import requests

from sinergi.ingestion.connections import ConnectionInfo
from sinergi.ingestion.http import (
    TRANSIENT_ERRORS,
    Authenticator,
    HttpSettings,
    SourceError,
    backoff_delay,
    is_markup,
    json_bytes,
    not_json_reason,
    send,
)
from sinergi.ingestion.registry import Auth

log = logging.getLogger(__name__)


class NoAuth:
    def apply(self, session: requests.Session) -> None:
        return None

    def refresh(self, session: requests.Session) -> bool:
        return False


class HeaderAuth:
    """A fixed secret in a header (API key, bearer token): nothing to renew after a 401."""

    def __init__(self, header: str, value: str) -> None:
        self.header = header
        self.value = value

    def apply(self, session: requests.Session) -> None:
        session.headers[self.header] = self.value

    def refresh(self, session: requests.Session) -> bool:
        return False


class OAuth2ClientCredentials:
    """RFC 6749 §4.4: a token from `token_url`, renewed on 401 (expiry mid-run)."""

    def __init__(
        self,
        source: str,
        token_url: str,
        client_id: str,
        client_secret: str,
        settings: HttpSettings,
    ) -> None:
        self.source = source
        self.token_url = token_url
        self.client_id = client_id
        self.client_secret = client_secret
        self.settings = settings

    def apply(self, session: requests.Session) -> None:
        session.headers["Authorization"] = f"Bearer {self._fetch_token(session)}"

    def refresh(self, session: requests.Session) -> bool:
        self.apply(session)
        return True

    def _fetch_token(self, session: requests.Session) -> str:
        """A new access token; a token body that is cut short is asked for again, as a page
        would be, and an HTML/XML answer fails at once."""
        data = {
            "grant_type": "client_credentials",
            "client_id": self.client_id,
            "client_secret": self.client_secret,
        }
        problem = ""
        for attempt in range(self.settings.max_attempts):
            response = self._post(session, data)
            if response.status_code != 200:
                raise SourceError(
                    self.source,
                    None,
                    f"token request to {self.token_url} refused: HTTP {response.status_code}",
                )
            content = response.content
            try:
                token = json.loads(json_bytes(content))
            except ValueError as error:
                if is_markup(response, content):
                    reason = "token " + not_json_reason(response, content, self.token_url)
                    raise SourceError(self.source, None, reason) from None
                problem = f"{len(content)} bytes: {error}"
                delay = backoff_delay(attempt, self.settings)
                log.warning(
                    "%s: undecodable token body (%s), retry in %.1fs", self.source, problem, delay
                )
                time.sleep(delay)
                continue
            if not isinstance(token, dict) or not token.get("access_token"):
                raise SourceError(
                    self.source, None, f"token response from {self.token_url} has no access_token"
                )
            log.debug("%s: obtained an access token", self.source)
            return str(token["access_token"])
        raise SourceError(
            self.source,
            None,
            f"no valid JSON from {self.token_url} after {self.settings.max_attempts} attempts"
            f" (cut short? last: {problem})",
        )

    def _post(self, session: requests.Session, data: dict[str, str]) -> requests.Response:
        try:
            # The token request must not carry the (expired) token of the session.
            return send(
                session,
                "POST",
                self.token_url,
                self.settings,
                what=f"{self.source} token",
                data=data,
                headers={"Authorization": None},
            )
        except TRANSIENT_ERRORS as error:
            raise SourceError(
                self.source,
                None,
                f"{type(error).__name__} on {self.token_url}, retries exhausted: {error}",
            ) from error


def _secret(conn: ConnectionInfo, *extra_keys: str) -> str:
    for key in extra_keys:
        if conn.extra.get(key):
            return str(conn.extra[key])
    return conn.password


def build_authenticator(
    source: str, auth: Auth, conn: ConnectionInfo | None, base_url: str, settings: HttpSettings
) -> Authenticator:
    """The authenticator the registry asks for, holding the connection's secrets."""
    if auth.type == "none":
        return NoAuth()
    if conn is None:
        raise SourceError(source, None, f"auth {auth.type} needs a connection with its secrets")
    if auth.type == "oauth2_client_credentials":
        token_url = base_url.rstrip("/") + "/" + (auth.token_path or "").lstrip("/")
        return OAuth2ClientCredentials(source, token_url, conn.login, conn.password, settings)
    if auth.type == "api_key":
        return HeaderAuth(auth.header or "X-API-Key", _secret(conn, "api_key"))
    if auth.type == "bearer":
        return HeaderAuth("Authorization", f"Bearer {_secret(conn, 'token')}")
    if auth.type == "ckan_api_key":
        key = _secret(conn, "api_key")
        return HeaderAuth("Authorization", key) if key else NoAuth()
    raise SourceError(source, None, f"unknown auth type {auth.type!r}")
