"""Numba kernels for building output tables: row order by radix sort, Wilson intervals.

Why: a 7-input perceptron run of 2e7 samples has about 9 million distinct
functions; ordering them with NumPy's argsorts and computing the intervals with
NumPy temporaries cost more than the sampling itself (docs/sampling.md).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

_DIGIT_BITS = 8
_BUCKETS = 1 << _DIGIT_BITS


@njit(cache=True)
def _radix_passes(keys, order, key_tmp, order_tmp):
    """Stable LSD radix sort of ``order`` by ``keys`` (uint64, aligned with ``order``), 8 bits per pass.

    Passes whose digit is the same for every row are skipped. Returns the
    arrays holding the result (the inputs and the scratch arrays swap roles).
    """
    m = keys.shape[0]
    count = np.empty(_BUCKETS, np.int64)
    for shift in range(0, 64, _DIGIT_BITS):
        count[:] = 0
        s = np.uint64(shift)
        for i in range(m):
            count[np.int64((keys[i] >> s) & np.uint64(_BUCKETS - 1))] += 1
        if count.max() == m:  # one digit value only: this pass would not move anything
            continue
        total = 0
        for b in range(_BUCKETS):
            c = count[b]
            count[b] = total
            total += c
        for i in range(m):
            d = np.int64((keys[i] >> s) & np.uint64(_BUCKETS - 1))
            p = count[d]
            count[d] = p + 1
            key_tmp[p] = keys[i]
            order_tmp[p] = order[i]
        keys, key_tmp = key_tmp, keys
        order, order_tmp = order_tmp, order
    return keys, order, key_tmp, order_tmp


@njit(cache=True)
def row_order(words, counts, order, scratch):
    """Fill ``order`` with the indices sorting rows of ``words`` ``(m, 2)`` by count (descending), then word 1,
    then word 0 (ascending).

    An LSD radix sort: by word 0, then (stably) by word 1, then by count. Reads the
    words in place (no column copies: fresh memory is dear on some machines).
    ``order`` (m,) and ``scratch`` (3, m) are int64 arrays the caller allocated (see
    :func:`boolnet.table.build.fresh_array`); only ``order`` is needed afterwards.
    """
    m = counts.shape[0]
    result = order
    order_tmp = scratch[0]
    keys = scratch[1].view(np.uint64)
    key_tmp = scratch[2].view(np.uint64)
    for i in range(m):
        order[i] = i
        keys[i] = words[i, 0]
    keys, order, key_tmp, order_tmp = _radix_passes(keys, order, key_tmp, order_tmp)
    for i in range(m):
        keys[i] = words[order[i], 1]
    keys, order, key_tmp, order_tmp = _radix_passes(keys, order, key_tmp, order_tmp)
    top = counts.max() if m else 0
    for i in range(m):
        keys[i] = np.uint64(top - counts[order[i]])
    keys, order, key_tmp, order_tmp = _radix_passes(keys, order, key_tmp, order_tmp)
    if order.ctypes.data != result.ctypes.data:  # the passes ended in the scratch row: copy back
        for i in range(m):
            result[i] = order[i]


@njit(nogil=True, cache=True)
def write_zeros(flat, lo, hi, step):
    """Write 0 to every ``step``-th byte of ``flat[lo:hi]`` (uint8): ``step = 1`` zeroes one thread's share of
    a new array, ``step = 4096`` only makes the OS back its pages now."""
    for i in range(lo, hi, step):
        flat[i] = 0


@njit(nogil=True, cache=True)
def wilson(counts, total, z):
    """Wilson score interval of ``counts / total`` (clipped to [0, 1]): ``(low, high)``."""
    m = counts.shape[0]
    low = np.empty(m)
    high = np.empty(m)
    n = float(total)
    z2 = z * z
    denom = 1.0 + z2 / n
    for i in range(m):
        p = counts[i] / n
        centre = (p + z2 / (2 * n)) / denom
        half = z * math.sqrt(max(p * (1 - p) / n + z2 / (4 * n * n), 0.0)) / denom
        low[i] = min(max(centre - half, 0.0), 1.0)
        high[i] = min(max(centre + half, 0.0), 1.0)
    return low, high


def _ascii_bytes_table():
    """``table[v]``: the 8 characters ``'0'``/``'1'`` of the bits of byte ``v`` (bit 0 first) as one uint64."""
    table = np.zeros(256, np.uint64)
    for v in range(256):
        word = 0
        for k in range(8):
            word |= (48 + ((v >> k) & 1)) << (8 * k)
        table[v] = word
    return table


_ASCII_BYTES = _ascii_bytes_table()


@njit(nogil=True, cache=True)
def write_truth_tables(words, length, out, lo, hi):
    """Write the truth-table strings of rows ``lo .. hi - 1`` of ``words`` into ``out`` (uint64 view of the chars).

    Row ``i`` takes characters ``i * length .. (i + 1) * length - 1``: character ``j`` is bit ``j``
    of word ``j // 64`` as ``'0'`` or ``'1'``, eight characters (one byte of the word) per store.
    ``length`` (a power of two, at least 8) is 2**n. Writers of different row ranges can run at once.
    """
    per_row = length // 8
    for i in range(lo, hi):
        base = i * per_row
        for q in range(per_row):
            byte = (words[i, q // 8] >> np.uint64(8 * (q % 8))) & np.uint64(255)
            out[base + q] = _ASCII_BYTES[np.int64(byte)]
