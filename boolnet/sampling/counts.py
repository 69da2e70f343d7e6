"""Counting truth tables: a growing master hash table fed by per-worker tables.

Memory: every distinct function takes one 24-byte slot (two words of the truth
table and the count); the master table keeps its load between 1/4 and 1/2, so
it uses 48 to 96 bytes per distinct function (plus a transient copy while it
doubles). Each worker also has a fixed table of ``WORKER_CAPACITY`` slots
(1.5 MiB) that is merged into the master one and emptied whenever it fills up.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import ndtri

from boolnet.functions import strings_from_packed
from boolnet.sampling import _kernels as K

#: Slots of each worker's table (a power of two; 24 bytes each).
WORKER_CAPACITY = 1 << 16
#: Bytes of one hash-table slot.
SLOT_BYTES = 24


class Counts:
    """Counts of packed truth tables, merged from per-worker tables.

    Examples
    --------
    >>> c = Counts(workers=2)
    >>> c.worker_tables[0, 5] = [8, 0, 3]; c.worker_used[0] = 1   # AND seen 3 times
    >>> c.merge_workers()
    >>> words, counts = c.entries()
    >>> words.tolist(), counts.tolist()
    ([[8, 0]], [3])
    """

    def __init__(self, workers: int, capacity: int = 1 << 16):
        self.table = np.zeros((capacity, 3), dtype=np.uint64)
        self.distinct = 0
        self.worker_tables = np.zeros((workers, WORKER_CAPACITY, 3), dtype=np.uint64)
        self.worker_used = np.zeros(workers, dtype=np.int64)

    @property
    def worker_limit(self) -> int:
        """Entries a worker table may hold (load 1/2)."""
        return WORKER_CAPACITY // 2

    def _reserve(self, extra: int) -> None:
        needed = 2 * (self.distinct + extra)
        capacity = self.table.shape[0]
        if needed > capacity:
            while capacity < needed:
                capacity *= 2
            self.table = K.rehash(self.table, capacity)

    def merge_workers(self) -> None:
        """Move every worker table's entries into the master table."""
        self._reserve(int(self.worker_used.sum()))
        self.distinct += int(K.merge_tables(self.worker_tables, self.worker_used, self.table))

    def entries(self) -> tuple[np.ndarray, np.ndarray]:
        """``(words (m, 2) uint64, counts (m,) int64)`` of the master table, in slot order."""
        return K.table_entries(self.table)

    def load(self, words: np.ndarray, counts: np.ndarray) -> None:
        """Replace the master table by the given entries (from a checkpoint)."""
        capacity = 1 << 16
        while capacity < 2 * len(counts):
            capacity *= 2
        self.table = K.table_from_entries(np.ascontiguousarray(words, np.uint64),
                                          np.ascontiguousarray(counts, np.int64), capacity)
        self.distinct = int(len(counts))


#: Standard normal quantile for two-sided 95% intervals.
Z95 = float(ndtri(0.975))


def wilson_interval(counts: np.ndarray, total: int, z: float = Z95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for binomial proportions ``counts / total`` (95% by default).

    Examples
    --------
    >>> lo, hi = wilson_interval(np.array([0, 50]), 100)
    >>> [round(float(v), 4) for v in lo], [round(float(v), 4) for v in hi]
    ([0.0, 0.4038], [0.037, 0.5962])
    """
    k = np.asarray(counts, dtype=np.float64)
    n = float(total)
    p = k / n
    z2 = z * z
    denom = 1.0 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = z * np.sqrt(np.maximum(p * (1 - p) / n + z2 / (4 * n * n), 0.0)) / denom
    return np.clip(centre - half, 0.0, 1.0), np.clip(centre + half, 0.0, 1.0)


def frame_from_counts(words: np.ndarray, counts: np.ndarray, n: int, total: int, exact: bool = False) -> pd.DataFrame:
    """The output table: ``function, count, probability, ci_low, ci_high``.

    Rows are sorted by count (descending), ties by the truth table's integer value.
    With ``exact=True`` (grid enumeration) the probability is exact and the
    interval collapses to it.
    """
    counts = np.asarray(counts, dtype=np.int64)
    order = np.lexsort((words[:, 0], words[:, 1], -counts))
    words = words[order]
    counts = counts[order]
    n_words = 2 if n == 7 else 1
    strings: list[str] = []
    step = 1 << 18  # convert in slices to bound the temporary unpacked bits
    for start in range(0, len(counts), step):
        strings.extend(strings_from_packed(words[start : start + step, :n_words], n))
    probability = counts / float(total)
    if exact:
        lo, hi = probability.copy(), probability.copy()
    else:
        lo, hi = wilson_interval(counts, total)
    return pd.DataFrame({"function": strings, "count": counts, "probability": probability,
                         "ci_low": lo, "ci_high": hi})
