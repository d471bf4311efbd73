"""Keep page-sized buffers out of glibc's heap, so a long load's memory stays flat.

glibc gives an allocation above a threshold (128 KiB) its own mmap, but it
raises that threshold every time such a block is freed, up to 32 MiB. After
the first page, response bodies and COPY buffers (1-2 MB a page) then come
from the heap, where freeing them fragments it, and resident memory creeps up
page after page (measured with 1M rows: peak RSS 64 MB after 100k rows, 70 MB
at the end). Setting the threshold explicitly turns that adjustment off (peak
RSS 60-62 MB at 1M rows), at the cost of one mmap/munmap per large buffer.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging

log = logging.getLogger(__name__)

_M_MMAP_THRESHOLD = -3  # mallopt parameter number, from glibc's malloc.h
_DEFAULT_THRESHOLD = 128 * 1024


def pin_mmap_threshold(size: int = _DEFAULT_THRESHOLD) -> bool:
    """Fix glibc's mmap threshold for this process; False where there is no glibc."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return bool(libc.mallopt(_M_MMAP_THRESHOLD, size))
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to pin
        log.debug("mallopt unavailable; memory may creep on long loads")
        return False
