"""Sources as they really behave, against small scripted responses (no network, no warehouse).

A scripted transport adapter stands in for the source, so each test drives the
real `SourceClient` and paginators through one behaviour: CKAN's estimated
totals and unordered rows, loops of cursors, links and pages, Retry-After as
a date, gzip and BOMs, HTML answers with 200, bodies cut mid-record, slow
bodies, and the bounds on a read.
"""

from __future__ import annotations

import gzip
import io
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
from requests.adapters import BaseAdapter

from sinergi.ingestion import http as http_module
from sinergi.ingestion import runner as runner_module
from sinergi.ingestion.auth import NoAuth
from sinergi.ingestion.http import (
    HttpSettings,
    SourceClient,
    SourceError,
    backoff_delay,
    retry_after_seconds,
)
from sinergi.ingestion.paginators import (
    PAGINATORS,
    Page,
    ckan_pages,
    cursor_pages,
    link_pages,
    next_link,
    offset_pages,
)
from sinergi.ingestion.raw_loader import BatchResult
from sinergi.ingestion.registry import Entity, Pagination
from sinergi_simulator.faults import PROFILES, FaultSpec, parse_faults

BASE = "http://source.test"
QUICK = HttpSettings(max_attempts=3, backoff_base_s=0.001, backoff_max_s=0.002)

Answer = tuple[int, dict[str, str], bytes]
Handler = Callable[[str, dict[str, str]], Answer]


class _Raw:
    """A response body as urllib3 would hand it over: in chunks, maybe slowly, maybe cut."""

    def __init__(self, body: bytes, *, delay: float = 0.0, cut_at: int | None = None) -> None:
        self._body = io.BytesIO(body)
        self._delay = delay
        self._cut_at = cut_at
        self._read = 0

    def read(self, amount: int = -1, **_: Any) -> bytes:
        if self._cut_at is not None and self._read >= self._cut_at:
            raise requests.exceptions.ChunkedEncodingError("connection closed mid-body")
        if self._delay:
            time.sleep(self._delay)
            amount = 4  # a trickle
        chunk = self._body.read(amount)
        self._read += len(chunk)
        return chunk

    def close(self) -> None:
        return None


class Scripted(BaseAdapter):
    """A transport that answers each request from `handler(path, query)`; counts requests."""

    def __init__(self, handler: Handler, **raw: Any) -> None:
        super().__init__()
        self.handler = handler
        self.raw = raw
        self.urls: list[str] = []

    def send(self, request: requests.PreparedRequest, **_: Any) -> requests.Response:  # type: ignore[override]
        url = str(request.url)
        self.urls.append(url)
        parts = urlsplit(url)
        status, headers, body = self.handler(parts.path, dict(parse_qsl(parts.query)))
        response = requests.Response()
        response.status_code = status
        response.headers.update(headers)
        response.raw = _Raw(body, **self.raw)
        response.url = url
        response.request = request
        return response

    def close(self) -> None:
        return None


def client(
    handler: Handler, settings: HttpSettings = QUICK, **raw: Any
) -> tuple[SourceClient, Scripted]:
    source = SourceClient("satudata", BASE, NoAuth(), settings)
    adapter = Scripted(handler, **raw)
    source.session.mount(BASE, adapter)
    return source, adapter


def ok(value: Any, headers: dict[str, str] | None = None) -> Answer:
    return 200, {"Content-Type": "application/json", **(headers or {})}, json.dumps(value).encode()


def entity(**fields: Any) -> Entity:
    return Entity(source="satudata", name="budgets", primary_key="_id", **fields)


def read(
    paginate: Any, handler: Handler, pagination: Pagination, records_path: str = "data", **kw: Any
) -> tuple[list[Page], Scripted]:
    source, adapter = client(handler, **kw)
    pages = list(
        paginate(source, entity(path="/items", resource_id="r1"), pagination, records_path, {})
    )
    return pages, adapter


def ids(pages: list[Page]) -> list[int]:
    return [json.loads(bytes(r))["_id"] for page in pages for r in page.records]


# --- CKAN datastore_search --------------------------------------------------------------

ROWS = [{"_id": i, "tahun": 2024, "pagu": 1000 * i} for i in range(1, 26)]


def ckan(rows: list[dict], *, total: int, estimated: bool, honour_sort: bool = True) -> Handler:
    """datastore_search as CKAN answers it: `_links.next` on every page (the last too),
    `total` as given, rows in `_id` order only when asked (else reversed: "any order")."""

    def handler(path: str, query: dict[str, str]) -> Answer:
        assert path == "/api/3/action/datastore_search"
        limit, offset = int(query["limit"]), int(query.get("offset", 0))
        ordered = rows if honour_sort and query.get("sort") == "_id asc" else rows[::-1]
        links = {"start": path, "next": f"{path}?offset={offset + limit}"}
        result = {
            "records": ordered[offset : offset + limit],
            "total": total,
            "total_was_estimated": estimated,
            "_links": links,
        }
        return ok({"success": True, "result": result})

    return handler


def test_ckan_reads_every_row_once_whatever_total_says_and_sorts_on_id() -> None:
    ckan_pagination = Pagination(type="ckan", page_size=10)
    for total in (20, 25, 40):  # an estimate below, exact, above
        pages, adapter = read(
            ckan_pages, ckan(ROWS, total=total, estimated=total != 25), ckan_pagination
        )
        assert ids(pages) == list(range(1, 26))
        assert pages[-1].records == [] and pages[-1].reported_total == total
        assert pages[-1].total_is_estimate is (total != 25)
        assert all("sort=_id+asc" in url for url in adapter.urls)
        assert len(adapter.urls) == 4  # 10 + 10 + 5, then the empty page that ends the read


def test_ckan_fails_when_the_source_ignores_sort() -> None:
    with pytest.raises(SourceError, match=r"satudata\.budgets: rows not in _id order at offset 0"):
        read(
            ckan_pages,
            ckan(ROWS, total=25, estimated=False, honour_sort=False),
            Pagination(type="ckan", page_size=10),
        )


def test_ckan_fails_when_the_source_ignores_offset() -> None:
    def same_page(path: str, query: dict[str, str]) -> Answer:
        return ok({"success": True, "result": {"records": ROWS[:10], "total": 25}})

    with pytest.raises(SourceError, match=r"page 2 \(offset 10\) repeats an earlier page"):
        read(ckan_pages, same_page, Pagination(type="ckan", page_size=10))


# --- loops and bounds ----------------------------------------------------------------


def test_a_repeated_cursor_fails_naming_it() -> None:
    def stuck(path: str, query: dict[str, str]) -> Answer:
        return ok({"data": [{"_id": query.get("cursor", "first")}], "next_cursor": "c1"})

    with pytest.raises(
        SourceError,
        match=r"satudata\.budgets: the source sent the same cursor again after page 2: c1",
    ):
        read(cursor_pages, stuck, Pagination(type="cursor", page_size=1))


def test_a_cursor_that_never_ends_stops_at_max_pages() -> None:
    def endless(path: str, query: dict[str, str]) -> Answer:
        page = int(query.get("cursor", "0"))
        return ok({"data": [{"_id": page}], "next_cursor": str(page + 1)})

    settings = HttpSettings(max_pages=5, backoff_base_s=0.001)
    with pytest.raises(SourceError, match=r"more than 5 pages"):
        read(cursor_pages, endless, Pagination(type="cursor", page_size=1), settings=settings)


def test_link_next_is_read_as_rfc_8288_says() -> None:
    response = requests.Response()
    response.url = f"{BASE}/items?per_page=2"
    response.headers["Link"] = (
        '<https://elsewhere.test/x>; rel="prev", </items?page_token=b>; rel="Next last"'
    )
    assert next_link(response) == f"{BASE}/items?page_token=b"  # relative, case, two relations
    response.headers["Link"] = '<http://source.test/items?page_token=z>; rel="prev"'
    assert next_link(response) is None


def test_a_link_back_to_a_page_already_read_fails_naming_the_url() -> None:
    def looping(path: str, query: dict[str, str]) -> Answer:
        token = query.get("page_token", "a")
        following = {"a": "b", "b": "c", "c": "b"}[token]
        headers = {"Link": f'<{BASE}/items?page_token={following}>; rel="next"'}
        return ok([{"_id": token}], headers)

    with pytest.raises(
        SourceError,
        match=r"same Link next URL again after page 3: http://source\.test/items\?page_token=b",
    ):
        read(link_pages, looping, Pagination(type="link", page_size=1), records_path="")


def test_offset_pages_past_a_low_total_and_stops_on_an_empty_page() -> None:
    rows = [{"_id": i} for i in range(8)]

    def low_total(path: str, query: dict[str, str]) -> Answer:
        offset, limit = int(query["offset"]), int(query["limit"])
        return ok({"data": rows[offset : offset + limit], "total": 5})

    pages, _ = read(offset_pages, low_total, Pagination(type="offset", page_size=4))
    assert ids(pages) == list(range(8))
    assert [len(p.records) for p in pages] == [4, 4, 0]
    assert pages[-1].reported_total == 5


def test_offset_fails_when_the_source_ignores_offset() -> None:
    def first_page(path: str, query: dict[str, str]) -> Answer:
        return ok({"data": [{"_id": 1}, {"_id": 2}], "total": 6})

    with pytest.raises(SourceError, match=r"page 2 \(offset 2\) repeats an earlier page"):
        read(offset_pages, first_page, Pagination(type="offset", page_size=2))


# --- bodies ----------------------------------------------------------------------------


def test_bom_and_unlabelled_gzip_bodies_decode() -> None:
    body = json.dumps({"data": [{"_id": 1}], "next_cursor": None}).encode()
    for sent in (
        b"\xef\xbb\xbf" + body,
        gzip.compress(body),
        gzip.compress(b"\xef\xbb\xbf" + body),
    ):
        pages, _ = read(
            cursor_pages,
            lambda path, query, sent=sent: (200, {"Content-Type": "application/json"}, sent),
            Pagination(type="cursor", page_size=10),
        )
        assert ids(pages) == [1]


def test_an_html_page_with_200_fails_at_once_naming_url_and_content_type() -> None:
    page = b"<!DOCTYPE html><html><head><title>Sign in</title></head><body>...</body></html>"
    source, adapter = client(lambda path, query: (200, {"Content-Type": "text/html"}, page))
    with pytest.raises(SourceError) as failure:
        source.get_json("/api/items", {"limit": 5}, entity="budgets")
    message = str(failure.value)
    assert message.startswith("satudata.budgets: expected JSON from http://source.test/api/items")
    assert "limit=5" in message and "text/html" in message and "Sign in" in message
    assert len(adapter.urls) == 1  # not retried


def test_a_body_cut_mid_record_is_retried_then_named() -> None:
    whole = json.dumps({"data": [{"_id": 1, "nama": "x"}]}).encode()
    answers = iter([whole[:20], whole])
    source, adapter = client(
        lambda p, q: (200, {"Content-Type": "application/json"}, next(answers))
    )
    body, _ = source.get_json("/items", entity="budgets")
    assert body == {"data": [{"_id": 1, "nama": "x"}]} and len(adapter.urls) == 2

    source, _ = client(lambda p, q: (200, {"Content-Type": "application/json"}, whole[:20]))
    with pytest.raises(
        SourceError,
        match=r"satudata\.budgets: no valid JSON from http://source\.test/items after 3 attempts"
        r" \(cut short\? last: application/json, 20 bytes",
    ):
        source.get_json("/items", entity="budgets")


def test_a_connection_cut_mid_body_is_retried_as_transient() -> None:
    source, adapter = client(lambda p, q: ok({"data": []}), cut_at=0)
    with pytest.raises(SourceError, match=r"ChunkedEncodingError on .*retries exhausted"):
        source.get_json("/items", entity="budgets")
    assert len(adapter.urls) == QUICK.max_attempts


def test_a_trickling_body_is_cut_off_at_the_response_deadline() -> None:
    settings = HttpSettings(max_attempts=2, backoff_base_s=0.001, response_deadline_s=0.05)
    source, adapter = client(lambda p, q: ok({"data": [1, 2, 3, 4, 5, 6]}), settings, delay=0.02)
    with pytest.raises(SourceError, match=r"ResponseTooSlow .*not complete after 0.05s"):
        source.get_json("/items", entity="budgets")
    assert len(adapter.urls) == 2


# --- Retry-After and the batch deadline ---------------------------------------------


def test_retry_after_reads_seconds_and_each_http_date_form() -> None:
    now = datetime(1994, 11, 6, 8, 49, 7, tzinfo=UTC)
    assert retry_after_seconds("120", now) == 120
    assert retry_after_seconds("1.5", now) == 1.5
    for form in (
        "Sun, 06 Nov 1994 08:49:37 GMT",  # IMF-fixdate
        "Sunday, 06-Nov-94 08:49:37 GMT",  # RFC 850
        "Sun Nov  6 08:49:37 1994",  # asctime
    ):
        assert retry_after_seconds(form, now) == 30, form
    assert retry_after_seconds("Sun, 06 Nov 1994 08:00:00 GMT", now) == 0  # already past
    assert retry_after_seconds("soon", now) is None
    assert retry_after_seconds(None) is None
    assert backoff_delay(0, HttpSettings(max_retry_after_s=60), "9999") == 60


def test_a_503_with_a_retry_after_date_is_waited_out(monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []
    monkeypatch.setattr(http_module.time, "sleep", slept.append)
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=40), usegmt=True)
    answers = iter([(503, {"Retry-After": later}, b"{}"), ok({"data": []})])
    source, _ = client(lambda p, q: next(answers))
    assert source.get_json("/items", entity="budgets")[0] == {"data": []}
    assert len(slept) == 1 and 38 <= slept[0] <= 40


def test_a_wait_past_the_batch_deadline_fails_the_batch_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    slept: list[float] = []
    monkeypatch.setattr(http_module.time, "sleep", slept.append)
    settings = HttpSettings(batch_deadline_s=5, backoff_base_s=0.001)
    source, _ = client(lambda p, q: (429, {"Retry-After": "60"}, b"{}"), settings)
    with pytest.raises(
        SourceError, match=r"satudata\.budgets: batch deadline would pass while waiting 60\.0s"
    ):
        source.get_json("/items", entity="budgets")
    assert slept == []


# --- counting against what the source said --------------------------------------------


def _result(rows_read: int) -> BatchResult:
    return BatchResult(7, "satudata", "budgets", "succeeded", rows_read, rows_read, 0, None, None)


def test_a_shortfall_against_an_exact_count_is_alerted(monkeypatch: pytest.MonkeyPatch) -> None:
    raised: list[tuple[Any, ...]] = []
    monkeypatch.setattr(runner_module, "alert", lambda *a, **k: raised.append(a))
    said = runner_module.SourceCount(reported=2500, counted_by="result.total")
    runner_module.check_count(_result(2400), said, target=None)  # type: ignore[arg-type]
    [(kind, subject, message, details)] = raised
    assert (kind, subject) == ("source_shortfall", "satudata.budgets")
    assert "said it had 2500 records (result.total) but sent 2400 in batch 7" in message
    assert details | {} == {
        "source": "satudata",
        "entity": "budgets",
        "batch_id": 7,
        "expected": 2500,
        "loaded": 2400,
        "missing": 100,
        "counted_by": "result.total",
    }
    raised.clear()
    estimate = runner_module.SourceCount(reported=2500, counted_by="result.total", estimate=True)
    runner_module.check_count(_result(2000), estimate, target=None)  # type: ignore[arg-type]
    runner_module.check_count(_result(2500), said, target=None)  # type: ignore[arg-type]
    runner_module.check_count(_result(10), runner_module.SourceCount(), target=None)  # type: ignore[arg-type]
    assert raised == []


# --- the simulator's profile selection --------------------------------------------------


def test_faults_parse_a_rate_and_profiles() -> None:
    assert parse_faults(0.1) == FaultSpec(0.1)
    assert parse_faults("0") == FaultSpec()
    assert parse_faults("0.05, ckan_unordered,gzip") == FaultSpec(
        0.05, frozenset({"ckan_unordered", "gzip"})
    )
    assert parse_faults(["bom"]).profiles == {"bom"}
    with pytest.raises(ValueError, match=r"unknown fault profile 'gzipp' \(known: bom, "):
        parse_faults("gzipp")
    with pytest.raises(ValueError, match=r"within \[0, 1\]"):
        parse_faults("1.5")
    assert set(PAGINATORS) == {"cursor", "offset", "link", "ckan"}
    assert {"ckan_unordered", "ckan_estimated_total", "repeat_cursor", "html_200"} <= set(PROFILES)
