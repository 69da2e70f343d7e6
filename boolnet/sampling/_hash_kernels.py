"""Numba kernels: hash tables that count packed truth tables.

A table is a ``(capacity, 3)`` uint64 array: words 0 and 1 of the truth table
(word 1 is 0 for n <= 6) and the count; a slot is empty iff its count is 0.
Open addressing with linear probing; capacity a power of two; callers keep the
load at or below 3/4. A truth table's home slot is the top ``log2(capacity)``
bits of its hash, so every table is (almost) in hash order: merging one table
into another, or into a table twice its size, walks the target in increasing
slot order instead of jumping at random. The low bits of the hash pick the
partition of the master table (:class:`boolnet.sampling.counts.Counts`).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from boolnet.sampling._rng import splitmix_mix
from boolnet.sampling._simd import prefetch_row

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


@njit(inline="always", cache=True)
def _hash(lo, hi):
    """64-bit hash of a truth table: its top bits pick the slot, its low bits the partition."""
    return splitmix_mix(lo + hi * _GOLDEN)


@njit(cache=True)
def slot_shift(capacity):
    """``64 - log2(capacity)``: a hash ``h`` has its home slot at ``h >> shift``."""
    shift = 64
    c = capacity
    while c > 1:
        c >>= 1
        shift -= 1
    return np.uint64(shift)


@njit(inline="always", cache=True)
def table_add_at(table, lo, hi, inc, i):
    """Add ``inc`` to the count of ``(lo, hi)``, probing from slot ``i``; return 1 if it was new, else 0."""
    mask = np.int64(table.shape[0] - 1)
    while True:
        c = table[i, 2]
        if c == 0:
            table[i, 0] = lo
            table[i, 1] = hi
            table[i, 2] = inc
            return 1
        if table[i, 0] == lo and table[i, 1] == hi:
            table[i, 2] = c + inc
            return 0
        i = (i + 1) & mask


@njit(inline="always", cache=True)
def table_add(table, lo, hi, inc, shift):
    """Add ``inc`` to the count of truth table ``(lo, hi)``; return 1 if it was new, else 0.

    ``shift`` is :func:`slot_shift` of the table's capacity.
    """
    return table_add_at(table, lo, hi, inc, np.int64(_hash(lo, hi) >> shift))


@njit(inline="always", cache=True)
def _partition(lo, hi, parts):
    """Master-table partition of a truth table (low hash bits; slots use the top bits)."""
    return np.int64(_hash(lo, hi) % np.uint64(parts))


#: Entries whose slots are requested ahead of their insertion (see :func:`prefetch_row`).
PREFETCH_AHEAD = 16


@njit(inline="always", cache=True)
def _add_all(src, target, part, parts, clear):
    """Add the entries of table ``src`` in partition ``part`` to ``target``; return how many were new.

    Slots are the top bits of the hash in every table, so walking ``src`` in
    slot order visits the target's slots in increasing order too (a sweep, not
    random jumps), and each slot (with the cache line after it) is requested
    ``PREFETCH_AHEAD`` entries before it is written. With ``clear``, the moved entries are emptied in ``src``.
    """
    shift = slot_shift(target.shape[0])
    mask = np.int64(target.shape[0] - 1)
    ring_src = np.empty(PREFETCH_AHEAD, np.int64)
    ring_slot = np.empty(PREFETCH_AHEAD, np.int64)
    new = 0
    queued = 0
    for i in range(src.shape[0]):
        c = src[i, 2]
        if c == 0:
            continue
        h = _hash(src[i, 0], src[i, 1])
        if np.int64(h % np.uint64(parts)) != part:
            continue
        slot = np.int64(h >> shift)
        # The home slot's cache line and the next: a new entry probes about two slots past its home at
        # load 1/2 (24-byte slots, 64-byte lines), and an unrequested second line costs a full miss
        # (docs/sampling.md has the measurement).
        prefetch_row(target, slot)
        prefetch_row(target, (slot + 2) & mask)
        r = queued % PREFETCH_AHEAD
        if queued >= PREFETCH_AHEAD:  # the entry queued PREFETCH_AHEAD ago: its slot is in cache by now
            k = ring_src[r]
            new += table_add_at(target, src[k, 0], src[k, 1], src[k, 2], ring_slot[r])
            if clear:
                src[k, 2] = 0
        ring_src[r] = i
        ring_slot[r] = slot
        queued += 1
    for q in range(max(0, queued - PREFETCH_AHEAD), queued):
        r = q % PREFETCH_AHEAD
        k = ring_src[r]
        new += table_add_at(target, src[k, 0], src[k, 1], src[k, 2], ring_slot[r])
        if clear:
            src[k, 2] = 0
    return new


@njit(nogil=True, cache=True)
def merge_partition(sources, used, target, part, parts):
    """Add the entries of every ``sources[t]`` that belong to partition ``part`` to ``target``.

    The entries are emptied in the sources as they are moved; tasks for
    different partitions touch different entries, so they can run at once.
    Returns the number of entries that were new in ``target``; the caller makes
    sure ``target`` has room (load <= 3/4 afterwards).
    """
    new = 0
    for t in range(sources.shape[0]):
        if used[t] != 0:
            new += _add_all(sources[t], target, part, parts, True)
    return new


@njit(nogil=True, cache=True)
def rehash(table, out):
    """Add the entries of ``table`` to the bigger, empty table ``out`` (a sweep in slot order)."""
    _add_all(table, out, 0, 1, False)


@njit(cache=True)
def copy_entries(table, words, counts, start):
    """Copy the occupied entries of ``table`` to ``words[start:]`` and ``counts[start:]``; return the end."""
    k = start
    for i in range(table.shape[0]):
        if table[i, 2] != 0:
            words[k, 0] = table[i, 0]
            words[k, 1] = table[i, 1]
            counts[k] = np.int64(table[i, 2])
            k += 1
    return k


@njit(cache=True)
def table_from_entries(words, counts, capacity, part, parts):
    """A table of ``capacity`` slots holding the given entries of partition ``part``."""
    out = np.zeros((capacity, 3), np.uint64)
    shift = slot_shift(capacity)
    for k in range(counts.shape[0]):
        if _partition(words[k, 0], words[k, 1], parts) == part:
            table_add(out, words[k, 0], words[k, 1], np.uint64(counts[k]), shift)
    return out


@njit(cache=True)
def partition_sizes(words, parts):
    """Number of entries in each partition."""
    sizes = np.zeros(parts, np.int64)
    for k in range(words.shape[0]):
        sizes[_partition(words[k, 0], words[k, 1], parts)] += 1
    return sizes
