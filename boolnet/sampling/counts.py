"""Counting truth tables: a growing master hash table fed by per-worker tables.

Memory: every distinct function takes one 24-byte slot (two words of the truth
table and the count); the master table (one partition per worker) keeps its
load at most 3/4 and, while it grows by doubling, at least 3/8, so it uses 32
to 64 bytes per distinct function (plus a transient copy of a partition while
it grows). Each worker also has a fixed table of ``WORKER_CAPACITY`` slots
(384 KiB, which fits in the L2 cache) that is merged into the master one and
emptied whenever it is half full.

Growth to the projected size: when the driver says how far the run is
(:meth:`Counts.plan`), a partition that must grow grows at once to the size
projected for the run's end (at most ``MAX_GROWTH`` times its size), instead of
doubling again and again. Each doubling copies the partition into fresh
memory; on a 7-input perceptron run where 45% of the samples are new
functions, the doublings were a quarter of the counting time. The projection
(a power law fitted to the run so far) errs on the large side, by little: the
load stays above 3/8 unless the projection overshoots.
"""

from __future__ import annotations

import math
import threading

import numpy as np

from boolnet.sampling import _hash_kernels as K
from boolnet.runs import run_steps
from boolnet.table.build import fresh_array, zeroed_array

#: Slots of each worker's table (a power of two; 24 bytes each).
WORKER_CAPACITY = 1 << 14
#: Bytes of one hash-table slot.
SLOT_BYTES = 24
#: Largest load of a master-table partition, MAX_LOAD_NUM / MAX_LOAD_DEN; it grows before exceeding it.
MAX_LOAD_NUM, MAX_LOAD_DEN = 3, 4
#: Largest factor by which a partition grows at once towards its projected size.
MAX_GROWTH = 16


class Counts:
    """Counts of packed truth tables: per-worker tables merged into a partitioned master table.

    The master table is split into ``workers`` partitions by hash, so the
    merge runs on all workers at once (each partition is owned by one task).

    Examples
    --------
    >>> c = Counts(workers=2)
    >>> c.worker_tables[0, 5] = [8, 0, 3]; c.worker_used[0] = 1   # AND seen 3 times
    >>> c.merge_workers()
    >>> words, counts = c.entries()
    >>> words.tolist(), counts.tolist(), c.distinct
    ([[8, 0]], [3], 1)
    """

    def __init__(self, workers: int, capacity: int = 1 << 14):
        self.parts = workers
        self.tables = [np.zeros((capacity, 3), dtype=np.uint64) for _ in range(workers)]
        self.part_distinct = [0] * workers
        self.worker_tables = np.zeros((workers, WORKER_CAPACITY, 3), dtype=np.uint64)
        self.worker_used = np.zeros(workers, dtype=np.int64)
        self.locks = [threading.Lock() for _ in range(workers)]
        self.projected_new = 0  # distinct functions the run is expected to add to each partition (see plan)
        self._first_plan = None

    @property
    def distinct(self) -> int:
        """Number of distinct truth tables counted so far."""
        return sum(self.part_distinct)

    @property
    def worker_limit(self) -> int:
        """Entries a worker table may hold (load 1/2)."""
        return WORKER_CAPACITY // 2

    def plan(self, done: int, total: int) -> None:
        """Tell the counts that ``done`` of ``total`` units are counted, to size the partitions' growth.

        The number of distinct functions is projected to the run's end by a power law
        ``distinct ~ done ** beta`` through the first plan with counts and this one (on a
        7-input perceptron at sigma_b = 1, 2e7 and 1e8 samples give 9.0 and 39.5 million
        functions: beta = 0.92). The number of new functions per sample only falls as a
        run goes on, so the exponent over the run so far errs on the large side. Any
        sizing gives the same counts.

        Examples
        --------
        >>> c = Counts(workers=2)
        >>> c.part_distinct = [40, 40]; c.plan(100, 10000)
        >>> c.part_distinct = [400, 400]; c.plan(1000, 10000); c.projected_new   # beta = 1: 8000 in all
        3600
        """
        distinct = self.distinct
        if self._first_plan is None:
            if done > 0 and distinct > 0:
                self._first_plan = (done, distinct)
            return
        done0, distinct0 = self._first_plan
        if done <= done0 or distinct <= 0:
            return
        beta = min(1.0, max(0.0, math.log(distinct / distinct0) / math.log(done / done0)))
        projected = distinct * (max(total, done) / done) ** beta
        self.projected_new = int((projected - distinct) / self.parts)

    def _merge_part(self, part: int, worker: int, pending: int) -> None:
        table = self.tables[part]
        needed = -(-MAX_LOAD_DEN * (self.part_distinct[part] + pending) // MAX_LOAD_NUM)
        if needed > table.shape[0]:
            capacity = table.shape[0]
            while capacity < needed:
                capacity *= 2
            # Straight to the projected end size (capped), rather than doubling into fresh memory again and again.
            projected = -(-MAX_LOAD_DEN * (self.part_distinct[part] + pending + self.projected_new) // MAX_LOAD_NUM)
            while capacity < projected and capacity < MAX_GROWTH * table.shape[0]:
                capacity *= 2
            grown = zeroed_array((capacity, 3), np.uint64)
            K.rehash(table, grown)
            self.tables[part] = table = grown
        self.part_distinct[part] += int(K.merge_partition(self.worker_tables[worker : worker + 1],
                                                          self.worker_used[worker : worker + 1], table,
                                                          part, self.parts))

    def merge_worker(self, worker: int) -> None:
        """Move worker ``worker``'s entries into the master table and empty its table.

        Each partition is locked while it is changed, so workers can merge
        while others sample (sums do not depend on the order of merging).
        """
        pending = int(self.worker_used[worker])
        if pending == 0:
            return
        for q in range(self.parts):
            part = (worker + q) % self.parts  # start at a different partition per worker: less waiting
            with self.locks[part]:
                self._merge_part(part, worker, pending)
        self.worker_used[worker] = 0

    def merge_workers(self) -> None:
        """Move every worker table's entries into the master table."""
        for worker in range(self.worker_used.shape[0]):
            self.merge_worker(worker)

    def run_workers(self, step, pool=None) -> None:
        """Call ``step(t)`` for every worker ``t`` until it returns True, merging its table after each call.

        ``step(t)`` runs a kernel that fills worker table ``t`` (stopping when it
        is full) and says whether worker ``t`` has finished its share. With a
        thread pool the workers run at once, each merging on its own.
        """
        run_steps(step, self.worker_used.shape[0], pool, self.merge_worker)

    def postfix(self) -> dict:
        """What the progress bar shows after the rate: the distinct functions so far, in 3 significant figures
        (``71.7k``), so that a narrow terminal does not cut the number."""
        return {"distinct": compact_count(self.distinct)}

    def release(self) -> None:
        """Free the master and worker tables (after :meth:`entries`); the counts can no longer be used."""
        self.tables = []
        self.part_distinct = [0] * self.parts
        self.worker_tables = np.zeros((0, WORKER_CAPACITY, 3), dtype=np.uint64)
        self.worker_used = np.zeros(0, dtype=np.int64)

    def entries(self) -> tuple[np.ndarray, np.ndarray]:
        """``(words (m, 2) uint64, counts (m,) int64)`` of the master table."""
        total = self.distinct
        words = fresh_array((total, 2), np.uint64)
        counts = fresh_array(total, np.int64)
        filled = 0
        for table in self.tables:
            filled = K.copy_entries(table, words, counts, filled)
        assert filled == total
        return words, counts

    def load(self, words: np.ndarray, counts: np.ndarray) -> None:
        """Replace the master table by the given entries (from a checkpoint)."""
        words = np.ascontiguousarray(words, np.uint64).reshape(-1, 2)
        counts = np.ascontiguousarray(counts, np.int64)
        sizes = K.partition_sizes(words, self.parts)
        for part in range(self.parts):
            capacity = 1 << 14
            while capacity * MAX_LOAD_NUM < MAX_LOAD_DEN * sizes[part]:
                capacity *= 2
            self.tables[part] = K.table_from_entries(words, counts, capacity, part, self.parts)
            self.part_distinct[part] = int(sizes[part])


def compact_count(value: int) -> str:
    """A count in at most 5 characters: ``7173``, ``71.7k``, ``9.01M``, ``1.2G``.

    Examples
    --------
    >>> [compact_count(v) for v in (7173, 71731, 9_012_345, 1_200_000_000)]
    ['7173', '71.7k', '9.01M', '1.2G']
    """
    if value < 10_000:
        return str(value)
    for unit, size in (("G", 10**9), ("M", 10**6), ("k", 10**3)):
        if value >= size:
            return f"{value / size:.3g}{unit}"
    return str(value)
