"""Numba kernel: Lempel-Ziv (1976) phrase counts by the Kaspar-Schuster scan, on packed tables."""

from __future__ import annotations

import numba as nb
import numpy as np


@nb.njit(cache=True, inline="always")
def _bit(words, row, pos, reverse, length):
    # Reading the reversed string is just reading position length-1-pos.
    if reverse:
        pos = length - 1 - pos
    return (words[row, pos >> 6] >> np.uint64(pos & 63)) & np.uint64(1)


@nb.njit(cache=True)
def phrase_count(words, row, length, reverse):
    """LZ76 phrase count of row ``row`` (its first ``length`` bits), read forwards or backwards.

    Kaspar & Schuster (1987), Phys. Rev. A 36, 842: ``l`` is the start of the
    phrase being built, ``i`` the start of the candidate earlier copy, ``k`` the
    current match length and ``k_max`` the longest match seen for this phrase.
    """
    if length == 1:
        return 1
    i = 0
    k = 1
    l = 1
    count = 1
    k_max = 1
    while True:
        if _bit(words, row, i + k - 1, reverse, length) == _bit(words, row, l + k - 1, reverse, length):
            k += 1
            if l + k > length:
                count += 1
                break
        else:
            if k > k_max:
                k_max = k
            i += 1
            if i == l:
                count += 1
                l += k_max
                if l + 1 > length:
                    break
                i = 0
                k = 1
                k_max = 1
            else:
                k = 1
    return count


@nb.njit(cache=True, parallel=True)
def lz_dingle(words, length):
    """Dingle et al. (2018) C_LZ of every row (see :func:`boolnet.complexity.lz.lz`)."""
    m = words.shape[0]
    out = np.empty(m, dtype=np.float64)
    scale = np.log2(length)
    n_full = length >> 6
    for r in nb.prange(m):
        # Constant strings score log2(length), by definition.
        constant = True
        if length < 64:
            w = words[r, 0]
            mask = (np.uint64(1) << np.uint64(length)) - np.uint64(1)
            constant = (w == np.uint64(0)) or (w == mask)
        else:
            first = words[r, 0]
            if first != np.uint64(0) and first != ~np.uint64(0):
                constant = False
            for j in range(1, n_full):
                if words[r, j] != first:
                    constant = False
        if constant:
            out[r] = scale
        else:
            forward = phrase_count(words, r, length, False)
            backward = phrase_count(words, r, length, True)
            out[r] = scale * (forward + backward) / 2.0
    return out
