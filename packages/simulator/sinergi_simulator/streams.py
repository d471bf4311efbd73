"""A served entity as a time-ordered stream of pre-encoded records with random access.

A stream is cut into (period, block) chunks whose sizes are known up front;
record k of period p gets timestamp `start_p + k * len_p // n_p`, strictly
increasing because no period holds more records than milliseconds. So the
records visible at a clock, or changed after a watermark, are index ranges
found by arithmetic, and any page can be served by generating only the chunks
it touches.

A built chunk is kept as one buffer of comma-separated records plus their end
offsets (`Chunk`): a page is then a few slices of cached buffers instead of a
join of thousands of small bytes objects, and a cached record costs 8 bytes of
bookkeeping instead of a Python object.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator

import numpy as np

from sinergi_simulator.timeline import N_PERIODS, PERIOD_LEN_MS, PERIOD_START_MS


class Chunk:
    """The encoded records of one chunk: `body` is the records joined by commas."""

    __slots__ = ("body", "ends")

    def __init__(self, body: bytes, lengths: np.ndarray) -> None:
        self.body = body
        self.ends = np.cumsum(lengths + 1) - 1  # record i is body[ends[i-1] + 1 : ends[i]]

    @classmethod
    def join(cls, records: list[bytes]) -> Chunk:
        lengths = np.fromiter(map(len, records), dtype=np.int64, count=len(records))
        return cls(b",".join(records), lengths)

    @classmethod
    def from_text(cls, records: list[str]) -> Chunk:
        """From records as str: one join and one encode per chunk instead of one per record."""
        text = ",".join(records)
        if text.isascii():
            lengths = np.fromiter(map(len, records), dtype=np.int64, count=len(records))
        else:
            lengths = np.fromiter((len(r.encode()) for r in records), np.int64, len(records))
        return cls(text.encode(), lengths)

    def __len__(self) -> int:
        return len(self.ends)

    def span(self, first: int, stop: int) -> bytes:
        """Records [first, stop) of the chunk, comma-separated (a slice of the body)."""
        begin = int(self.ends[first - 1]) + 1 if first else 0
        return self.body[begin : int(self.ends[stop - 1])]

    def records(self) -> list[bytes]:
        body, begin, out = self.body, 0, []
        for end in self.ends.tolist():
            out.append(body[begin:end])
            begin = end + 1
        return out


# build(period, block, timestamps) -> one encoded record per timestamp
ChunkBuilder = Callable[[int, int, np.ndarray], "list[bytes] | Chunk"]


class Stream:
    """One entity of one source: counts per (period, block) and how to encode a chunk."""

    def __init__(
        self, name: str, counts: np.ndarray, build: ChunkBuilder, cache_chunks: int = 4
    ) -> None:
        if counts.shape[0] != N_PERIODS:
            raise ValueError(f"simulator: stream {name} needs {N_PERIODS} periods")
        if (counts.sum(axis=1) > PERIOD_LEN_MS).any():
            raise ValueError(f"simulator: stream {name} has more records than milliseconds")
        self.name = name
        self.counts = counts.astype(np.int64)
        self._build = build
        self.block_start = np.zeros((N_PERIODS, counts.shape[1] + 1), dtype=np.int64)
        np.cumsum(self.counts, axis=1, out=self.block_start[:, 1:])
        self.period_total = self.block_start[:, -1].copy()
        self.period_start = np.concatenate([[0], np.cumsum(self.period_total)])
        self.total = int(self.period_start[-1])
        # A few chunks are enough: readers page forward, and a page spans two or three chunks.
        self._cache: OrderedDict[tuple[int, int], Chunk] = OrderedDict()
        self._cache_size = cache_chunks
        self._lock = threading.Lock()

    # ------------------------------------------------------------ time
    def chunk_timestamps(self, period: int, block: int) -> np.ndarray:
        """Timestamps (epoch ms) of the records of one chunk."""
        first = self.block_start[period, block]
        pos = np.arange(first, first + self.counts[period, block], dtype=np.int64)
        n = max(int(self.period_total[period]), 1)
        return PERIOD_START_MS[period] + pos * PERIOD_LEN_MS[period] // n

    def count_until(self, ms: int) -> int:
        """How many records have timestamp <= ms (the prefix visible at that clock)."""
        period = int(np.searchsorted(PERIOD_START_MS, ms, side="right")) - 1
        if period < 0:
            return 0
        if period >= N_PERIODS:
            return self.total
        n = int(self.period_total[period])
        elapsed = ms - int(PERIOD_START_MS[period]) + 1
        length = int(PERIOD_LEN_MS[period])
        inside = min(n, -(-elapsed * n // length))
        return int(self.period_start[period]) + inside

    def timestamp_of(self, index: int) -> int:
        """Timestamp of the record at a global index."""
        period = int(np.searchsorted(self.period_start, index, side="right")) - 1
        k = index - int(self.period_start[period])
        n = int(self.period_total[period])
        return int(PERIOD_START_MS[period] + k * int(PERIOD_LEN_MS[period]) // n)

    # --------------------------------------------------------- records
    def chunk(self, period: int, block: int) -> Chunk:
        key = (period, block)
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                return cached
        records = self._build(period, block, self.chunk_timestamps(period, block))
        if len(records) != self.counts[period, block]:
            raise RuntimeError(
                f"simulator: stream {self.name} chunk {key} built {len(records)} records, "
                f"expected {self.counts[period, block]}"
            )
        chunk = records if isinstance(records, Chunk) else Chunk.join(records)
        with self._lock:
            self._cache[key] = chunk
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return chunk

    def _spans(self, start: int, stop: int) -> Iterator[tuple[Chunk, int, int]]:
        """(chunk, first, stop) pieces covering records [start, stop) in stream order."""
        stop = min(stop, self.total)
        index = start
        while index < stop:
            period = int(np.searchsorted(self.period_start, index, side="right")) - 1
            pos = index - int(self.period_start[period])
            block = int(np.searchsorted(self.block_start[period], pos, side="right")) - 1
            first = pos - int(self.block_start[period, block])
            take = min(stop - index, int(self.counts[period, block]) - first)
            yield self.chunk(period, block), first, first + take
            index += take

    def page(self, start: int, stop: int) -> bytes:
        """Encoded records [start, stop), comma-separated: the inside of a JSON array."""
        return b",".join(chunk.span(first, end) for chunk, first, end in self._spans(start, stop))

    def records(self, start: int, stop: int) -> list[bytes]:
        """Encoded records [start, stop) in stream order."""
        out: list[bytes] = []
        for chunk, first, end in self._spans(start, stop):
            out.extend(chunk.records()[first:end])
        return out

    def iter_chunks(self, until: int | None = None) -> Iterator[tuple[int, int, list[bytes]]]:
        """(period, block, records) in stream order, up to a record count."""
        limit = self.total if until is None else until
        for period in range(N_PERIODS):
            if self.period_start[period] >= limit:
                return
            for block in np.flatnonzero(self.counts[period]).tolist():
                remaining = limit - int(self.period_start[period] + self.block_start[period, block])
                if remaining <= 0:
                    return
                yield period, block, self.chunk(period, block).records()[:remaining]
