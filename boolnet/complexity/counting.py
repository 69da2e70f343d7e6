"""Counting measures: the number of ones and the binary entropy of the truth table."""

from __future__ import annotations

import numpy as np

from boolnet.complexity.base import measure_kernel


def _popcount64(words: np.ndarray) -> np.ndarray:
    """Per-row number of set bits of a ``(m, W)`` uint64 array (SWAR popcount)."""
    x = words.copy()
    x = x - ((x >> np.uint64(1)) & np.uint64(0x5555555555555555))
    x = (x & np.uint64(0x3333333333333333)) + ((x >> np.uint64(2)) & np.uint64(0x3333333333333333))
    x = (x + (x >> np.uint64(4))) & np.uint64(0x0F0F0F0F0F0F0F0F)
    x = (x * np.uint64(0x0101010101010101)) >> np.uint64(56)
    return x.sum(axis=1, dtype=np.int64)


@measure_kernel("ones", definition="number of inputs x with f(x) = 1", reference="-")
def ones(words: np.ndarray, n: int) -> np.ndarray:
    """Number of inputs on which the function is 1 (the table's Hamming weight).

    Examples
    --------
    >>> from boolnet.functions import pack_strings
    >>> ones(pack_strings(["0001", "0110", "1111"]), 2).tolist()
    [1, 2, 4]
    """
    return _popcount64(words)


@measure_kernel("entropy",
                definition="binary entropy (bits) of the share p of ones: -p log2 p - (1-p) log2(1-p)",
                reference="Shannon (1948); Valle-Perez, Camargo & Louis, ICLR (2019)")
def entropy(words: np.ndarray, n: int) -> np.ndarray:
    """Binary entropy, in bits, of the share ``p`` of ones: ``-p log2 p - (1-p) log2 (1-p)``.

    0 for constant functions, 1 for balanced ones.

    Examples
    --------
    >>> from boolnet.functions import pack_strings
    >>> entropy(pack_strings(["0000", "0001", "0110"]), 2).round(6).tolist()
    [0.0, 0.811278, 1.0]
    """
    p = _popcount64(words) / float(1 << n)
    out = np.zeros_like(p)
    mixed = (p > 0) & (p < 1)
    q = p[mixed]
    out[mixed] = -q * np.log2(q) - (1 - q) * np.log2(1 - q)
    return out
