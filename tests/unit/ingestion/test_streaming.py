"""COPY text lines, record hashes, backoff and read-ahead: the pieces of the streaming load."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator

import pytest
import xxhash

from sinergi.ingestion.http import HttpSettings, backoff_delay
from sinergi.ingestion.prefetch import prefetch
from sinergi.ingestion.raw_loader import canonical_json, copy_text_line, record_hash


def test_canonical_json_sorts_keys_and_keeps_unicode() -> None:
    assert canonical_json({"b": 1, "a": "Rp 1.000,00 é"}) == '{"a":"Rp 1.000,00 é","b":1}'.encode()
    assert canonical_json({"z": {"b": 1, "a": 2}}) == b'{"z":{"a":2,"b":1}}'


def test_copy_line_escapes_backslashes_and_hashes_the_json() -> None:
    text = canonical_json({"unit": 'x\\y\t"z"\n'})
    line, digest = copy_text_line(b"1\tsrc\tent\t2026-01-01T00:00:00+00:00\t", text)
    assert digest == record_hash(text) == xxhash.xxh3_128_hexdigest(text)
    fields = line.rstrip(b"\n").split(b"\t")
    assert len(fields) == 6, "a tab or newline leaked into the COPY line"
    # COPY text format turns the doubled backslashes back into the JSON text.
    assert json.loads(fields[5].decode().replace("\\\\", "\\")) == {"unit": 'x\\y\t"z"\n'}


def test_retry_after_wins_and_backoff_is_capped() -> None:
    settings = HttpSettings(backoff_base_s=1, backoff_max_s=8, max_retry_after_s=60)
    assert backoff_delay(0, settings, "7") == 7
    assert backoff_delay(0, settings, "9999") == 60
    assert all(4 <= backoff_delay(10, settings) <= 8 for _ in range(50))


def test_prefetch_keeps_order_and_reraises() -> None:
    def items() -> Iterator[int]:
        yield from range(5)
        raise ValueError("page 5 broken")

    seen = []
    with pytest.raises(ValueError, match="page 5 broken"):
        for item in prefetch(items(), depth=2):
            seen.append(item)
    assert seen == [0, 1, 2, 3, 4]


def test_prefetch_stops_the_producer_when_the_consumer_stops() -> None:
    produced = []
    done = threading.Event()

    def items() -> Iterator[int]:
        try:
            for i in range(1_000_000):
                produced.append(i)
                yield i
        finally:
            done.set()

    for item in prefetch(items(), depth=2):
        if item == 3:
            break
    assert len(produced) < 10
