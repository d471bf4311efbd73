"""Walking a source's pages: cursor, page/offset, RFC 8288 `Link`, CKAN DataStore.

Each paginator is a generator of `Page`s, so the loader pulls one page at a
time and a source is never held in memory. Which one a source uses is
registry configuration (`pagination.type`). Pages are read with `RawJson`:
paging fields are decoded, records are left as the bytes the source sent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import msgspec
import requests

from sinergi.ingestion.http import SourceClient, SourceError
from sinergi.ingestion.raw_json import RawJson
from sinergi.ingestion.registry import Entity, Pagination


@dataclass(frozen=True)
class Page:
    """One page: its records as sent (`array` is the JSON array holding them, `records`
    its elements, `content` the whole body they are slices of) and when it was read
    (the raw table's `_extracted_at`)."""

    content: bytes
    array: bytes | msgspec.Raw
    records: list[msgspec.Raw]
    extracted_at: datetime


Paginator = Callable[[SourceClient, Entity, Pagination, str, dict[str, Any]], Iterator[Page]]


def dig(body: RawJson, path: str, *, source: str, entity: str) -> RawJson:
    """The value at a dotted path (`result.records`); "" is the body itself."""
    value = body.child(path)
    if value is None:
        raise SourceError(source, entity, f"response has no {path!r}")
    return value


def _page(body: RawJson, path: str, client: SourceClient, entity: Entity) -> Page:
    array = dig(body, path, source=client.source, entity=entity.name)
    records = array.items()
    if records is None:
        raise SourceError(client.source, entity.name, f"{path or 'the body'} is not a list")
    return Page(bytes(body.raw), array.raw, records, _now())


def _get(
    client: SourceClient, entity: Entity, url: str, query: dict[str, Any] | None
) -> tuple[RawJson, requests.Response]:
    return client.get_json(url, query, entity=entity.name, decode=RawJson.parse)


def _now() -> datetime:
    return datetime.now(UTC)


def cursor_pages(
    client: SourceClient,
    entity: Entity,
    pagination: Pagination,
    records_path: str,
    params: dict[str, Any],
) -> Iterator[Page]:
    """`?cursor=<opaque>` until the page's next cursor is null."""
    query = {**params, pagination.limit_param: pagination.page_size}
    while True:
        body, _ = _get(client, entity, entity.path or "", query)
        yield _page(body, records_path, client, entity)
        next_cursor = body.get(pagination.next_cursor_field)
        if not next_cursor:
            return
        query = {**query, pagination.cursor_param: next_cursor}


def offset_pages(
    client: SourceClient,
    entity: Entity,
    pagination: Pagination,
    records_path: str,
    params: dict[str, Any],
) -> Iterator[Page]:
    """`?offset=N&limit=M` until `total` is reached (or a short/empty page without one)."""
    offset = 0
    while True:
        query = {
            **params,
            pagination.offset_param: offset,
            pagination.limit_param: pagination.page_size,
        }
        body, _ = _get(client, entity, entity.path or "", query)
        page = _page(body, records_path, client, entity)
        yield page
        offset += len(page.records)
        total = body.get(pagination.total_field)
        if not page.records or (total is not None and offset >= int(total)):
            return
        if total is None and len(page.records) < pagination.page_size:
            return


def link_pages(
    client: SourceClient,
    entity: Entity,
    pagination: Pagination,
    records_path: str,
    params: dict[str, Any],
) -> Iterator[Page]:
    """Follow `Link: <...>; rel="next"` (RFC 8288) until a page has none."""
    url: str = entity.path or ""
    query: dict[str, Any] | None = {**params, pagination.limit_param: pagination.page_size}
    while True:
        body, response = _get(client, entity, url, query)
        yield _page(body, records_path, client, entity)
        next_link = response.links.get("next", {}).get("url")
        if not next_link:
            return
        url, query = next_link, None  # the next link carries the whole query


def ckan_pages(
    client: SourceClient,
    entity: Entity,
    pagination: Pagination,
    records_path: str,
    params: dict[str, Any],
) -> Iterator[Page]:
    """CKAN `datastore_search`: `limit`/`offset` until `result.total`."""
    offset = 0
    while True:
        query = {
            **params,
            "resource_id": entity.resource_id,
            "limit": pagination.page_size,
            "offset": offset,
        }
        body, _ = _get(client, entity, "api/3/action/datastore_search", query)
        if not body.is_object or body.get("success") is False:
            raise SourceError(client.source, entity.name, f"CKAN error: {bytes(body.raw[:200])!r}")
        page = _page(body, "result.records", client, entity)
        yield page
        offset += len(page.records)
        total = dig(body, "result", source=client.source, entity=entity.name).get("total")
        if not page.records or (total is not None and offset >= int(total)):
            return


PAGINATORS: dict[str, Paginator] = {
    "cursor": cursor_pages,
    "offset": offset_pages,
    "link": link_pages,
    "ckan": ckan_pages,
}
