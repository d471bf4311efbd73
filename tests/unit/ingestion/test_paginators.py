"""Every paginator on hand-built responses: the last page, empty pages, repeated cursors
and links, and totals that are no count.

Each test scripts the pages a source answers, in order, as `requests.Response`
objects built by hand, and reads them through the paginator alone (no transport,
no retries: tests/unit/ingestion/test_real_source_behaviour_scripted.py drives the
real `SourceClient`, and covers CKAN's estimated totals and unordered rows and
sources that ignore offset). A paginator that asks for a page the script does
not hold fails the test: that is how "the read stopped here" is checked.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import pytest
import requests

from sinergi.ingestion.http import HttpSettings, SourceError
from sinergi.ingestion.paginators import (
    PAGINATORS,
    Page,
    ckan_pages,
    cursor_pages,
    link_pages,
    offset_pages,
)
from sinergi.ingestion.raw_json import RawJson
from sinergi.ingestion.registry import Entity, Pagination

BASE = "http://source.test"
Answer = tuple[Any, dict[str, str]]  # (JSON body, headers)


class ScriptedSource:
    """Stands in for `SourceClient.get_json`: answers the scripted pages in order and
    keeps what each request asked (path or URL, query)."""

    source = "satudata"

    def __init__(self, answers: list[Answer], *, max_pages: int = 100) -> None:
        self.settings = HttpSettings(max_pages=max_pages)
        self.answers = list(answers)
        self.asked: list[tuple[str, dict[str, Any] | None]] = []

    def get_json(
        self, path_or_url: str, params: dict[str, Any] | None, *, entity: str, decode: Any
    ) -> tuple[RawJson, requests.Response]:
        self.asked.append((path_or_url, dict(params) if params is not None else None))
        if not self.answers:
            raise AssertionError(f"request {len(self.asked)} went past the last scripted page")
        body, headers = self.answers.pop(0)
        url = path_or_url if "://" in path_or_url else BASE + "/" + path_or_url.lstrip("/")
        response = requests.Response()
        response.status_code = 200
        response.headers.update({"Content-Type": "application/json", **headers})
        response.url = f"{url}?{urlencode(params)}" if params else url
        response._content = json.dumps(body).encode()
        return decode(response.content), response


def read(
    paginate: Any,
    answers: list[Answer],
    pagination: Pagination,
    *,
    records_path: str = "data",
    max_pages: int = 100,
) -> tuple[list[Page], ScriptedSource]:
    source = ScriptedSource(answers, max_pages=max_pages)
    entity = Entity(
        source="satudata", name="budgets", primary_key="_id", path="/items", resource_id="r1"
    )
    return list(paginate(source, entity, pagination, records_path, {"q": "x"})), source


def ids(pages: list[Page]) -> list[Any]:
    return [json.loads(bytes(record))["_id"] for page in pages for record in page.records]


def rows(*row_ids: int) -> list[dict[str, int]]:
    return [{"_id": row_id} for row_id in row_ids]


def ckan(records: list[dict[str, int]], total: Any = 0, **result: Any) -> Answer:
    return {"success": True, "result": {"records": records, "total": total, **result}}, {}


def link(url: str, rel: str = "next") -> dict[str, str]:
    return {"Link": f'<{url}>; rel="{rel}"'}


CURSOR = Pagination(type="cursor", page_size=2)
OFFSET = Pagination(type="offset", page_size=2)
LINK = Pagination(type="link", page_size=2)
CKAN = Pagination(type="ckan", page_size=2)


# --- the last page ends the read ---------------------------------------------------------


@pytest.mark.parametrize("end", [None, "", "absent"])
def test_cursor_reads_until_the_next_cursor_is_null_empty_or_absent(end: str | None) -> None:
    last: dict[str, Any] = {"data": rows(3)}
    if end != "absent":
        last["next_cursor"] = end
    pages, source = read(
        cursor_pages, [({"data": rows(1, 2), "next_cursor": "c1"}, {}), (last, {})], CURSOR
    )
    assert ids(pages) == [1, 2, 3]
    assert source.asked == [
        ("/items", {"q": "x", "limit": 2}),
        ("/items", {"q": "x", "limit": 2, "cursor": "c1"}),
    ]


def test_cursor_follows_an_empty_page_that_still_names_a_next_cursor() -> None:
    answers: list[Answer] = [
        ({"data": [], "next_cursor": "c1"}, {}),
        ({"data": rows(1), "next_cursor": None}, {}),
    ]
    pages, _ = read(cursor_pages, answers, CURSOR)
    assert [len(page.records) for page in pages] == [0, 1]


def test_offset_stops_on_a_short_page_once_total_is_reached() -> None:
    answers: list[Answer] = [
        ({"data": rows(1, 2), "total": 3}, {}),
        ({"data": rows(3), "total": 3}, {}),
    ]
    pages, source = read(offset_pages, answers, OFFSET)
    assert ids(pages) == [1, 2, 3]
    assert [query["offset"] for _, query in source.asked if query] == [0, 2]
    assert {(page.reported_total, page.counted_by) for page in pages} == {(3, "total")}


def test_offset_follows_a_short_page_before_total_a_source_capping_the_limit() -> None:
    answers: list[Answer] = [
        ({"data": rows(1), "total": 3}, {}),  # asked for 2, sent 1
        ({"data": rows(2), "total": 3}, {}),
        ({"data": rows(3), "total": 3}, {}),
    ]
    pages, source = read(offset_pages, answers, OFFSET)
    assert ids(pages) == [1, 2, 3]
    assert [query["offset"] for _, query in source.asked if query] == [0, 1, 2]


def test_offset_without_a_total_stops_on_the_first_short_page() -> None:
    pages, _ = read(offset_pages, [({"data": rows(1, 2)}, {}), ({"data": rows(3)}, {})], OFFSET)
    assert ids(pages) == [1, 2, 3]
    assert pages[-1].reported_total is None and pages[-1].counted_by is None


def test_offset_asks_once_more_after_a_full_last_page_and_stops_on_the_empty_one() -> None:
    answers: list[Answer] = [
        ({"data": rows(1, 2), "total": 4}, {}),
        ({"data": rows(3, 4), "total": 4}, {}),
        ({"data": [], "total": 4}, {}),
    ]
    pages, _ = read(offset_pages, answers, OFFSET)
    assert [len(page.records) for page in pages] == [2, 2, 0]


def test_link_reads_until_a_page_has_no_next_link() -> None:
    answers: list[Answer] = [
        (rows(1, 2), {**link(f"{BASE}/items?page=2"), "X-Total-Count": "3"}),
        (rows(3), link(f"{BASE}/items?page=1", rel="prev")),  # a link, but not `next`
    ]
    pages, source = read(link_pages, answers, LINK, records_path="")
    assert ids(pages) == [1, 2, 3]
    assert source.asked == [("/items", {"q": "x", "limit": 2}), (f"{BASE}/items?page=2", None)]
    # the first page's count stands for the whole read
    assert [page.reported_total for page in pages] == [3, 3]


# --- empty pages --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("paginate", "pagination", "answer", "records_path"),
    [
        (cursor_pages, CURSOR, ({"data": [], "next_cursor": None}, {}), "data"),
        (offset_pages, OFFSET, ({"data": [], "total": 0}, {}), "data"),
        (link_pages, LINK, ([], {"X-Total-Count": "0"}), ""),
        (ckan_pages, CKAN, ckan([], total=0), "result.records"),
    ],
    ids=["cursor", "offset", "link", "ckan"],
)
def test_an_empty_first_page_is_one_empty_page_and_the_end(
    paginate: Any, pagination: Pagination, answer: Answer, records_path: str
) -> None:
    pages, source = read(paginate, [answer], pagination, records_path=records_path)
    assert [page.records for page in pages] == [[]]
    assert len(source.asked) == 1


def test_offset_stops_on_an_empty_page_whatever_total_still_promises() -> None:
    answers: list[Answer] = [
        ({"data": rows(1, 2), "total": 10}, {}),
        ({"data": [], "total": 10}, {}),
    ]
    pages, _ = read(offset_pages, answers, OFFSET)
    assert ids(pages) == [1, 2]


# --- repeated cursors, links and pages -------------------------------------------------------


def test_a_cursor_leading_back_to_an_earlier_one_fails_naming_it() -> None:
    answers: list[Answer] = [
        ({"data": rows(1), "next_cursor": "c1"}, {}),
        ({"data": rows(2), "next_cursor": "c2"}, {}),
        ({"data": rows(3), "next_cursor": "c1"}, {}),
    ]
    with pytest.raises(SourceError, match=r"same cursor again after page 3: c1"):
        read(cursor_pages, answers, CURSOR)


def test_a_next_link_to_the_first_page_fails_naming_the_url() -> None:
    first = f"{BASE}/items?{urlencode({'q': 'x', 'limit': 2})}"
    with pytest.raises(SourceError, match=r"same Link next URL again after page 1"):
        read(link_pages, [(rows(1), link(first))], LINK, records_path="")


def test_the_same_empty_page_twice_is_no_loop() -> None:
    """Only pages with records are compared: an empty page says nothing about paging."""
    answers: list[Answer] = [
        ({"data": [], "next_cursor": "c1"}, {}),
        ({"data": [], "next_cursor": "c2"}, {}),
        ({"data": [], "next_cursor": None}, {}),
    ]
    pages, _ = read(cursor_pages, answers, CURSOR)
    assert len(pages) == 3


@pytest.mark.parametrize("name", sorted(PAGINATORS))
def test_every_paginator_stops_past_max_pages(name: str) -> None:
    endless: dict[str, list[Answer]] = {
        "cursor": [({"data": rows(n), "next_cursor": f"c{n}"}, {}) for n in range(5)],
        "offset": [({"data": rows(2 * n, 2 * n + 1)}, {}) for n in range(5)],
        "link": [(rows(n), link(f"{BASE}/items?page={n + 1}")) for n in range(5)],
        "ckan": [ckan(rows(2 * n, 2 * n + 1), total=99) for n in range(5)],
    }
    records_path = {"link": "", "ckan": "result.records"}.get(name, "data")
    pagination = Pagination(type=name, page_size=2)
    with pytest.raises(SourceError, match=r"more than 3 pages"):
        read(PAGINATORS[name], endless[name], pagination, records_path=records_path, max_pages=3)


# --- totals that are no count ---------------------------------------------------------------


@pytest.mark.parametrize("total", ["many", "-1", -1, 2.5, True, [3], {"value": 3}, " 3x"])
def test_offset_refuses_a_total_that_is_no_count(total: Any) -> None:
    with pytest.raises(SourceError, match=r"satudata\.budgets: total is not a count"):
        read(offset_pages, [({"data": rows(1), "total": total}, {})], OFFSET)


@pytest.mark.parametrize(("total", "count"), [(1, 1), ("1", 1), (" 1 ", 1), (1.0, 1), ("", None)])
def test_offset_reads_a_total_sent_as_text_or_a_whole_float(total: Any, count: int | None) -> None:
    pages, _ = read(offset_pages, [({"data": rows(1), "total": total}, {})], OFFSET)
    assert pages[0].reported_total == count


def test_link_refuses_an_x_total_count_that_is_no_count() -> None:
    with pytest.raises(SourceError, match=r"X-Total-Count is not a count: 'about 40'"):
        read(link_pages, [(rows(1), {"X-Total-Count": "about 40"})], LINK, records_path="")


@pytest.mark.parametrize("total", ["unknown", -5, 1.5])
def test_ckan_refuses_a_total_that_is_no_count(total: Any) -> None:
    with pytest.raises(SourceError, match=r"result\.total is not a count"):
        read(ckan_pages, [ckan(rows(1), total=total)], CKAN, records_path="result.records")


def test_ckan_carries_an_estimated_total_with_each_page() -> None:
    answers = [ckan(rows(1), total=1000, total_was_estimated=True), ckan([], total=1000)]
    pages, _ = read(ckan_pages, answers, CKAN, records_path="result.records")
    assert [(p.reported_total, p.total_is_estimate) for p in pages] == [(1000, True), (1000, False)]
    assert {page.counted_by for page in pages} == {"result.total"}


# --- bodies that hold no page -----------------------------------------------------------------


def test_a_body_without_the_records_path_or_with_no_list_there_fails_naming_it() -> None:
    with pytest.raises(SourceError, match=r"response has no 'data'"):
        read(cursor_pages, [({"items": rows(1)}, {})], CURSOR)
    with pytest.raises(SourceError, match=r"data is not a list"):
        read(cursor_pages, [({"data": {"_id": 1}}, {})], CURSOR)


def test_a_ckan_error_answer_fails_the_read() -> None:
    answer: Answer = ({"success": False, "error": {"message": "Not found"}}, {})
    with pytest.raises(SourceError, match=r"CKAN error"):
        read(ckan_pages, [answer], CKAN, records_path="result.records")
