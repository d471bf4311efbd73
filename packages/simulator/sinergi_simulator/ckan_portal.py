"""The Satu Data portal's write side: CKAN's Action API for datasets and the DataStore.

What a publisher of open data calls: `package_list`, `package_show` / `package_create` /
`package_patch` / `package_update`, `resource_show` / `resource_create` /
`resource_patch`, `datastore_create` / `datastore_upsert` / `datastore_delete`
and `datastore_search` on the tables it wrote. Everything is kept in memory.
The answers follow CKAN's: `{"help", "success": true, "result"}`; errors
`{"success": false, "error": {"__type": ...}}` with 403 (Authorization
Error: a write without the API key in `Authorization`, or with a wrong one),
404 (Not Found Error), 409 (Validation Error, the fields at fault as keys)
and 400 (a body that is not JSON, a write by GET).
"""

from __future__ import annotations

import json
import re
import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

PACKAGE_NAME = re.compile(r"^[a-z0-9_-]{2,100}$")
DATASTORE_TYPES = (
    *("text", "int", "int4", "int8", "numeric", "float", "float8"),
    *("bool", "date", "timestamp", "json"),
)
READ_ACTIONS = ("package_list", "package_show", "resource_show", "datastore_search")
PACKAGE_FIELDS = (
    *("name", "title", "notes", "author", "author_email", "maintainer", "license_id"),
    *("owner_org", "url", "version", "private", "tags", "extras"),
)
RESOURCE_FIELDS = ("name", "description", "format", "mimetype", "url", "url_type", "hash", "size")


class CkanError(Exception):
    """An action refused: the HTTP status and CKAN's `error` object."""

    def __init__(self, status: int, error: dict[str, Any]) -> None:
        super().__init__(error)
        self.status = status
        self.error = error


def validation(**fields: list[str]) -> CkanError:
    return CkanError(409, {"__type": "Validation Error", **fields})


def not_found(message: str = "Not found") -> CkanError:
    return CkanError(404, {"__type": "Not Found Error", "message": message})


def _now() -> str:
    return datetime.now(UTC).replace(tzinfo=None).isoformat()


class CkanPortal:
    """Packages, resources and DataStore tables of one simulated CKAN site."""

    def __init__(self, api_key: str, base_url: Callable[[], str]) -> None:
        self.api_key = api_key
        self.base_url = base_url
        self.packages: dict[str, dict[str, Any]] = {}  # id -> package (resources inside)
        self.tables: dict[str, dict[str, Any]] = {}  # resource id -> DataStore table
        self._lock = threading.Lock()
        self.actions: dict[str, Callable[[dict[str, Any]], Any]] = {
            "package_list": self.package_list,
            "package_show": self.package_show,
            "package_create": self.package_create,
            "package_patch": self.package_patch,
            "package_update": self.package_update,
            "resource_show": self.resource_show,
            "resource_create": self.resource_create,
            "resource_patch": self.resource_patch,
            "datastore_create": self.datastore_create,
            "datastore_upsert": self.datastore_upsert,
            "datastore_delete": self.datastore_delete,
            "datastore_search": self.datastore_search,
        }

    def call(self, action: str, method: str, data: dict[str, Any], key: str | None) -> Any:
        """The result of `action`, or CkanError."""
        if action not in READ_ACTIONS:
            if method != "POST":
                raise CkanError(
                    400,
                    {
                        "__type": "Bad request",
                        "message": f"Bad request - {action} changes data: use POST",
                    },
                )
            if key != self.api_key:
                who = "anonymous" if not key else "the key given"
                raise CkanError(
                    403,
                    {
                        "__type": "Authorization Error",
                        "message": f"Access denied: {who} is not authorized to call {action}",
                    },
                )
        elif key is not None and key != self.api_key:
            raise CkanError(403, {"__type": "Authorization Error", "message": "Invalid API key"})
        with self._lock:
            return self.actions[action](data)

    # datasets and resources

    def _package(self, ref: Any) -> dict[str, Any]:
        if not isinstance(ref, str) or not ref:
            raise validation(id=["Missing value"])
        for package in self.packages.values():
            if ref in (package["id"], package["name"]):
                return package
        raise not_found()

    def _resource(self, ref: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        if not isinstance(ref, str) or not ref:
            raise validation(id=["Missing value"])
        for package in self.packages.values():
            for resource in package["resources"]:
                if resource["id"] == ref:
                    return package, resource
        raise not_found("Resource was not found.")

    def _check_package(self, data: dict[str, Any], own_id: str | None) -> None:
        errors: dict[str, list[str]] = {}
        name = data.get("name")
        if not isinstance(name, str) or not name:
            errors["name"] = ["Missing value"]
        elif not PACKAGE_NAME.match(name):
            errors["name"] = [
                "Must be purely lowercase alphanumeric (ascii) characters and these symbols: -_"
            ]
        elif any(p["name"] == name and p["id"] != own_id for p in self.packages.values()):
            errors["name"] = ["That URL is already in use."]
        for field, shape in (("extras", "key"), ("tags", "name")):
            value = data.get(field)
            if value is not None and (
                not isinstance(value, list)
                or not all(isinstance(v, dict) and v.get(shape) for v in value)
            ):
                errors[field] = [f"each of {field} must be an object with a {shape!r}"]
        if errors:
            raise validation(**errors)

    def package_list(self, data: dict[str, Any]) -> list[str]:
        """Every package's name, sorted (CKAN's order), one entry per package."""
        return sorted(p["name"] for p in self.packages.values())

    def package_show(self, data: dict[str, Any]) -> dict[str, Any]:
        return self._package(data.get("id"))

    def package_create(self, data: dict[str, Any]) -> dict[str, Any]:
        self._check_package(data, None)
        now = _now()
        package: dict[str, Any] = {
            "id": str(uuid.uuid4()),
            "type": "dataset",
            "state": "active",
            "metadata_created": now,
            "metadata_modified": now,
            "title": data["name"],
            "tags": [],
            "extras": [],
            "private": False,
            **{k: data[k] for k in PACKAGE_FIELDS if k in data},
            "resources": [],
            "num_resources": 0,
        }
        self.packages[package["id"]] = package
        for resource in data.get("resources") or []:
            self._add_resource(package, resource)
        return package

    def package_patch(self, data: dict[str, Any]) -> dict[str, Any]:
        package = self._package(data.get("id"))
        self._check_package({**package, **data}, package["id"])
        package.update({k: data[k] for k in PACKAGE_FIELDS if k in data})
        package["metadata_modified"] = _now()
        return package

    def package_update(self, data: dict[str, Any]) -> dict[str, Any]:
        """As CKAN: the package becomes what is sent; fields and resources left out go."""
        package = self._package(data.get("id"))
        self._check_package(data, package["id"])
        for field in PACKAGE_FIELDS:
            package[field] = data.get(field, [] if field in ("tags", "extras") else None)
        kept = {r.get("id") for r in data.get("resources") or [] if r.get("id")}
        for resource in [r for r in package["resources"] if r["id"] not in kept]:
            package["resources"].remove(resource)
            self.tables.pop(resource["id"], None)
        package["num_resources"] = len(package["resources"])
        package["metadata_modified"] = _now()
        return package

    def resource_show(self, data: dict[str, Any]) -> dict[str, Any]:
        return self._resource(data.get("id"))[1]

    def resource_create(self, data: dict[str, Any]) -> dict[str, Any]:
        package_id = data.get("package_id")
        if not isinstance(package_id, str) or not package_id:
            raise validation(package_id=["Missing value"])
        try:
            package = self._package(package_id)
        except CkanError:
            raise validation(package_id=["Not found: Dataset"]) from None
        return self._add_resource(package, data)

    def _add_resource(self, package: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
        resource: dict[str, Any] = {
            "id": str(uuid.uuid4()),
            "package_id": package["id"],
            "position": len(package["resources"]),
            "created": _now(),
            "state": "active",
            "datastore_active": False,
            "url": "",
            "hash": "",
            **{k: data[k] for k in RESOURCE_FIELDS if k in data},
        }
        self._dump_url(resource)
        package["resources"].append(resource)
        package["num_resources"] = len(package["resources"])
        return resource

    def resource_patch(self, data: dict[str, Any]) -> dict[str, Any]:
        _, resource = self._resource(data.get("id"))
        resource.update({k: data[k] for k in RESOURCE_FIELDS if k in data})
        resource["last_modified"] = _now()
        self._dump_url(resource)
        return resource

    def _dump_url(self, resource: dict[str, Any]) -> None:
        """A DataStore resource's URL is its dump, as the datastore plugin shows it."""
        if resource.get("url_type") == "datastore":
            resource["url"] = f"{self.base_url()}/datastore/dump/{resource['id']}"

    # the DataStore

    def _writable(self, data: dict[str, Any]) -> dict[str, Any]:
        resource_id = data.get("resource_id")
        if not isinstance(resource_id, str) or not resource_id:
            raise validation(resource_id=["Missing value"])
        try:
            _, resource = self._resource(resource_id)
        except CkanError:
            raise not_found(f'Resource "{resource_id}" was not found.') from None
        if resource.get("url_type") != "datastore" and data.get("force") not in (True, "true"):
            raise validation(
                **{
                    "read-only": [
                        'Cannot edit read-only resource. Either pass "force=True" or change'
                        ' url_type to "datastore"'
                    ]
                }
            )
        return resource

    def datastore_create(self, data: dict[str, Any]) -> dict[str, Any]:
        resource = self._writable(data)
        table = self.tables.get(resource["id"], {"fields": [], "primary_key": [], "records": []})
        fields = data.get("fields") or []
        if not isinstance(fields, list) or not all(isinstance(f, dict) for f in fields):
            raise validation(fields=["fields must be a list of objects"])
        known = {f["id"]: f for f in table["fields"]}
        merged = [dict(f) for f in table["fields"]]
        for field in fields:
            name, kind = field.get("id"), field.get("type", "text")
            if not isinstance(name, str) or not name or name.startswith("_") or '"' in name:
                raise validation(fields=[f'"{name}" is not a valid field name'])
            if kind not in DATASTORE_TYPES:
                raise validation(fields=[f'"{kind}" is not a valid field type'])
            if name in known:
                if known[name]["type"] != kind:
                    raise validation(
                        fields=[f'field "{name}" is {known[name]["type"]}: its type cannot change']
                    )
                next(f for f in merged if f["id"] == name).update(field)
            else:
                merged.append({"id": name, "type": kind, **field})
        key = data.get("primary_key", table["primary_key"])
        key = key.split(",") if isinstance(key, str) else list(key or [])
        names = [f["id"] for f in merged]
        missing = [k for k in key if k not in names]
        if missing:
            raise validation(primary_key=[f'field(s) "{", ".join(missing)}" not in fields'])
        rows = table["records"]
        if key and len({tuple(r.get(k) for k in key) for r in rows}) != len(rows):
            raise validation(primary_key=["existing records are not unique on the key"])
        self.tables[resource["id"]] = {"fields": merged, "primary_key": key, "records": rows}
        resource["datastore_active"] = True
        if data.get("records"):
            self._write(resource["id"], data["records"], "insert")
        return {"resource_id": resource["id"], "fields": merged, "primary_key": key}

    def datastore_upsert(self, data: dict[str, Any]) -> dict[str, Any]:
        resource = self._writable(data)
        if resource["id"] not in self.tables:
            raise not_found(f'Resource "{resource["id"]}" was not found.')
        method = data.get("method", "upsert")
        if method not in ("upsert", "insert", "update"):
            raise validation(method=[f'"{method}" is not one of upsert, insert, update'])
        records = data.get("records")
        if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
            raise validation(records=["records must be a list of objects"])
        self._write(resource["id"], records, method)
        return {"resource_id": resource["id"], "method": method, "records": records}

    def _write(self, resource_id: str, records: list[dict[str, Any]], method: str) -> None:
        """Apply every record or none: errors are found before the table changes."""
        table = self.tables[resource_id]
        key, types = table["primary_key"], {f["id"]: f["type"] for f in table["fields"]}
        if method != "insert" and not key:
            raise validation(
                table=[f"{method} requires a primary key: none was set by datastore_create"]
            )
        rows = {tuple(r.get(k) for k in key): r for r in table["records"]} if key else {}
        staged: list[tuple[tuple[Any, ...] | None, dict[str, Any]]] = []
        seen: set[tuple[Any, ...]] = set()
        for number, record in enumerate(records, start=1):
            extra = [k for k in record if k not in types]
            if extra:
                raise validation(records=[f'row {number} has extra keys "{", ".join(extra)}"'])
            for name, value in record.items():
                problem = _type_problem(types[name], value)
                if problem:
                    raise validation(records=[f'row {number}: field "{name}": {problem}'])
            if key:
                absent = [k for k in key if record.get(k) is None]
                if absent:
                    raise validation(
                        key=[f'fields "{", ".join(absent)}" are missing but needed as key']
                    )
                found = tuple(record[k] for k in key)
                if method == "insert" and (found in rows or found in seen):
                    raise validation(records=[f"row {number}: duplicate key {found}"])
                if method == "update" and found not in rows and found not in seen:
                    raise validation(key=[f'key "{found}" not found'])
                seen.add(found)
                staged.append((found, record))
            else:
                staged.append((None, record))
        for at, record in staged:
            if at is not None and at in rows:
                rows[at].update(record)
            else:
                row = {name: None for name in types} | record
                table["records"].append(row)
                if at is not None:
                    rows[at] = row
        for number, row in enumerate(table["records"], start=1):
            row["_id"] = number

    def datastore_delete(self, data: dict[str, Any]) -> dict[str, Any]:
        resource = self._writable(data)
        if resource["id"] not in self.tables:
            raise not_found(f'Resource "{resource["id"]}" was not found.')
        filters = data.get("filters")
        if filters is None:
            del self.tables[resource["id"]]
            resource["datastore_active"] = False
        else:
            if not isinstance(filters, dict):
                raise validation(filters=["filters must be an object"])
            table = self.tables[resource["id"]]
            names = {f["id"] for f in table["fields"]}
            unknown = [k for k in filters if k not in names]
            if unknown:
                raise validation(filters=[f'field "{unknown[0]}" not in table'])
            table["records"] = [
                r for r in table["records"] if any(r.get(k) != v for k, v in filters.items())
            ]
            for number, row in enumerate(table["records"], start=1):
                row["_id"] = number
        return {"resource_id": resource["id"], "filters": filters}

    def datastore_search(self, data: dict[str, Any]) -> dict[str, Any]:
        resource_id = data.get("resource_id")
        table = self.tables.get(resource_id) if isinstance(resource_id, str) else None
        if table is None:
            raise not_found(f'Resource "{resource_id}" was not found.')
        try:
            limit, offset = int(data.get("limit", 100)), int(data.get("offset", 0))
        except (TypeError, ValueError):
            raise validation(limit=["limit and offset must be integers"]) from None
        wanted = data.get("fields")
        wanted = wanted.split(",") if isinstance(wanted, str) else wanted
        all_fields = [{"id": "_id", "type": "int"}] + [
            {"id": f["id"], "type": f["type"]} for f in table["fields"]
        ]
        if wanted:
            names = {f["id"] for f in all_fields}
            unknown = [w for w in wanted if w not in names]
            if unknown:
                raise validation(fields=[f'field "{unknown[0]}" not in table'])
            all_fields = [f for f in all_fields if f["id"] in wanted]
        filters = data.get("filters") or {}
        if isinstance(filters, str):  # a GET's query string carries it as JSON
            try:
                filters = json.loads(filters)
            except ValueError:
                raise validation(filters=["filters must be a JSON object"]) from None
        if not isinstance(filters, dict):
            raise validation(filters=["filters must be a JSON object"])
        rows = [r for r in table["records"] if all(r.get(k) == v for k, v in filters.items())]
        page = rows[offset : offset + limit]
        shown = [f["id"] for f in all_fields]
        return {
            "resource_id": resource_id,
            "fields": all_fields,
            "records": [{name: row.get(name) for name in shown} for row in page],
            "limit": limit,
            "offset": offset,
            "total": len(rows),
        }


def _type_problem(kind: str, value: Any) -> str | None:
    """Why `value` cannot go in a DataStore column of type `kind` (None when it can)."""
    if value is None:
        return None
    if kind in ("int", "int4", "int8"):
        ok = isinstance(value, int) and not isinstance(value, bool)
        if not ok and isinstance(value, str):
            ok = re.fullmatch(r"-?\d+", value.strip()) is not None
        return None if ok else f"invalid input syntax for type integer: {value!r}"
    if kind in ("numeric", "float", "float8"):
        if isinstance(value, bool):
            return f"invalid input syntax for type numeric: {value!r}"
        try:
            Decimal(str(value))
        except InvalidOperation:
            return f"invalid input syntax for type numeric: {value!r}"
        return None
    if kind == "bool":
        ok = isinstance(value, bool) or str(value).lower() in ("true", "false", "t", "f")
        return None if ok else f"invalid input syntax for type boolean: {value!r}"
    return None
