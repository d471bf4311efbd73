"""HTTP for source extraction: one session per source, retries that a nightly run can trust.

Transient trouble — connection errors, timeouts, 5xx, 429 and truncated or
otherwise undecodable bodies — is retried with exponential backoff and
jitter, honouring `Retry-After` (RFC 9110 §10.2.3: seconds or an HTTP date)
because sources recover on their own. A 401 refreshes credentials once,
because tokens expire mid-run. Any other 4xx is a configuration problem and
fails at once, and so does a 200 that is not JSON at all (an HTML or XML
page: a login redirect, a portal's error page), naming the URL and the
content type. TLS is verified.

Bodies are read as real sources send them: gzip-encoded (labelled with
`Content-Encoding`, or not), with or without a UTF-8 byte order mark.

Every read ends in bounded time: connect and read timeouts per socket
operation, `response_deadline_s` for a whole response (a source trickling a
byte a second never trips the read timeout), and `batch_deadline_s` for the
whole batch, past which the client neither sends nor waits again.
"""

from __future__ import annotations

import gzip
import logging
import random
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Protocol
from urllib.parse import urljoin

import msgspec
import requests

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
TRANSIENT_ERRORS = (
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
)
_BOM = b"\xef\xbb\xbf"
_GZIP_MAGIC = b"\x1f\x8b"
_BODY_CHUNK = 256 * 1024


class SourceError(RuntimeError):
    """Extraction from a source failed; the message names source, entity and reason."""

    def __init__(self, source: str, entity: str | None, reason: str) -> None:
        self.source = source
        self.entity = entity
        self.reason = reason
        where = f"{source}.{entity}" if entity else source
        super().__init__(f"{where}: {reason}")


class DeadlineExceeded(RuntimeError):
    """The batch's time is up: raised instead of sending or waiting again."""


class ResponseTooSlow(requests.Timeout):
    """A response did not arrive whole within `response_deadline_s` (retried as a timeout)."""


@dataclass(frozen=True)
class HttpSettings:
    """How patient extraction is; the defaults suit a nightly run against slow government APIs."""

    connect_timeout_s: float = 10.0
    read_timeout_s: float = 60.0  # per socket read
    response_deadline_s: float = 600.0  # one whole response, headers and body
    max_attempts: int = 8
    backoff_base_s: float = 0.5
    backoff_max_s: float = 30.0
    max_retry_after_s: float = 300.0
    batch_deadline_s: float = 6 * 3600.0  # one whole read (a batch), every page and retry
    max_pages: int = 1_000_000  # pages of one read; more means the source loops
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


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """A `Retry-After` value in seconds from now: delay-seconds, or an HTTP date (IMF-fixdate,
    RFC 850 or asctime, all GMT) less `now`. None when absent or unreadable."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # asctime carries no zone: HTTP dates are GMT
    return max((moment - (now or datetime.now(UTC))).total_seconds(), 0.0)


def backoff_delay(attempt: int, settings: HttpSettings, retry_after: str | None = None) -> float:
    """Seconds to wait before attempt `attempt + 1`: Retry-After if given (capped at
    `max_retry_after_s`), else capped exponential backoff with full jitter (so parallel
    tasks do not retry in lockstep)."""
    asked = retry_after_seconds(retry_after)
    if asked is not None:
        return min(asked, settings.max_retry_after_s)
    ceiling = min(settings.backoff_max_s, settings.backoff_base_s * 2**attempt)
    return random.uniform(ceiling / 2, ceiling)


def send(
    session: requests.Session,
    method: str,
    url: str,
    settings: HttpSettings,
    *,
    what: str,
    deadline: float | None = None,
    **kwargs: Any,
) -> requests.Response:
    """Send one request, retrying transient failures; returns the first non-transient response,
    its body read whole.

    `what` names the source (and entity) in log lines and errors; `deadline` (a
    `time.monotonic()` value) is when the batch must end: no attempt starts and no wait
    reaches past it (`DeadlineExceeded`).
    """
    timeout = (settings.connect_timeout_s, settings.read_timeout_s)
    for attempt in range(settings.max_attempts):
        last = attempt == settings.max_attempts - 1
        _check_deadline(deadline, f"before {method} {url}")
        try:
            response = session.request(method, url, timeout=timeout, stream=True, **kwargs)
            # Read the body now, so a connection cut mid-body is retried here.
            _read_body(response, settings, deadline)
        except TRANSIENT_ERRORS as error:
            if last:
                raise
            delay = backoff_delay(attempt, settings)
            log.warning("%s: %s on %s, retry in %.1fs", what, type(error).__name__, url, delay)
            _sleep(delay, deadline, f"{type(error).__name__} on {url}")
            continue
        if response.status_code not in RETRY_STATUSES or last:
            return response
        delay = backoff_delay(attempt, settings, response.headers.get("Retry-After"))
        log.warning("%s: HTTP %s on %s, retry in %.1fs", what, response.status_code, url, delay)
        _sleep(delay, deadline, f"HTTP {response.status_code} on {url}")
    raise AssertionError("unreachable")  # pragma: no cover


def _read_body(response: requests.Response, settings: HttpSettings, deadline: float | None) -> None:
    """Read the whole body of a streamed response into `response.content`, within the
    response deadline (and the batch's): a source that trickles bytes is cut off."""
    limit = time.monotonic() + settings.response_deadline_s
    if deadline is not None:
        limit = min(limit, deadline)
    chunks: list[bytes] = []
    try:
        for chunk in response.iter_content(_BODY_CHUNK):
            chunks.append(chunk)
            if time.monotonic() > limit:
                raise ResponseTooSlow(
                    f"body of {response.url} not complete after {settings.response_deadline_s:g}s"
                    f" ({sum(map(len, chunks))} bytes so far)"
                )
    finally:
        response.close()
    response._content = b"".join(chunks)
    response._content_consumed = True  # type: ignore[attr-defined]


def _check_deadline(deadline: float | None, doing: str) -> None:
    if deadline is not None and time.monotonic() >= deadline:
        raise DeadlineExceeded(f"batch deadline passed {doing}")


def _sleep(delay: float, deadline: float | None, why: str) -> None:
    if deadline is not None and time.monotonic() + delay >= deadline:
        raise DeadlineExceeded(
            f"batch deadline would pass while waiting {delay:.1f}s to retry after {why}"
        )
    time.sleep(delay)


class NotJson(ValueError):
    """A successful answer that is not JSON at all (an HTML or XML page)."""


def json_bytes(content: bytes) -> bytes:
    """The JSON text of a body: gunzipped when it is gzip data the transport left encoded
    (no `Content-Encoding`), without a UTF-8 byte order mark. Raises `ValueError` on a gzip
    stream that is cut short."""
    if content.startswith(_GZIP_MAGIC):
        try:
            content = gzip.decompress(content)
        except (EOFError, OSError, zlib.error) as error:
            raise ValueError(f"gzip data cut short or corrupt: {error}") from error
    return content.removeprefix(_BOM)


def is_markup(response: requests.Response, content: bytes) -> bool:
    """Whether a body is an HTML/XML page rather than (possibly broken) JSON."""
    kind = response.headers.get("Content-Type", "").lower()
    return "html" in kind or "xml" in kind or content.lstrip()[:1] == b"<"


def not_json_reason(response: requests.Response, content: bytes, url: str) -> str:
    kind = response.headers.get("Content-Type") or "no Content-Type"
    return (
        f"expected JSON from {url} but got {kind} (HTTP {response.status_code},"
        f" {len(content)} bytes): {_text_snippet(content)}"
    )


class SourceClient:
    """JSON GETs against one source's base URL, with its session and credentials.

    A client serves one batch: `deadline` is `settings.batch_deadline_s` from its creation.
    """

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
        self.deadline = time.monotonic() + self.settings.batch_deadline_s
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
        A body that is an HTML or XML page fails at once (`SourceError`).
        """
        decode = decode or _decode
        url = self.url(path_or_url)
        what = f"{self.source}.{entity}" if entity else self.source
        refreshed = False
        problem = ""
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
                    f"HTTP {response.status_code} from {response.url}: {_snippet(response)}",
                )
            content = response.content
            try:
                return decode(json_bytes(content)), response
            except (ValueError, msgspec.DecodeError) as error:
                if is_markup(response, content):
                    raise SourceError(
                        self.source, entity, not_json_reason(response, content, response.url)
                    ) from None
                kind = response.headers.get("Content-Type") or "no Content-Type"
                problem = f"{kind}, {len(content)} bytes: {error}"
                delay = backoff_delay(attempt, self.settings)
                log.warning(
                    "%s: undecodable body from %s (%s), retry in %.1fs",
                    what,
                    response.url,
                    problem,
                    delay,
                )
                self._sleep(delay, entity, f"an undecodable body from {response.url}")
        raise SourceError(
            self.source,
            entity,
            f"no valid JSON from {url} after {self.settings.max_attempts} attempts (cut short?"
            f" last: {problem})",
        )

    def check_deadline(self, entity: str | None, doing: str) -> None:
        """Fail the batch (`SourceError`) when its deadline has passed."""
        try:
            _check_deadline(self.deadline, doing)
        except DeadlineExceeded as error:
            raise SourceError(self.source, entity, self._late(error)) from None

    def _sleep(self, delay: float, entity: str | None, why: str) -> None:
        try:
            _sleep(delay, self.deadline, why)
        except DeadlineExceeded as error:
            raise SourceError(self.source, entity, self._late(error)) from None

    def _late(self, error: DeadlineExceeded) -> str:
        return f"{error} ({self.settings.batch_deadline_s:g}s for the batch)"

    def _send(
        self, url: str, params: dict[str, Any] | None, what: str, entity: str | None
    ) -> requests.Response:
        try:
            return send(
                self.session,
                "GET",
                url,
                self.settings,
                what=what,
                deadline=self.deadline,
                params=params,
            )
        except DeadlineExceeded as error:
            raise SourceError(self.source, entity, self._late(error)) from None
        except TRANSIENT_ERRORS as error:
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


def _text_snippet(content: bytes, limit: int = 200) -> str:
    text = content[: limit * 4].decode("utf-8", "replace")
    return " ".join(text.split())[:limit]
