"""Deterministic randomness: one independent stream per (seed, purpose, keys).

Generation is random access (any block of any entity can be produced on its
own), so each block draws from its own `numpy.random.Generator` seeded by the
tuple identifying it, and per-record attributes that must be recomputed from
anywhere (a training's details, seen from each of its participations) come from
a counter-based hash instead of a sequential stream.
"""

from __future__ import annotations

import zlib
from typing import cast

import numpy as np

_MASK = np.uint64(0xFFFFFFFFFFFFFFFF)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


def stream_id(purpose: str) -> int:
    """A stable integer for a purpose name (crc32 does not change between runs, hash() does)."""
    return zlib.crc32(purpose.encode("utf-8"))


def rng(seed: int, purpose: str, *keys: int) -> np.random.Generator:
    """The generator for one block of one purpose."""
    return np.random.default_rng([seed, stream_id(purpose), *(int(k) for k in keys)])


def skip(gen: np.random.Generator, draws: int) -> None:
    """Move `gen` past what `gen.random(draws)` would consume (one 64-bit step per double)."""
    cast(np.random.PCG64, gen.bit_generator).advance(draws)


def _splitmix(x: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        x = x + _GOLDEN
        x = (x ^ (x >> np.uint64(30))) * _M1
        x = (x ^ (x >> np.uint64(27))) * _M2
        return x ^ (x >> np.uint64(31))


def hash_u01(seed: int, purpose: str, keys: np.ndarray) -> np.ndarray:
    """Uniform [0, 1) floats, one per key, reproducible from (seed, purpose, key) alone."""
    salt = _splitmix(np.array([(seed << 32) ^ stream_id(purpose)], dtype=np.uint64))
    mixed = _splitmix(keys.astype(np.uint64) ^ salt)
    return (mixed >> np.uint64(11)).astype(np.float64) * (1.0 / 9007199254740992.0)


def pick(u: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Index into `weights` for each uniform `u` (inverse-CDF sampling)."""
    cdf = np.cumsum(weights, dtype=np.float64)
    cdf /= cdf[-1]
    return np.minimum(np.searchsorted(cdf, u, side="right"), len(weights) - 1)


def int_between(u: np.ndarray, low: np.ndarray | int, high: np.ndarray | int) -> np.ndarray:
    """Integers uniform in [low, high] from uniforms."""
    return (np.asarray(low) + np.floor(u * (np.asarray(high) - np.asarray(low) + 1))).astype(
        np.int64
    )
