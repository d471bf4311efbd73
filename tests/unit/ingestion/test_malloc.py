"""The glibc mmap threshold pin that keeps a long load's memory flat."""

from __future__ import annotations

import platform

import pytest

from sinergi.ingestion.malloc import pin_mmap_threshold


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt is glibc's")
def test_the_threshold_is_pinned_on_glibc() -> None:
    assert pin_mmap_threshold() is True
