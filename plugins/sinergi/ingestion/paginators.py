"""Walking a source's pages: cursor, page/offset, RFC 8288 `Link`, CKAN DataStore.

Each paginator is a generator of `Page`s, so the loader pulls one page at a
time and a source is never held in memory. Which one a source uses is
registry configuration (`pagination.type`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sinergi.ingestion.http import SourceClient, SourceError
from sinergi.ingestion.registry import Entity, Pagination


@dataclass(frozen=True)
class Page:
    """One page of records and when it was read (the raw table's `_extracted_at`)."""

    records: list[Any]
    extracted_at: datetime


Paginator = Callable[[SourceClient, Entity, Pagination, str, dict[str, Any]], Iterator[Page]]


def dig(body: Any, path: str, *, source: str, entity: str) -> Any:
    """The value at a dotted path (`result.records`); "" is the body itself."""
    value = body
    for part in filter(None, path.split(".")):
        if not isinstance(value, dict) or part not in value:
            raise SourceError(source, entity, f"response has no {path!r}")
        value = value[part]
    return value


def _records(body: Any, path: str, client: SourceClient, entity: Entity) -> list[Any]:
    records = dig(body, path, source=client.source, entity=entity.name)
    if not isinstance(records, list):
        raise SourceError(client.source, entity.name, f"{path or 'the body'} is not a list")
    return records


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
        body, _ = client.get_json(entity.path or "", query, entity=entity.name)
        yield Page(_records(body, records_path, client, entity), _now())
        next_cursor = body.get(pagination.next_cursor_field) if isinstance(body, dict) else None
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
        body, _ = client.get_json(entity.path or "", query, entity=entity.name)
        records = _records(body, records_path, client, entity)
        yield Page(records, _now())
        offset += len(records)
        total = body.get(pagination.total_field) if isinstance(body, dict) else None
        if not records or (total is not None and offset >= int(total)):
            return
        if total is None and len(records) < pagination.page_size:
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
        body, response = client.get_json(url, query, entity=entity.name)
        yield Page(_records(body, records_path, client, entity), _now())
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
        body, _ = client.get_json("api/3/action/datastore_search", query, entity=entity.name)
        if not isinstance(body, dict) or body.get("success") is False:
            raise SourceError(client.source, entity.name, f"CKAN error: {str(body)[:200]}")
        records = _records(body, "result.records", client, entity)
        yield Page(records, _now())
        offset += len(records)
        total = dig(body, "result", source=client.source, entity=entity.name).get("total")
        if not records or (total is not None and offset >= int(total)):
            return


PAGINATORS: dict[str, Paginator] = {
    "cursor": cursor_pages,
    "offset": offset_pages,
    "link": link_pages,
    "ckan": ckan_pages,
}
