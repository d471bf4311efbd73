"""A page's JSON, decoded only as far as paging needs: its records stay the bytes sent.

Decoding every record into Python objects, only to encode it again for COPY,
cost the loader more CPU than PostgreSQL spent parsing the same rows. msgspec's
`Raw` checks a JSON value without building it, so a page is still validated
whole (a truncated body fails to decode and is retried) while each record
reaches `raw` exactly as the source sent it. Only what the loader reads from a
record, its key and its incremental value, is decoded, for a whole page at once.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from typing import Any

import msgspec

from sinergi.ingestion.registry import Entity

_OBJECT = msgspec.json.Decoder(dict[str, msgspec.Raw])
_ARRAY = msgspec.json.Decoder(list[msgspec.Raw])
_VALUE = msgspec.json.Decoder()

NOT_AN_OBJECT = object()
"""The key `RecordFields` gives a record that is not a JSON object."""


class RawJson:
    """A JSON value whose objects and arrays are decoded one level at a time, on demand."""

    __slots__ = ("_fields", "_is_object", "_items", "raw")

    def __init__(self, raw: bytes | msgspec.Raw) -> None:
        self.raw = raw
        self._fields: dict[str, msgspec.Raw] | None = None
        self._is_object: bool | None = None
        self._items: list[msgspec.Raw] | None = None

    @classmethod
    def parse(cls, content: bytes) -> RawJson:
        """Validate a whole body (raises `msgspec.DecodeError`), decoding only its top level."""
        body = cls(content)
        if not body.is_object and body.items() is None:
            _VALUE.decode(content)  # neither object nor array: still reject malformed JSON
        return body

    @property
    def is_object(self) -> bool:
        return self._object() is not None

    def get(self, name: str, default: Any = None) -> Any:
        """A field of an object, decoded; `default` when absent or not an object."""
        fields = self._object()
        if fields is None or name not in fields:
            return default
        return _VALUE.decode(fields[name])

    def child(self, path: str) -> RawJson | None:
        """The value at a dotted path (`result.records`; "" is this value), or None."""
        node = self
        for part in filter(None, path.split(".")):
            fields = node._object()
            if fields is None or part not in fields:
                return None
            node = RawJson(fields[part])
        return node

    def items(self) -> list[msgspec.Raw] | None:
        """The elements of an array, each still raw; None when this is not an array."""
        if self._items is None and not self.is_object:
            with suppress(msgspec.ValidationError):  # a string, number, boolean or null
                self._items = _ARRAY.decode(self.raw)
        return self._items

    def value(self) -> Any:
        return _VALUE.decode(self.raw)

    def _object(self) -> dict[str, msgspec.Raw] | None:
        if self._is_object is None:
            try:
                self._fields = _OBJECT.decode(self.raw)
                self._is_object = True
            except msgspec.ValidationError:
                self._is_object = False
        return self._fields


@dataclass(frozen=True)
class PageFields:
    """Per record of a page: its key (`NOT_AN_OBJECT` for a non-object) and incremental value."""

    keys: list[Any]
    incremental: list[Any]


class RecordFields:
    """Decodes the primary key and incremental value of every record of a page in one call."""

    def __init__(self, entity: Entity) -> None:
        fields: list[tuple[str, Any, Any]] = [("key", Any, None)]
        rename = {"key": entity.primary_key}
        if entity.incremental is not None:
            fields.append(("mark", Any, None))
            rename["mark"] = entity.incremental.field
        struct = msgspec.defstruct("RecordFields", fields, rename=rename)
        self._has_mark = entity.incremental is not None
        self._one = msgspec.json.Decoder(struct)
        self._page = msgspec.json.Decoder(list[struct])  # type: ignore[valid-type]

    def of(self, array: bytes | msgspec.Raw, records: list[msgspec.Raw]) -> PageFields:
        """The fields of `records`, the elements of the JSON array `array`."""
        try:
            decoded = self._page.decode(array)
        except msgspec.ValidationError:  # some element is not an object: find which, one by one
            decoded = [self._decode_one(record) for record in records]
        keys = [NOT_AN_OBJECT if item is None else item.key for item in decoded]
        if set(map(type, keys)) - {str}:  # a number, null or non-object key: rare, so slower
            keys = [key if key is NOT_AN_OBJECT else _text(key) for key in keys]
        marks = (
            [item.mark if item is not None else None for item in decoded]
            if self._has_mark
            else [None] * len(decoded)
        )
        return PageFields(keys, marks)

    def _decode_one(self, record: msgspec.Raw) -> Any:
        try:
            return self._one.decode(record)
        except msgspec.ValidationError:
            return None


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
