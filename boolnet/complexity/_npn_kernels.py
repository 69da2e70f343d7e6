"""Numba kernel: smallest integer image of small truth tables under a group of input maps."""

from __future__ import annotations

import numba as nb
import numpy as np


@nb.njit(cache=True, parallel=True)
def min_image(values, maps, with_complement, size):
    """For each table (an integer with bit i = f(input i), size <= 64 inputs), the smallest
    integer among its images ``g.f(i) = f(maps[g, i])`` and, if ``with_complement``, their
    complements."""
    m = values.shape[0]
    n_maps = maps.shape[0]
    full = np.uint64(0xFFFFFFFFFFFFFFFF) if size == 64 else (np.uint64(1) << np.uint64(size)) - np.uint64(1)
    out = np.empty(m, dtype=np.uint64)
    for r in nb.prange(m):
        value = values[r]
        best = value
        for g in range(n_maps):
            image = np.uint64(0)
            for i in range(size):
                image |= ((value >> np.uint64(maps[g, i])) & np.uint64(1)) << np.uint64(i)
            if image < best:
                best = image
            if with_complement:
                image = image ^ full
                if image < best:
                    best = image
        out[r] = best
    return out
