"""The glibc malloc settings that keep long loads and the simulator flat in memory."""

from __future__ import annotations

import platform

import pytest

from sinergi.malloc import pin_mmap_threshold, use_one_arena


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt is glibc's")
def test_the_settings_are_accepted_on_glibc() -> None:
    assert pin_mmap_threshold() is True
    assert use_one_arena() is True
