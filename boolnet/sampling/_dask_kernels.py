"""Numba kernel of the Dask backend: add given entries to a worker hash table.

The Dask backend (:mod:`boolnet.sampling.dask_backend`) receives the counts of a
range of blocks as arrays of packed truth tables and counts; this kernel puts
them into a :class:`~boolnet.sampling.counts.Counts` worker table, which the
caller then merges into the master table as the sampler does.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from boolnet.sampling._hash_kernels import table_add


@njit(cache=True)
def fill_worker_table(words, counts, batch, batches, table, used, shift):
    """Add entries ``batch, batch + batches, batch + 2 * batches, ...`` to ``table``.

    Entries copied out of a hash table come in hash order; taking every
    ``batches``-th one spreads each batch over the whole table (consecutive
    entries would all have nearby home slots and probe long runs). ``used[0]``
    is the table's number of entries (updated); ``shift`` is
    :func:`~boolnet.sampling._hash_kernels.slot_shift` of its capacity.

    Examples
    --------
    >>> from boolnet.sampling._hash_kernels import slot_shift
    >>> table = np.zeros((16, 3), np.uint64); used = np.zeros(1, np.int64)
    >>> words = np.array([[8, 0], [8, 0], [7, 0]], np.uint64)
    >>> fill_worker_table(words, np.array([1, 2, 5]), 0, 1, table, used, slot_shift(16)); int(used[0])
    2
    >>> sorted(int(c) for c in table[:, 2] if c)
    [3, 5]
    """
    entries = used[0]
    for k in range(batch, counts.shape[0], batches):
        entries += table_add(table, words[k, 0], words[k, 1], np.uint64(counts[k]), shift)
    used[0] = entries
