"""The source registry (`sources.yml`): what to ingest, read and validated once.

Everything else — extract, load, the ingest DAGs, the raw-table Assets — is
driven by this file, so adding a source of a known kind is configuration.
Validation is strict (unknown keys are errors too): a typo in the registry
should fail loudly at DAG parse time, naming the source, entity and field
(and the known key it most resembles), rather than load nothing at 01:00.
A key written twice in one mapping is an error too: YAML would silently keep
the last one.
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from sinergi.paths import project_dir

REGISTRY_VARIABLE = "SINERGI_SOURCES_FILE"

KINDS = ("rest_json", "ckan_datastore", "file_drop")
AUTH_TYPES = ("oauth2_client_credentials", "api_key", "bearer", "ckan_api_key", "none")
PAGINATION_TYPES = ("cursor", "offset", "link", "ckan")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class RegistryError(ValueError):
    """The registry is malformed; the message names the entry and the field."""


@dataclass(frozen=True)
class Incremental:
    field: str  # the record's field holding the change timestamp
    param: str  # the endpoint's query parameter filtering on it


@dataclass(frozen=True)
class Entity:
    source: str
    name: str
    primary_key: str
    path: str | None = None
    resource_id: str | None = None
    incremental: Incremental | None = None

    @property
    def table(self) -> str:
        """The raw table's name (in schema `raw`)."""
        return f"{self.source}__{self.name}"


@dataclass(frozen=True)
class Auth:
    type: str = "none"
    token_path: str | None = None
    header: str | None = None


@dataclass(frozen=True)
class Pagination:
    type: str
    page_size: int = 1000
    limit_param: str = "limit"
    cursor_param: str = "cursor"
    next_cursor_field: str = "next_cursor"
    offset_param: str = "offset"
    total_field: str = "total"


@dataclass(frozen=True)
class Source:
    name: str
    kind: str
    description: str
    entities: tuple[Entity, ...]
    connection: str | None = None
    base_url: str | None = None
    auth: Auth = Auth()
    pagination: Pagination | None = None
    records_path: str = "data"
    landing_dir: str = "landing"
    max_file_mb: int = 50
    max_unpacked_mb: int = 500  # what an .xlsx may unpack to (zip bombs)

    def entity(self, name: str) -> Entity:
        for entity in self.entities:
            if entity.name == name:
                return entity
        raise KeyError(f"source {self.name!r} has no entity {name!r}")


@dataclass(frozen=True)
class Registry:
    path: Path
    sources: dict[str, Source]

    def source(self, name: str) -> Source:
        try:
            return self.sources[name]
        except KeyError:
            known = ", ".join(sorted(self.sources))
            raise KeyError(f"no source {name!r} in {self.path} (known: {known})") from None

    def entities(self) -> list[Entity]:
        return [entity for source in self.sources.values() for entity in source.entities]


def registry_path() -> Path:
    """`SINERGI_SOURCES_FILE`, else `sources.yml` at the project root."""
    override = os.environ.get(REGISTRY_VARIABLE)
    return Path(override) if override else project_dir() / "sources.yml"


@lru_cache(maxsize=8)
def _load_cached(path: Path, mtime_ns: int) -> Registry:
    return parse_registry(path.read_text(encoding="utf-8"), path)


def load_registry(path: Path | None = None) -> Registry:
    """The registry at `path` (default: `registry_path()`), validated; cached per file version."""
    path = (path or registry_path()).resolve()
    if not path.exists():
        raise RegistryError(f"source registry {path} not found (set {REGISTRY_VARIABLE})")
    return _load_cached(path, path.stat().st_mtime_ns)


class _StrictLoader(yaml.SafeLoader):
    """safe_load, refusing a key written twice in one mapping."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)  # type: ignore[no-untyped-call]
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key {key!r} appears twice", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def parse_registry(text: str, path: Path) -> Registry:
    """Validate the YAML text of a registry."""
    try:
        document = yaml.load(text, Loader=_StrictLoader)  # a SafeLoader subclass
    except yaml.YAMLError as error:
        raise RegistryError(f"{path}: not valid YAML: {error}") from error
    top = _Fields(document, f"{path}")
    top.optional("version", int)
    raw_sources = top.required("sources", dict)
    top.no_others()
    sources = {}
    for name, body in raw_sources.items():
        where = f"{path}: source {name!r}"
        if not isinstance(name, str) or not _NAME.match(name):
            raise RegistryError(f"{where}: the name must be lower snake case")
        sources[name] = _parse_source(name, body, where)
    if not sources:
        raise RegistryError(f"{path}: field 'sources' is empty")
    return Registry(path=path, sources=sources)


def _parse_source(name: str, body: object, where: str) -> Source:
    fields = _Fields(body, where)
    kind = fields.choice("kind", KINDS)
    description = fields.required("description", str)
    connection = fields.optional("connection", str)
    base_url = fields.optional("base_url", str)
    auth = _parse_auth(fields.optional("auth", dict), f"{where}, field 'auth'")
    pagination_body = fields.optional("pagination", dict)
    records_path = fields.optional("records_path", str)
    landing_dir = fields.optional("landing_dir", str)
    max_file_mb = fields.optional("max_file_mb", int)
    max_unpacked_mb = fields.optional("max_unpacked_mb", int)
    raw_entities = fields.required("entities", dict)
    fields.no_others()

    if kind != "file_drop":
        if connection is None and base_url is None:
            raise RegistryError(f"{where}: field 'connection' (or 'base_url') is required")
        if pagination_body is None:
            raise RegistryError(f"{where}: field 'pagination' is required for kind {kind}")
    pagination = (
        _parse_pagination(pagination_body, f"{where}, field 'pagination'")
        if pagination_body is not None
        else None
    )
    if kind == "ckan_datastore" and pagination and pagination.type != "ckan":
        raise RegistryError(f"{where}, field 'pagination.type': must be 'ckan' for ckan_datastore")
    entities = tuple(
        _parse_entity(name, kind, entity_name, entity_body, f"{where}, entity {entity_name!r}")
        for entity_name, entity_body in raw_entities.items()
    )
    if not entities:
        raise RegistryError(f"{where}: field 'entities' is empty")
    for key, value in (("max_file_mb", max_file_mb), ("max_unpacked_mb", max_unpacked_mb)):
        if value is not None and value <= 0:
            raise RegistryError(f"{where}: field {key!r} must be positive, got {value}")
    return Source(
        name=name,
        kind=kind,
        description=description,
        entities=entities,
        connection=connection,
        base_url=base_url.rstrip("/") if base_url else None,
        auth=auth,
        pagination=pagination,
        records_path="data" if records_path is None else records_path,
        landing_dir=landing_dir or "landing",
        max_file_mb=max_file_mb or 50,
        max_unpacked_mb=max_unpacked_mb or 500,
    )


def _parse_auth(body: dict[str, Any] | None, where: str) -> Auth:
    if body is None:
        return Auth()
    fields = _Fields(body, where)
    auth_type = fields.choice("type", AUTH_TYPES)
    token_path = fields.optional("token_path", str)
    header = fields.optional("header", str)
    fields.no_others()
    if auth_type == "oauth2_client_credentials" and not token_path:
        raise RegistryError(f"{where}: field 'token_path' is required for {auth_type}")
    if auth_type == "api_key" and not header:
        raise RegistryError(f"{where}: field 'header' is required for api_key")
    return Auth(type=auth_type, token_path=token_path, header=header)


def _parse_pagination(body: dict[str, Any], where: str) -> Pagination:
    fields = _Fields(body, where)
    values: dict[str, Any] = {"type": fields.choice("type", PAGINATION_TYPES)}
    page_size = fields.optional("page_size", int)
    if page_size is not None:
        if page_size <= 0:
            raise RegistryError(f"{where}: field 'page_size' must be positive")
        values["page_size"] = page_size
    for key in ("limit_param", "cursor_param", "next_cursor_field", "offset_param", "total_field"):
        value = fields.optional(key, str)
        if value is not None:
            values[key] = value
    fields.no_others()
    return Pagination(**values)


def _parse_entity(source: str, kind: str, name: object, body: object, where: str) -> Entity:
    if not isinstance(name, str) or not _NAME.match(name):
        raise RegistryError(f"{where}: the entity name must be lower snake case")
    fields = _Fields(body, where)
    primary_key = fields.required("primary_key", str)
    path = fields.optional("path", str)
    resource_id = fields.optional("resource_id", str)
    incremental_body = fields.optional("incremental", dict)
    fields.no_others()
    if kind == "rest_json" and not path:
        raise RegistryError(f"{where}: field 'path' is required for rest_json")
    if kind == "ckan_datastore" and not resource_id:
        raise RegistryError(f"{where}: field 'resource_id' is required for ckan_datastore")
    incremental = None
    if incremental_body is not None:
        inc = _Fields(incremental_body, f"{where}, field 'incremental'")
        incremental = Incremental(
            field=inc.required("field", str), param=inc.required("param", str)
        )
        inc.no_others()
    return Entity(
        source=source,
        name=name,
        primary_key=primary_key,
        path=path,
        resource_id=resource_id,
        incremental=incremental,
    )


class _Fields:
    """Typed access to one YAML mapping that remembers which keys were read."""

    def __init__(self, body: object, where: str) -> None:
        if not isinstance(body, dict):
            raise RegistryError(f"{where}: expected a mapping, got {type(body).__name__}")
        self.body = body
        self.where = where
        self.seen: set[str] = set()

    def optional(self, key: str, kind: type) -> Any:
        self.seen.add(key)
        value = self.body.get(key)
        if value is None:
            return None
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise RegistryError(
                f"{self.where}: field {key!r} must be {kind.__name__}, got {value!r}"
            )
        return value

    def required(self, key: str, kind: type) -> Any:
        value = self.optional(key, kind)
        if value is None or value == "":
            unread = [str(k) for k in self.body if k not in self.seen]
            close = difflib.get_close_matches(key, unread, n=1, cutoff=0.75)
            typo = f" (found {close[0]!r}: a typo?)" if close else ""
            raise RegistryError(f"{self.where}: field {key!r} is required{typo}")
        return value

    def choice(self, key: str, choices: tuple[str, ...]) -> str:
        value: str = self.required(key, str)
        if value not in choices:
            close = difflib.get_close_matches(value, choices, n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise RegistryError(
                f"{self.where}: field {key!r} is {value!r}{hint},"
                f" expected one of {', '.join(choices)}"
            )
        return value

    def no_others(self) -> None:
        unknown = sorted(str(key) for key in self.body if key not in self.seen)
        if unknown:
            close = difflib.get_close_matches(unknown[0], sorted(self.seen), n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            known = ", ".join(sorted(self.seen))
            raise RegistryError(
                f"{self.where}: unknown field {unknown[0]!r}{hint}; known fields: {known}"
            )
