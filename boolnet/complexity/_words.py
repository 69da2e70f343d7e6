"""Validation and unpacking of packed truth tables shared by the measure modules."""

from __future__ import annotations

import numpy as np

from boolnet.errors import BoolnetError
from boolnet.functions import MAX_N, n_words, unpack_bits


def check_words(words, n: int) -> np.ndarray:
    """Return ``words`` as a C-contiguous ``(m, n_words(n))`` uint64 array, or raise BoolnetError.

    Bits past ``2**n`` in the single word of an ``n < 6`` table are cleared, so every
    kernel can rely on them being zero.
    """
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or not 0 <= n <= MAX_N:
        raise BoolnetError(f"n must be a whole number in 0..{MAX_N}, got {n!r}", param="n")
    words = np.ascontiguousarray(np.atleast_2d(np.asarray(words, dtype=np.uint64)))
    if words.ndim != 2 or words.shape[1] != n_words(int(n)):
        raise BoolnetError(
            f"packed truth tables of n={n} inputs have {n_words(int(n))} uint64 word(s) per row; "
            f"got an array of shape {words.shape}", param="words"
        )
    if n < 6:
        words = words & np.uint64((1 << (1 << n)) - 1)
    return words


def bits_of(words: np.ndarray, n: int) -> np.ndarray:
    """``(m, 2**n)`` uint8 array of truth-table bits: ``out[r, i] = f_r(input i)``."""
    return unpack_bits(words, n)


def popcount_table(n: int) -> np.ndarray:
    """``popcount(i)`` for every ``i`` in ``[0, 2**n)`` (size of a coordinate set)."""
    idx = np.arange(1 << n, dtype=np.int64)
    counts = np.zeros(1 << n, dtype=np.int64)
    for j in range(n):
        counts += (idx >> j) & 1
    return counts
