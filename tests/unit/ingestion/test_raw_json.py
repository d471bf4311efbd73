"""Reading pages without decoding records: paging fields, record bytes, keys and marks."""

from __future__ import annotations

import json

import msgspec
import pytest

from sinergi.ingestion.raw_json import NOT_AN_OBJECT, RawJson, RecordFields
from sinergi.ingestion.raw_loader import copy_text_line, needs_copy_escape
from sinergi.ingestion.registry import Entity, Incremental

PAGE = (
    b'{"result": {"total": 3, "records": [{"id": "a", "t": 2}, {"id": 7, "t": 9}, 5]}, "ok": true}'
)


def test_paging_fields_are_decoded_and_records_stay_as_sent() -> None:
    body = RawJson.parse(PAGE)
    assert body.is_object and body.get("ok") is True and body.get("missing", "x") == "x"
    result = body.child("result")
    assert result is not None and result.get("total") == 3
    records = body.child("result.records")
    assert records is not None
    items = records.items()
    assert items is not None
    assert [bytes(item) for item in items] == [b'{"id": "a", "t": 2}', b'{"id": 7, "t": 9}', b"5"]
    assert body.child("result.nothing") is None and body.child("ok.deeper") is None
    assert result.items() is None  # an object is not a list


def test_a_truncated_or_malformed_body_is_refused_whole() -> None:
    for bad in (PAGE[:-3], b'[{"id": 1}, {"id": ]', b"nul"):
        with pytest.raises(msgspec.DecodeError):
            RawJson.parse(bad)
    assert RawJson.parse(b'[{"id": 1}]').items() is not None  # a bare list is a valid page


def test_record_fields_give_text_keys_marks_and_flag_non_objects() -> None:
    entity = Entity(
        source="s",
        name="e",
        path="/e",
        primary_key="id",
        incremental=Incremental(field="t", param="since"),
    )
    records = RawJson.parse(PAGE).child("result.records")
    assert records is not None and records.items() is not None
    fields = RecordFields(entity).of(records.raw, records.items() or [])
    assert fields.keys == ["a", "7", NOT_AN_OBJECT]
    assert fields.incremental == [2, 9, None]


def test_whitespace_and_backslashes_are_escaped_only_when_present() -> None:
    pretty = json.dumps({"a": "back\\slash\ttab", "b": [1, 2]}, indent="\t").encode()
    assert needs_copy_escape(pretty) and not needs_copy_escape(b'{"a":"plain"}')
    line, _ = copy_text_line(b"1\t", pretty)
    fields = line.rstrip(b"\n").split(b"\t")
    assert len(fields) == 3, "a tab or newline leaked into the COPY line"
    assert json.loads(fields[2].decode().replace("\\\\", "\\")) == json.loads(pretty)
    clean, digest = copy_text_line(b"1\t", b'{"a":"plain"}', escape=False)
    assert clean == b"1\t" + digest.encode() + b'\t{"a":"plain"}\n'
