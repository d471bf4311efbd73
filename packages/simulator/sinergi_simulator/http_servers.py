"""The four HTTP sources of the contract, each a stdlib threading HTTP server.

Pages are assembled by joining pre-encoded records (no per-request JSON
encoding of records), which is what keeps serving ahead of any client. Every
server also answers the simulator's admin paths (`/_sim/clock`, `/_sim/health`)
so a test or demo can move the clock over HTTP.

The fault profiles chosen (`faults.PROFILES`) change what the sources answer:
the apps apply those about paging and counts (CKAN estimated totals and
unordered rows, overstated totals, repeated cursors, links and pages), the
request handler those about transport and encoding (Retry-After, gzip, BOM,
HTML error pages, bodies cut mid-record).
"""

from __future__ import annotations

import base64
import binascii
import gzip
import json
import logging
import math
import random
import secrets
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

from sinergi_simulator.ckan_portal import CkanError as PortalError
from sinergi_simulator.ckan_portal import CkanPortal
from sinergi_simulator.config import Credentials, ServeConfig
from sinergi_simulator.entities import Sources
from sinergi_simulator.faults import FaultInjector
from sinergi_simulator.streams import Stream
from sinergi_simulator.timeline import Clock, format_ms, parse_timestamp

logger = logging.getLogger(__name__)

KEMENDAGRI_ENTITIES = (
    "trainings",
    "participations",
    "certifications",
    "development_plans",
    "competency_standards",
    "competency_assessments",
)
CKAN_RESOURCE = "anggaran_pengembangan_kompetensi"
CKAN_ROW_ID = "_id"
CKAN_FIELDS = [
    {"id": "_id", "type": "int"},
    {"id": "tahun", "type": "int"},
    {"id": "kode_satker", "type": "text"},
    {"id": "nama_instansi", "type": "text"},
    {"id": "sumber_dana", "type": "text"},
    {"id": "program", "type": "text"},
    {"id": "pagu", "type": "text"},
    {"id": "realisasi", "type": "text"},
    {"id": "target_peserta", "type": "int"},
]


class HttpError(Exception):
    """An error answer: status, JSON body and extra headers."""

    def __init__(self, status: int, body: object, headers: dict[str, str] | None = None) -> None:
        super().__init__(status)
        self.status = status
        self.body = body
        self.headers = headers or {}


class Response:
    """A successful answer with a body already encoded."""

    def __init__(self, body: bytes, headers: dict[str, str] | None = None, status: int = 200):
        self.body = body
        self.headers = headers or {}
        self.status = status


def _json(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def _int_param(params: dict[str, str], name: str, default: int, maximum: int) -> int:
    raw = params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise HttpError(400, {"error": f"{name} must be an integer, got {raw!r}"}) from None
    if value < 0 or value > maximum:
        raise HttpError(400, {"error": f"{name} must be within [0, {maximum}], got {value}"})
    return value


def overstated(count: int) -> int:
    """The count an `overstated_total` source claims for `count` records."""
    return count + max(3, count // 10)


def estimated(count: int) -> int:
    """The total a `ckan_estimated_total` source reports for `count` rows: a fifth low."""
    return count * 4 // 5 // 10 * 10


def _ts_param(params: dict[str, str], name: str) -> int | None:
    raw = params.get(name)
    if raw is None or raw == "":
        return None
    try:
        return parse_timestamp(raw)
    except ValueError:
        raise HttpError(400, {"error": f"{name} is not a timestamp: {raw!r}"}) from None


def encode_token(position: int, upper: int) -> str:
    """An opaque cursor: where the next page starts and where this read's window ends."""
    return base64.urlsafe_b64encode(f"{position}.{upper}".encode()).decode().rstrip("=")


def decode_token(token: str) -> tuple[int, int]:
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        position, upper = (int(part) for part in text.split("."))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise HttpError(400, {"error": f"invalid cursor {token!r}"}) from None
    return position, upper


class SourceApp:
    """Routing and auth of one source; subclasses implement `route`. `faults` holds the
    fault profiles chosen (none without it)."""

    name = "source"

    def __init__(
        self,
        sources: Sources,
        clock: Clock,
        credentials: Credentials,
        config: ServeConfig,
        faults: FaultInjector | None = None,
    ) -> None:
        self.sources = sources
        self.clock = clock
        self.credentials = credentials
        self.config = config
        self.faults = faults

    def profile(self, name: str) -> bool:
        """Whether a fault profile is on; counted as shown when it is."""
        if self.faults is None or not self.faults.has(name):
            return False
        self.faults.count(name)
        return True

    def route(self, method: str, path: str, params: dict[str, str], headers, body: bytes):
        raise NotImplementedError

    def page_bytes(self, stream: Stream, start: int, stop: int) -> bytes:
        return b"[" + stream.page(start, stop) + b"]"


class SiasnApp(SourceApp):
    """BKN SIASN: OAuth2 client credentials, cursor pagination, `updated_since` (inclusive)."""

    name = "siasn"

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._tokens: dict[str, float] = {}
        self._lock = threading.Lock()

    def route(self, method, path, params, headers, body):
        if method == "POST" and path == "/oauth/token":
            return self._token(headers, body)
        if method == "GET" and path == "/api/v1/asn":
            self._check_token(headers)
            return self._asn(params)
        raise HttpError(404, {"error": f"no route {method} {path}"})

    def _token(self, headers, body: bytes) -> Response:
        form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
        client_id, secret = form.get("client_id"), form.get("client_secret")
        basic = headers.get("Authorization", "")
        if basic.startswith("Basic "):
            try:
                client_id, _, secret = base64.b64decode(basic[6:]).decode().partition(":")
            except (binascii.Error, UnicodeDecodeError):
                raise HttpError(401, {"error": "invalid_client"}) from None
        if form.get("grant_type") != "client_credentials":
            raise HttpError(400, {"error": "unsupported_grant_type"})
        creds = self.credentials
        if client_id != creds.siasn_client_id or secret != creds.siasn_client_secret:
            raise HttpError(401, {"error": "invalid_client"})
        token = secrets.token_urlsafe(24)
        with self._lock:
            now = time.monotonic()
            self._tokens = {t: exp for t, exp in self._tokens.items() if exp > now}
            self._tokens[token] = now + self.config.token_ttl_s
        return Response(
            _json(
                {
                    "access_token": token,
                    "token_type": "Bearer",
                    "expires_in": self.config.token_ttl_s,
                }
            )
        )

    def _check_token(self, headers) -> None:
        auth = headers.get("Authorization", "")
        token = auth[7:] if auth.startswith("Bearer ") else ""
        with self._lock:
            expiry = self._tokens.get(token)
        if expiry is None or expiry < time.monotonic():
            raise HttpError(
                401,
                {"error": "invalid_token"},
                {"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )

    def _asn(self, params) -> Response:
        stream = self.sources.asn
        limit = _int_param(params, "limit", 1000, self.config.max_page_size) or 1000
        if params.get("cursor"):
            position, upper = decode_token(params["cursor"])
        else:
            since = _ts_param(params, "updated_since")
            position = stream.count_until(since - 1) if since is not None else 0
            upper = stream.count_until(self.clock.now_ms)
        stop = min(position + limit, upper)
        following = encode_token(stop, upper)
        if params.get("cursor") and stop < upper and self.profile("repeat_cursor"):
            following = params["cursor"]
        next_cursor = f'"{following}"' if stop < upper else "null"
        body = (
            b'{"data":'
            + self.page_bytes(stream, position, stop)
            + f',"next_cursor":{next_cursor}}}'.encode()
        )
        return Response(body)


class KemendagriApp(SourceApp):
    """BPSDM Kemendagri: API key, offset pagination, `modified_after` (exclusive)."""

    name = "bpsdm_kemendagri"

    def route(self, method, path, params, headers, body):
        entity = path.removeprefix("/api/v1/")
        if method != "GET" or not path.startswith("/api/v1/") or entity not in KEMENDAGRI_ENTITIES:
            raise HttpError(404, {"error": f"no route {method} {path}"})
        if headers.get("X-API-Key") != self.credentials.kemendagri_api_key:
            raise HttpError(401, {"error": "invalid or missing X-API-Key"})
        stream = self.sources.streams[f"bpsdm_kemendagri.{entity}"]
        offset = _int_param(params, "offset", 0, 10**12)
        limit = _int_param(params, "limit", 1000, self.config.max_page_size)
        after = _ts_param(params, "modified_after")
        lower = stream.count_until(after) if after is not None else 0
        upper = max(stream.count_until(self.clock.now_ms), lower)
        start = min(lower + (0 if self.profile("repeat_page") else offset), upper)
        stop = min(start + limit, upper)
        total = upper - lower
        if self.profile("overstated_total"):
            total = overstated(total)
        body = (
            b'{"data":'
            + self.page_bytes(stream, start, stop)
            + f',"offset":{offset},"limit":{limit},"total":{total}}}'.encode()
        )
        return Response(body)


class CorpuApp(SourceApp):
    """Kemnaker Corpu LMS: bearer token, RFC 8288 Link pagination, epoch-ms `updated_since_ms`."""

    name = "kemnaker_corpu"

    def __init__(self, *args, base_url: Callable[[], str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._base_url = base_url

    def route(self, method, path, params, headers, body):
        if method != "GET" or path != "/api/v1/completions":
            raise HttpError(404, {"error": f"no route {method} {path}"})
        if headers.get("Authorization", "") != f"Bearer {self.credentials.corpu_token}":
            raise HttpError(401, {"error": "unauthorized"})
        stream = self.sources.completions
        per_page = _int_param(params, "per_page", 1000, self.config.max_page_size) or 1000
        if params.get("page_token"):
            position, upper = decode_token(params["page_token"])
        else:
            since = _ts_param(params, "updated_since_ms")
            position = stream.count_until(since - 1) if since is not None else 0
            upper = stream.count_until(self.clock.now_ms)
        stop = min(position + per_page, upper)
        left = max(upper - position, 0)
        if self.profile("overstated_total"):
            left = overstated(left)
        extra = {"X-Total-Count": str(left)}
        if stop < upper:
            token = encode_token(stop, upper)
            if params.get("page_token") and self.profile("repeat_link"):
                token = params["page_token"]  # the URL this page was read from, again
            extra["Link"] = f'<{self._link(per_page, token)}>; rel="next"'
        return Response(self.page_bytes(stream, position, stop), extra)

    def _link(self, per_page: int, token: str) -> str:
        query = urlencode({"per_page": per_page, "page_token": token})
        return f"{self._base_url()}/api/v1/completions?{query}"


class SatudataApp(SourceApp):
    """Satu Data CKAN DataStore: `datastore_search` with limit/offset, `sort` (on `_id`),
    total, `total_was_estimated` and `_links` (`next` on every page, as CKAN does)."""

    name = "satudata"

    def __init__(self, *args, base_url: Callable[[], str] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._requests = 0
        self._lock = threading.Lock()
        # the portal's write side: what open-data publishers push (ckan_portal)
        self.portal = CkanPortal(self.credentials.satudata_api_key, base_url or (lambda: ""))

    def route(self, method, path, params, headers, body):
        action = path.removeprefix("/api/3/action/")
        if action in self.portal.actions and not self._budget_search(action, params, body):
            return self._portal(action, method, params, headers, body)
        if path != "/api/3/action/datastore_search" or method not in ("GET", "POST"):
            raise HttpError(404, {"success": False, "error": {"message": "Not found"}})
        if method == "POST" and body:
            try:
                params = {**params, **{k: str(v) for k, v in json.loads(body).items()}}
            except (ValueError, AttributeError):
                raise HttpError(400, {"success": False, "error": {"message": "bad JSON"}}) from None
        key = headers.get("Authorization")
        if key is not None and key != self.credentials.satudata_api_key:
            raise HttpError(401, {"success": False, "error": {"message": "Authorization failed"}})
        resource = params.get("resource_id", "")
        if resource != CKAN_RESOURCE:
            raise HttpError(
                404,
                {
                    "success": False,
                    "error": {"message": f"Resource not found: {resource}", "__type": "Not Found"},
                },
            )
        stream = self.sources.budgets
        limit = _int_param(params, "limit", 100, self.config.max_page_size)
        offset = _int_param(params, "offset", 0, 10**12)
        order = self._order(params.get("sort", ""))
        total = stream.count_until(self.clock.now_ms)
        first = 0 if self.profile("repeat_page") else offset
        start, stop = min(first, total), min(first + limit, total)
        records = self._records(stream, total, start, stop, order)
        reported, was_estimated = total, False
        if self.profile("ckan_estimated_total"):
            reported, was_estimated = estimated(total), True
        elif self.profile("overstated_total"):
            reported = overstated(total)
        path = "/api/3/action/datastore_search"
        args = {k: v for k, v in params.items() if k != "offset"}
        links = {  # as CKAN builds them: this request's arguments, `next` even on the last page
            "start": f"{path}?{urlencode(args)}",
            "next": f"{path}?{urlencode({**args, 'offset': offset + limit})}",
        }
        head = {"resource_id": resource, "fields": CKAN_FIELDS}
        body = (
            b'{"help":"datastore_search","success":true,"result":'
            + _json(head)[:-1]
            + b',"records":['
            + records
            + f'],"limit":{limit},"offset":{offset},"total":{reported},'.encode()
            + f'"total_was_estimated":{"true" if was_estimated else "false"},"_links":'.encode()
            + _json(links)
            + b"}}"
        )
        return Response(body)

    def _budget_search(self, action: str, params: dict[str, str], body: bytes) -> bool:
        """Whether the request reads the budget resource (the source), not a portal table."""
        if action != "datastore_search":
            return False
        resource = params.get("resource_id")
        if resource is None and body:
            try:
                resource = json.loads(body).get("resource_id")
            except (ValueError, AttributeError):
                return True  # the source's answer to bad JSON
        return resource == CKAN_RESOURCE or resource not in self.portal.tables

    def _portal(self, action: str, method: str, params, headers, body: bytes) -> Response:
        """One Action API call on the portal, in CKAN's envelope."""
        help_url = f"{self.portal.base_url()}/api/3/action/help_show?name={action}"
        try:
            data = json.loads(body) if body else dict(params)
            if not isinstance(data, dict):
                raise ValueError("not an object")
        except ValueError as error:
            message = f"Bad request - JSON Error: {error}"
            raise HttpError(
                400, {"help": help_url, "success": False, "error": {"message": message}}
            ) from None
        try:
            result = self.portal.call(action, method, data, headers.get("Authorization"))
        except PortalError as error:
            raise HttpError(
                error.status, {"help": help_url, "success": False, "error": error.error}
            ) from None
        return Response(_json({"help": help_url, "success": True, "result": result}))

    def _order(self, sort: str) -> str | None:
        """`asc`/`desc` for a sort on `_id` (the only sort the simulator knows), None for none."""
        clauses = [clause.split() for clause in sort.split(",") if clause.strip()]
        if not clauses:
            return None
        field, *rest = clauses[0]
        direction = rest[0].lower() if rest else "asc"
        if field.strip('"') != CKAN_ROW_ID or direction not in ("asc", "desc") or len(clauses) > 1:
            raise HttpError(
                409,
                {
                    "success": False,
                    "error": {
                        "__type": "Validation Error",
                        "sort": [f"the simulator sorts on {CKAN_ROW_ID} only, not {sort!r}"],
                    },
                },
            )
        return direction

    def _records(
        self, stream: Stream, total: int, start: int, stop: int, order: str | None
    ) -> bytes:
        """The records of one page, comma-separated: in `_id` order, reversed, or (without
        `sort`, under `ckan_unordered`) in an order drawn afresh for every request."""
        if order == "asc" or (order is None and not self.profile("ckan_unordered")):
            return stream.page(start, stop)
        rows = stream.records(0, total)
        positions = list(range(total))
        if order == "desc":
            positions.reverse()
        else:
            with self._lock:
                self._requests += 1
                draw = self._requests
            random.Random(f"{self.sources.world.seed}:{draw}").shuffle(positions)
        return b",".join(rows[i] for i in positions[start:stop])


_BOM = b"\xef\xbb\xbf"
_ERROR_PAGE = (
    b"<!DOCTYPE html>\n<html><head><title>Layanan Sedang Dalam Pemeliharaan</title></head>"
    b"<body><h1>Mohon maaf</h1><p>Layanan sedang dalam pemeliharaan. Silakan coba lagi"
    b" nanti.</p></body></html>\n"
)


class _Handler(BaseHTTPRequestHandler):
    """Shared request plumbing: admin paths, faults, errors, keep-alive."""

    protocol_version = "HTTP/1.1"
    app: SourceApp
    faults: FaultInjector

    def log_message(self, format: str, *args) -> None:
        logger.debug("%s %s", self.app.name, format % args)

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def _handle(self, method: str) -> None:
        split = urlsplit(self.path)
        params = {k: v[-1] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        try:
            if split.path.startswith("/_sim/"):
                response = self._admin(method, split.path, body)
            elif self.app.name in self.faults.outages:
                raise HttpError(503, {"error": f"{self.app.name} is down (simulated outage)"})
            else:
                key = f"{method} {self.path}"
                fault = self.faults.decide(key)
                if fault and fault not in ("slow", "truncate"):
                    raise self._fault_error(fault)
                if fault == "slow":
                    time.sleep(self.app.config.slow_delay_s)
                self._refuse_first_try(key)
                if self.faults.has("html_200"):
                    self.faults.count("html_200")
                    response = Response(_ERROR_PAGE, {"Content-Type": "text/html; charset=utf-8"})
                else:
                    response = self.app.route(method, split.path, params, self.headers, body)
                self._shape(response, key)
                if fault == "truncate":
                    self._send(response.status, response.body, response.headers, truncate=True)
                    return
        except HttpError as error:
            response = Response(_json(error.body), error.headers, error.status)
            if not split.path.startswith("/_sim/"):
                self._shape(response, None)
        self._send(response.status, response.body, response.headers)

    def _refuse_first_try(self, key: str) -> None:
        """The Retry-After profiles: the first try of each request is told to come back."""
        faults, wait = self.faults, self.app.config.retry_after_s
        if faults.first_try("retry_after_seconds", key):
            raise HttpError(429, {"error": "rate limited"}, {"Retry-After": str(wait)})
        if faults.first_try("retry_after_date", key):
            when = datetime.fromtimestamp(math.ceil(time.time()) + wait, UTC)
            raise HttpError(
                503,
                {"error": "down for maintenance"},
                {"Retry-After": format_datetime(when, usegmt=True)},
            )

    def _shape(self, response: Response, key: str | None) -> None:
        """The encoding profiles: a BOM, a body cut mid-record (first try, data answers
        only: `key` given), gzip for clients that accept it."""
        faults = self.faults
        is_json = "json" in response.headers.get("Content-Type", "application/json")
        if faults.has("bom") and is_json:
            faults.count("bom")
            response.body = _BOM + response.body
        if (
            key is not None
            and response.status == 200
            and len(response.body) > 2
            and faults.first_try("truncated_record", key)
        ):
            response.body = response.body[: len(response.body) * 2 // 3]
        if faults.has("gzip") and "gzip" in self.headers.get("Accept-Encoding", ""):
            faults.count("gzip")
            response.body = gzip.compress(response.body, compresslevel=1)
            response.headers = {**response.headers, "Content-Encoding": "gzip"}

    def _fault_error(self, fault: str) -> HttpError:
        if fault == "429":
            retry = str(self.app.config.retry_after_s)
            return HttpError(429, {"error": "rate limited"}, {"Retry-After": retry})
        return HttpError(int(fault), {"error": "upstream unavailable"})

    def _admin(self, method: str, path: str, body: bytes) -> Response:
        clock = self.app.clock
        if path == "/_sim/health":
            return Response(_json({"status": "ok", "source": self.app.name}))
        if path == "/_sim/clock":
            if method == "POST":
                try:
                    clock.set(json.loads(body)["clock"])
                except (ValueError, KeyError, TypeError):
                    raise HttpError(400, {"error": 'POST {"clock": "<ISO timestamp>"}'}) from None
            return Response(_json({"clock": format_ms(clock.now_ms), "clock_ms": clock.now_ms}))
        raise HttpError(404, {"error": f"no admin route {path}"})

    def _send(
        self, status: int, body: bytes, headers: dict[str, str], truncate: bool = False
    ) -> None:
        self.send_response(status)
        headers = dict(headers)
        self.send_header(
            "Content-Type", headers.pop("Content-Type", "application/json; charset=utf-8")
        )
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        if truncate:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(body[: len(body) // 2] if truncate else body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def handle_error(self, request, client_address) -> None:
        """A client that gave up (timeout, truncated page) is routine here, not an error."""
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError):
            logger.debug("simulator: client %s went away: %s", client_address, error)
            return
        logger.exception("simulator: request from %s failed", client_address)


def make_server(app: SourceApp, faults: FaultInjector, host: str, port: int) -> _Server:
    """A server bound to (host, port) answering for one source."""
    handler = type(f"{app.name}_handler", (_Handler,), {"app": app, "faults": faults})
    return _Server((host, port), handler)


def serve_in_thread(server: _Server) -> threading.Thread:
    """Serve until `server.shutdown()`, which then returns within 0.1 s (the default poll
    of 0.5 s made stopping the four servers take up to 2 s)."""
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.1},
        name="simulator-http",
        daemon=True,
    )
    thread.start()
    return thread
