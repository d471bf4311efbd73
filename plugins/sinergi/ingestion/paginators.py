"""Walking a source's pages: cursor, page/offset, RFC 8288 `Link`, CKAN DataStore.

Each paginator is a generator of `Page`s, so the loader pulls one page at a
time and a source is never held in memory. Which one a source uses is
registry configuration (`pagination.type`). Pages are read with `RawJson`:
paging fields are decoded, records are left as the bytes the source sent.

A source's word on when to stop is checked, not trusted:
- a read ends on what the source sends (a null cursor, no `Link: rel="next"`,
  an empty page), never because a count says so: counts may be estimates
  (CKAN's `total_was_estimated`) and CKAN sends `_links.next` on every page;
- CKAN rows have no order unless one is asked for, and offset paging over an
  unordered query skips some rows and repeats others: `ckan_pages` sorts on
  `_id` (CKAN's unique row id) and fails if the rows do not come in that order;
- a source that sends the same cursor, the same next URL or the same page
  again would be paged forever: the read fails naming the cursor or URL;
- a read has at most `HttpSettings.max_pages` pages, and every request
  respects the batch deadline (`SourceClient`).

What a source says its read holds (`total`, `X-Total-Count`) travels with each
page (`Page.reported_total`) so the loader can count what it got against it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import msgspec
import requests
import xxhash

from sinergi.ingestion.http import SourceClient, SourceError
from sinergi.ingestion.raw_json import RawJson
from sinergi.ingestion.registry import Entity, Pagination

CKAN_ROW_ID = "_id"
"""CKAN DataStore's own unique, increasing row id, present in every resource."""


@dataclass(frozen=True)
class Page:
    """One page: its records as sent (`array` is the JSON array holding them, `records`
    its elements, `content` the whole body they are slices of) and when it was read
    (the raw table's `_extracted_at`).

    `reported_total` is how many records the source says the whole read holds, as of this
    page (None when it does not say); `counted_by` names the field or header that said
    it, and `total_is_estimate` is CKAN's `total_was_estimated`."""

    content: bytes
    array: bytes | msgspec.Raw
    records: list[msgspec.Raw]
    extracted_at: datetime
    reported_total: int | None = None
    counted_by: str | None = None
    total_is_estimate: bool = False


Paginator = Callable[[SourceClient, Entity, Pagination, str, dict[str, Any]], Iterator[Page]]


class ReadGuard:
    """One read's bounds and loop detection: at most `max_pages` pages, never the same
    non-empty page, cursor or next URL twice."""

    def __init__(self, client: SourceClient, entity: Entity) -> None:
        self.client = client
        self.entity = entity
        self.pages = 0
        self._digests: set[int] = set()
        self._markers: set[str] = set()

    def fail(self, reason: str) -> SourceError:
        return SourceError(self.client.source, self.entity.name, reason)

    def page(self, page: Page, where: str) -> None:
        """Count a page; fail past `max_pages` or when it repeats an earlier one."""
        self.pages += 1
        limit = self.client.settings.max_pages
        if self.pages > limit:
            raise self.fail(
                f"more than {limit} pages (now at {where}): stopped; a source this large"
                " needs a higher HttpSettings.max_pages"
            )
        if not page.records:
            return
        digest = xxhash.xxh3_64_intdigest(page.array)
        if digest in self._digests:
            raise self.fail(
                f"page {self.pages} ({where}) repeats an earlier page: the source ignores"
                " the paging parameter, so paging would loop; batch failed"
            )
        self._digests.add(digest)

    def next(self, kind: str, value: str) -> None:
        """Remember a cursor or URL about to be followed; fail if it was followed before."""
        if value in self._markers:
            raise self.fail(
                f"the source sent the same {kind} again after page {self.pages}: {value}"
                " (paging would loop; batch failed)"
            )
        self._markers.add(value)


def dig(body: RawJson, path: str, *, source: str, entity: str) -> RawJson:
    """The value at a dotted path (`result.records`); "" is the body itself."""
    value = body.child(path)
    if value is None:
        raise SourceError(source, entity, f"response has no {path!r}")
    return value


def _page(
    body: RawJson,
    path: str,
    client: SourceClient,
    entity: Entity,
    *,
    total: int | None = None,
    counted_by: str | None = None,
    estimate: bool = False,
) -> Page:
    array = dig(body, path, source=client.source, entity=entity.name)
    records = array.items()
    if records is None:
        raise SourceError(client.source, entity.name, f"{path or 'the body'} is not a list")
    return Page(
        bytes(body.raw),
        array.raw,
        records,
        _now(),
        reported_total=total,
        counted_by=counted_by if total is not None else None,
        total_is_estimate=estimate,
    )


def _get(
    client: SourceClient, entity: Entity, url: str, query: dict[str, Any] | None
) -> tuple[RawJson, requests.Response]:
    return client.get_json(url, query, entity=entity.name, decode=RawJson.parse)


def _now() -> datetime:
    return datetime.now(UTC)


def _count(value: Any, client: SourceClient, entity: Entity, name: str) -> int | None:
    """A count the source sent (`total`, `X-Total-Count`) as an int; None when absent."""
    if value is None or value == "":
        return None
    whole = (
        (isinstance(value, int) and not isinstance(value, bool))
        or (isinstance(value, float) and value.is_integer())
        or (isinstance(value, str) and value.strip().isdigit())
    )
    count = int(value) if whole else None
    if count is None or count < 0:
        raise SourceError(client.source, entity.name, f"{name} is not a count: {value!r}")
    return count


def cursor_pages(
    client: SourceClient,
    entity: Entity,
    pagination: Pagination,
    records_path: str,
    params: dict[str, Any],
) -> Iterator[Page]:
    """`?cursor=<opaque>` until the page's next cursor is null."""
    guard = ReadGuard(client, entity)
    query = {**params, pagination.limit_param: pagination.page_size}
    while True:
        body, _ = _get(client, entity, entity.path or "", query)
        page = _page(body, records_path, client, entity)
        where = f"cursor {query.get(pagination.cursor_param, '(first page)')}"
        guard.page(page, where)
        yield page
        next_cursor = body.get(pagination.next_cursor_field)
        if not next_cursor:
            return
        guard.next("cursor", str(next_cursor))
        query = {**query, pagination.cursor_param: next_cursor}


def offset_pages(
    client: SourceClient,
    entity: Entity,
    pagination: Pagination,
    records_path: str,
    params: dict[str, Any],
) -> Iterator[Page]:
    """`?offset=N&limit=M` until an empty page, or a short page once `total` is reached
    (or without a `total`). A full page is followed even past `total` (it may be low), and
    a short page before it (the source may cap the limit)."""
    guard = ReadGuard(client, entity)
    offset = 0
    while True:
        query = {
            **params,
            pagination.offset_param: offset,
            pagination.limit_param: pagination.page_size,
        }
        body, _ = _get(client, entity, entity.path or "", query)
        total = _count(body.get(pagination.total_field), client, entity, pagination.total_field)
        page = _page(
            body, records_path, client, entity, total=total, counted_by=pagination.total_field
        )
        guard.page(page, f"offset {offset}")
        yield page
        offset += len(page.records)
        if not page.records:
            return
        if len(page.records) < pagination.page_size and (total is None or offset >= total):
            return


def next_link(response: requests.Response) -> str | None:
    """The target of the `Link` header's `rel="next"` (RFC 8288), absolute: `rel` may hold
    several space-separated relation types, compared case-insensitively, and a relative
    target is resolved against the URL that was requested."""
    header = response.headers.get("Link")
    if not header:
        return None
    for link in requests.utils.parse_header_links(header):
        relations = str(link.get("rel", "")).lower().split()
        if "next" in relations and link.get("url"):
            return urljoin(response.url, link["url"])
    return None


def link_pages(
    client: SourceClient,
    entity: Entity,
    pagination: Pagination,
    records_path: str,
    params: dict[str, Any],
) -> Iterator[Page]:
    """Follow `Link: <...>; rel="next"` (RFC 8288) until a page has none.

    `X-Total-Count` of the first page is taken as the read's size (whether a source means
    the whole collection or the rows left, the two agree there)."""
    guard = ReadGuard(client, entity)
    url: str = entity.path or ""
    query: dict[str, Any] | None = {**params, pagination.limit_param: pagination.page_size}
    total: int | None = None
    first = True
    while True:
        body, response = _get(client, entity, url, query)
        if first:
            total = _count(response.headers.get("X-Total-Count"), client, entity, "X-Total-Count")
            guard.next("URL", response.url)
            first = False
        page = _page(body, records_path, client, entity, total=total, counted_by="X-Total-Count")
        guard.page(page, response.url)
        yield page
        following = next_link(response)
        if not following:
            return
        guard.next("Link next URL", following)
        url, query = following, None  # the next link carries the whole query


class _RowId(msgspec.Struct, rename={"row_id": CKAN_ROW_ID}):
    row_id: int


_ROW_IDS = msgspec.json.Decoder(list[_RowId])


def _row_ids(page: Page, guard: ReadGuard) -> list[int]:
    try:
        return [row.row_id for row in _ROW_IDS.decode(page.array)]
    except msgspec.ValidationError as error:
        raise guard.fail(
            f"a record without an integer {CKAN_ROW_ID} ({error}): the order of a sorted read"
            " cannot be checked"
        ) from None


def ckan_pages(
    client: SourceClient,
    entity: Entity,
    pagination: Pagination,
    records_path: str,
    params: dict[str, Any],
) -> Iterator[Page]:
    """CKAN `datastore_search`, sorted on `_id`, `limit`/`offset` until an empty page.

    `result.total` may be an estimate and `_links.next` is on every page, so neither ends
    the read. Rows must come in increasing `_id` order: a source that ignores `sort` would
    make offset paging skip and repeat rows, and fails the batch instead."""
    guard = ReadGuard(client, entity)
    offset = 0
    last_id: int | None = None
    while True:
        query = {
            **params,
            "resource_id": entity.resource_id,
            "limit": pagination.page_size,
            "offset": offset,
            "sort": f"{CKAN_ROW_ID} asc",
        }
        body, _ = _get(client, entity, "api/3/action/datastore_search", query)
        if not body.is_object or body.get("success") is False:
            raise SourceError(client.source, entity.name, f"CKAN error: {bytes(body.raw[:200])!r}")
        result = dig(body, "result", source=client.source, entity=entity.name)
        total = _count(result.get("total"), client, entity, "result.total")
        page = _page(
            body,
            "result.records",
            client,
            entity,
            total=total,
            counted_by="result.total",
            estimate=result.get("total_was_estimated") is True,
        )
        guard.page(page, f"offset {offset}")
        ids = _row_ids(page, guard)
        for row_id in ids:
            if last_id is not None and row_id <= last_id:
                raise guard.fail(
                    f"rows not in {CKAN_ROW_ID} order at offset {offset} ({row_id} after"
                    f" {last_id}) although sort={CKAN_ROW_ID} was asked: offset paging would skip"
                    " and repeat rows; batch failed"
                )
            last_id = row_id
        yield page
        if not page.records:
            return
        offset += len(page.records)


PAGINATORS: dict[str, Paginator] = {
    "cursor": cursor_pages,
    "offset": offset_pages,
    "link": link_pages,
    "ckan": ckan_pages,
}
