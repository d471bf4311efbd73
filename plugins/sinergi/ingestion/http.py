"""HTTP for source extraction: one session per source, retries that a nightly run can trust.

Transient trouble — connection errors, timeouts, 5xx, 429 and truncated or
otherwise undecodable bodies — is retried with exponential backoff and
jitter (honouring `Retry-After` on 429) because sources recover on their
own. A 401 refreshes credentials once, because tokens expire mid-run. Any
other 4xx is a configuration problem and fails at once. TLS is verified.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urljoin

import msgspec
import requests

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_TRANSIENT_ERRORS = (
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
)


class SourceError(RuntimeError):
    """Extraction from a source failed; the message names source, entity and reason."""

    def __init__(self, source: str, entity: str | None, reason: str) -> None:
        self.source = source
        self.entity = entity
        self.reason = reason
        where = f"{source}.{entity}" if entity else source
        super().__init__(f"{where}: {reason}")


@dataclass(frozen=True)
class HttpSettings:
    """How patient extraction is; the defaults suit a nightly run against slow government APIs."""

    connect_timeout_s: float = 10.0
    read_timeout_s: float = 60.0
    max_attempts: int = 8
    backoff_base_s: float = 0.5
    backoff_max_s: float = 30.0
    max_retry_after_s: float = 300.0
    verify_tls: bool = True


class Authenticator(Protocol):
    """Adds credentials to a session and can renew them after a 401."""

    def apply(self, session: requests.Session) -> None: ...

    def refresh(self, session: requests.Session) -> bool:
        """Renew the credentials; False when there is nothing to renew (a fixed key)."""
        ...


def new_session(settings: HttpSettings) -> requests.Session:
    session = requests.Session()
    session.verify = settings.verify_tls
    session.headers["Accept"] = "application/json"
    session.headers["User-Agent"] = "sinergi-ingest/0.1"
    return session


def backoff_delay(attempt: int, settings: HttpSettings, retry_after: str | None = None) -> float:
    """Seconds to wait before attempt `attempt + 1`: Retry-After if given, else capped
    exponential backoff with full jitter (so parallel tasks do not retry in lockstep)."""
    if retry_after is not None:
        try:
            return min(max(float(retry_after), 0.0), settings.max_retry_after_s)
        except ValueError:
            pass  # an HTTP date: fall back to our own backoff
    ceiling = min(settings.backoff_max_s, settings.backoff_base_s * 2**attempt)
    return random.uniform(ceiling / 2, ceiling)


def send(
    session: requests.Session,
    method: str,
    url: str,
    settings: HttpSettings,
    *,
    what: str,
    **kwargs: Any,
) -> requests.Response:
    """Send one request, retrying transient failures; returns the first non-transient response.

    `what` names the source (and entity) in log lines and errors.
    """
    timeout = (settings.connect_timeout_s, settings.read_timeout_s)
    for attempt in range(settings.max_attempts):
        last = attempt == settings.max_attempts - 1
        try:
            response = session.request(method, url, timeout=timeout, **kwargs)
            # Read the body now, so a connection cut mid-body is retried here.
            _ = response.content
        except _TRANSIENT_ERRORS as error:
            if last:
                raise
            delay = backoff_delay(attempt, settings)
            log.warning("%s: %s on %s, retry in %.1fs", what, type(error).__name__, url, delay)
            time.sleep(delay)
            continue
        if response.status_code not in RETRY_STATUSES or last:
            return response
        retry_after = response.headers.get("Retry-After") if response.status_code == 429 else None
        delay = backoff_delay(attempt, settings, retry_after)
        log.warning("%s: HTTP %s on %s, retry in %.1fs", what, response.status_code, url, delay)
        time.sleep(delay)
    raise AssertionError("unreachable")  # pragma: no cover


class SourceClient:
    """JSON GETs against one source's base URL, with its session and credentials."""

    def __init__(
        self,
        source: str,
        base_url: str,
        auth: Authenticator,
        settings: HttpSettings | None = None,
    ) -> None:
        self.source = source
        self.base_url = base_url.rstrip("/") + "/"
        self.auth = auth
        self.settings = settings or HttpSettings()
        self.session = new_session(self.settings)
        self.auth.apply(self.session)

    def url(self, path_or_url: str) -> str:
        """An absolute URL from a path relative to the base URL (or an absolute URL)."""
        return urljoin(self.base_url, path_or_url.lstrip("/"))

    def get_json(
        self,
        path_or_url: str,
        params: dict[str, Any] | None = None,
        *,
        entity: str | None = None,
        decode: Callable[[bytes], Any] | None = None,
    ) -> tuple[Any, requests.Response]:
        """GET and decode JSON; undecodable (truncated) bodies and one 401 are retried.

        `decode` replaces the full decode (a page is read with `RawJson.parse`); it must
        raise `msgspec.DecodeError` or `ValueError` on a body that is not valid JSON.
        """
        decode = decode or _decode
        url = self.url(path_or_url)
        what = f"{self.source}.{entity}" if entity else self.source
        refreshed = False
        for attempt in range(self.settings.max_attempts):
            response = self._send(url, params, what, entity)
            if response.status_code == 401 and not refreshed:
                refreshed = True
                log.info("%s: HTTP 401, renewing credentials once", what)
                if self.auth.refresh(self.session):
                    continue
            if response.status_code >= 400:
                raise SourceError(
                    self.source,
                    entity,
                    f"HTTP {response.status_code} from {url}: {_snippet(response)}",
                )
            try:
                return decode(response.content), response
            except (ValueError, msgspec.DecodeError) as error:
                delay = backoff_delay(attempt, self.settings)
                log.warning(
                    "%s: undecodable body from %s (%s), retry in %.1fs", what, url, error, delay
                )
                time.sleep(delay)
        raise SourceError(
            self.source,
            entity,
            f"no decodable body from {url} after {self.settings.max_attempts} attempts",
        )

    def _send(
        self, url: str, params: dict[str, Any] | None, what: str, entity: str | None
    ) -> requests.Response:
        try:
            return send(self.session, "GET", url, self.settings, what=what, params=params)
        except _TRANSIENT_ERRORS as error:
            raise SourceError(
                self.source, entity, f"{type(error).__name__} on {url}, retries exhausted: {error}"
            ) from error

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> SourceClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_decode = msgspec.json.Decoder().decode  # 2x the json module on large pages


def _snippet(response: requests.Response, limit: int = 200) -> str:
    text = response.text[:limit].replace("\n", " ")
    return text or response.reason or ""
