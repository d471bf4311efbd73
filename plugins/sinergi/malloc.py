"""glibc malloc settings that keep a long-running loader's or server's memory flat.

Both work on glibc only (elsewhere they do nothing and say so) and apply to
the whole process, so they are called by the entry points that need them:
- `pin_mmap_threshold`: glibc gives an allocation above 128 KiB its own mmap,
  but raises that threshold each time such a block is freed (up to 32 MiB).
  After the first page, 1-2 MB response bodies and COPY buffers then come
  from the heap, which fragments, and resident memory creeps up page after
  page (ingest of 1M rows: peak RSS 64 MB after 100k rows, 70 MB at the end;
  60-62 MB with the threshold pinned), at the cost of one mmap/munmap per
  large buffer.
- `use_one_arena`: every thread that allocates gets an arena of its own,
  which keeps freed buffers mapped; the simulator's handler threads grew its
  peak RSS with the length of a run (1M ASN: 123 MB, 113 MB with one arena).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging

log = logging.getLogger(__name__)

# mallopt parameter numbers, from glibc's malloc.h
_M_MMAP_THRESHOLD = -3
_M_ARENA_MAX = -8


def _mallopt(option: int, value: int) -> bool:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return bool(libc.mallopt(option, value))
    except (OSError, AttributeError):  # not glibc (musl, macOS)
        log.debug("mallopt unavailable: malloc left as it is")
        return False


def pin_mmap_threshold(size: int = 128 * 1024) -> bool:
    """Fix the mmap threshold for this process; False where there is no glibc."""
    return _mallopt(_M_MMAP_THRESHOLD, size)


def use_one_arena() -> bool:
    """Allocate from one arena in every thread; False where there is no glibc."""
    return _mallopt(_M_ARENA_MAX, 1)
