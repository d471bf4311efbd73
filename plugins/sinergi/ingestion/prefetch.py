"""Read ahead a bounded number of pages in a thread while the current one is loaded.

Fetching a page waits on the network and the source; loading it waits on
PostgreSQL. Overlapping the two (requests releases the GIL while waiting)
keeps both busy, and the bound keeps memory flat: at most `depth` pages wait.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")

_DONE = object()


class _Failure:
    def __init__(self, error: BaseException) -> None:
        self.error = error


def prefetch(items: Iterable[T], depth: int = 2) -> Iterator[T]:
    """Yield `items`, produced in a background thread at most `depth` ahead.

    An error in the producer is re-raised in the consumer; when the consumer
    stops early (or fails), the producer stops after its current item.
    """
    buffer: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                if not _put(buffer, item, stop):
                    return
            _put(buffer, _DONE, stop)
        except BaseException as error:
            _put(buffer, _Failure(error), stop)

    thread = threading.Thread(target=produce, name="sinergi-prefetch", daemon=True)
    thread.start()
    try:
        while True:
            item = buffer.get()
            if item is _DONE:
                return
            if isinstance(item, _Failure):
                raise item.error
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        thread.join(timeout=5)  # a daemon: it stops at its next put, never blocks a failure


def _put(buffer: queue.Queue[object], item: object, stop: threading.Event) -> bool:
    """Put unless the consumer has gone; returns False when it has."""
    while not stop.is_set():
        try:
            buffer.put(item, timeout=0.2)
            return True
        except queue.Full:
            continue
    return False
