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
import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
from scipy.special import ndtri

from boolnet.sampling import _hash_kernels as K
from boolnet.sampling import _table_kernels as TK

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
            grown = zeroed_array((capacity, 3), np.uint64)  # zeroed by all cores: fresh memory is dear here
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
        def loop(worker):
            while True:
                finished = step(worker)
                self.merge_worker(worker)
                if finished:
                    return

        workers = range(self.worker_used.shape[0])
        if pool is None:
            for worker in workers:
                loop(worker)
        else:
            for future in [pool.submit(loop, worker) for worker in workers]:
                future.result()

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


#: Arrays of more bytes than this are touched by all cores as they are made (see fresh_array).
FRESH_TOUCH_BYTES = 1 << 24


def _cores() -> int:
    """Threads that share out the work of one big array (one per core, at most 8)."""
    return max(1, min(os.cpu_count() or 1, 8))


def _over_cores(total: int, task, align: int = 1) -> None:
    """Call ``task(lo, hi)`` on consecutive shares of ``range(total)``, one thread per core.

    Share boundaries are multiples of ``align`` (a page, for byte ranges); with one core the
    calling thread does it all. ``task`` runs a ``nogil`` kernel, so the threads run at once.
    """
    parts = _cores()
    if parts == 1:
        task(0, total)
        return
    bounds = [(total * k // parts) // align * align for k in range(parts)] + [total]
    with ThreadPoolExecutor(max_workers=parts) as pool:
        for future in [pool.submit(task, bounds[k], bounds[k + 1]) for k in range(parts)]:
            future.result()


def zeroed_array(shape, dtype) -> np.ndarray:
    """``np.zeros(shape, dtype)``, zeroed by one thread per core when it is big (see :func:`fresh_array`).

    Examples
    --------
    >>> int(zeroed_array(5, np.uint64).sum())
    0
    """
    array = np.empty(shape, dtype)
    flat = array.reshape(-1).view(np.uint8)
    if flat.size < FRESH_TOUCH_BYTES:
        flat[:] = 0
    else:
        _over_cores(flat.size, lambda lo, hi: TK.write_zeros(flat, lo, hi, 1), 4096)
    return array


def fresh_array(shape, dtype) -> np.ndarray:
    """``np.empty(shape, dtype)``, its pages touched at once by one thread per core when it is big.

    Why: on a virtual machine whose host backs memory lazily and takes freed pages back
    within seconds (this project's development machines), the first write to each page of
    a new array costs far more than the write itself (0.16-0.35 GB/s from one thread), and
    two threads touching at once take half the time. Kernels that then fill the array
    single-threaded find its pages ready. Elsewhere this costs one cheap pass.

    Examples
    --------
    >>> fresh_array((2, 3), np.int64).shape
    (2, 3)
    """
    array = np.empty(shape, dtype)
    flat = array.reshape(-1).view(np.uint8)
    if flat.size >= FRESH_TOUCH_BYTES and _cores() > 1:
        _over_cores(flat.size, lambda lo, hi: TK.write_zeros(flat, lo, hi, 4096), 4096)
    return array


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
    return TK.wilson(np.ascontiguousarray(counts, dtype=np.float64), int(total), float(z))


#: Tables with more rows than this get a pyarrow-backed string column (fast, compact).
ARROW_STRINGS_ABOVE = 100_000


def truth_table_strings(words: np.ndarray, n: int):
    """Truth-table strings of packed tables ``(m, 2)``: a list, or for big tables an Arrow-backed Series.

    Examples
    --------
    >>> truth_table_strings(np.array([[8, 0]], dtype=np.uint64), 2)
    ['0001']
    """
    m = words.shape[0]
    length = 1 << n
    # Bit i of word i // 64 is f(input i): little-endian bytes, little-endian bit order.
    chars = _truth_table_chars(words, n)
    if m <= ARROW_STRINGS_ABOVE:
        flat = chars.tobytes().decode("ascii")
        return [flat[k : k + length] for k in range(0, len(flat), length)]
    import pyarrow as pa

    offsets = np.arange(0, (m + 1) * length, length, dtype=np.int64)
    array = pa.LargeStringArray.from_buffers(m, pa.py_buffer(offsets), pa.py_buffer(np.ascontiguousarray(chars)))
    return pd.Series(pd.arrays.ArrowExtensionArray(array))


def _truth_table_chars(words: np.ndarray, n: int) -> np.ndarray:
    """The characters of every truth table of ``words`` in one uint8 array (``m * 2**n`` bytes).

    Tables of many rows with ``n >= 3`` are written by :func:`_table_kernels.write_truth_tables` on one
    thread per core: on a virtual machine whose host backs memory lazily, touching fresh memory from
    two threads at once takes half the time (a 9-million-row table at n = 7 is 1.2 GB of characters).
    """
    m = words.shape[0]
    length = 1 << n
    if n < 3 or m <= ARROW_STRINGS_ABOVE or sys.byteorder != "little":
        raw = np.ascontiguousarray(words[:, :2], dtype="<u8").view(np.uint8).reshape(m, 16)
        chars = np.unpackbits(raw, axis=1, bitorder="little")[:, :length]
        chars += ord("0")
        return np.ascontiguousarray(chars).reshape(-1)
    words = np.ascontiguousarray(words, dtype=np.uint64)
    chars = np.empty(m * length, np.uint8)
    out = chars.view(np.uint64)
    _over_cores(m, lambda lo, hi: TK.write_truth_tables(words, length, out, lo, hi))
    return chars


def _row_order(words: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Indices sorting rows by count (descending), then word 1, then word 0 (ascending).

    Same order as ``np.lexsort((w0, w1, -counts))``; a radix sort in numba
    (about 1 s instead of 6 s for 9 million rows).
    """
    words = np.ascontiguousarray(words, dtype=np.uint64).reshape(-1, 2)
    counts = np.ascontiguousarray(counts, dtype=np.int64)
    order = fresh_array(counts.shape[0], np.int64)
    TK.row_order(words, counts, order, fresh_array((3, counts.shape[0]), np.int64))  # the scratch is freed here
    return order


def frame_from_counts(words: np.ndarray, counts: np.ndarray, n: int, total: int, exact: bool = False) -> pd.DataFrame:
    """The volume table of counts: ``function, probability, probability_low, probability_high, count``.

    The columns of :mod:`boolnet.schema`; ``probability = count / total``. Rows are
    sorted by count (descending), ties by the truth table's integer value. The
    ``function`` column holds Python strings, or pyarrow-backed strings
    (``string[pyarrow]``) for tables of more than ``ARROW_STRINGS_ABOVE`` rows. The
    bounds are the 95% Wilson score interval; with ``exact=True`` (grid enumeration)
    the probability is exact and both bounds equal it. No metadata is attached.

    Examples
    --------
    >>> df = frame_from_counts(np.array([[8, 0], [7, 0]], dtype=np.uint64), np.array([1, 3]), 2, 4)
    >>> df.columns.tolist()
    ['function', 'probability', 'probability_low', 'probability_high', 'count']
    >>> df["function"].tolist(), df["count"].tolist()
    (['1110', '0001'], [3, 1])
    """
    return frame_from_entries([words, counts], n, total, exact)


def frame_from_entries(entries: list, n: int, total: int, exact: bool = False) -> pd.DataFrame:
    """:func:`frame_from_counts` of ``entries = [words, counts]``, emptying the list.

    Each array is freed as soon as it has been used (the caller keeps no reference),
    so that the next one reuses its memory: on machines where fresh memory is dear
    (a virtual machine whose host takes freed pages back), this saves about a fifth
    of building a 9-million-row table.

    Examples
    --------
    >>> entries = [np.array([[8, 0], [7, 0]], dtype=np.uint64), np.array([1, 3])]
    >>> frame_from_entries(entries, 2, 4)["function"].tolist(), entries
    (['1110', '0001'], [])
    """
    words = np.ascontiguousarray(entries.pop(0), dtype=np.uint64).reshape(-1, 2)
    counts = np.ascontiguousarray(entries.pop(0), dtype=np.int64)
    order = _row_order(words, counts)
    sorted_words = np.take(words, order, axis=0, out=fresh_array(words.shape, np.uint64))
    del words
    sorted_counts = np.take(counts, order, out=fresh_array(counts.shape, np.int64))
    del counts, order
    return frame_from_sorted(sorted_words, sorted_counts, n, total, exact)


def frame_from_sorted(words: np.ndarray, counts: np.ndarray, n: int, total: int, exact: bool = False) -> pd.DataFrame:
    """:func:`frame_from_counts` for rows already in their order (a slice of a bigger sorted table).

    Writers of big tables call it on one slice of rows at a time, so that the
    truth-table strings of the whole table never exist at once.

    Examples
    --------
    >>> frame_from_sorted(np.array([[7, 0]], dtype=np.uint64), np.array([3]), 2, 4)["probability"].tolist()
    [0.75]
    """
    counts = np.asarray(counts, dtype=np.int64)
    function = truth_table_strings(words, n)
    if total > 0:
        probability = counts / float(total)
    else:  # nothing done yet (an empty partial table)
        probability = np.zeros(0)
    if exact or total <= 0:
        lo, hi = probability.copy(), probability.copy()
    else:
        lo, hi = wilson_interval(counts, total)
    # copy=False: the columns are new arrays that nothing else holds; copying them into one block would
    # cost as much as building them (about 1 s for 9 million rows).
    return pd.DataFrame({"function": function, "probability": probability, "probability_low": lo,
                         "probability_high": hi, "count": counts}, copy=False)


def arrow_from_sorted(words: np.ndarray, counts: np.ndarray, n: int, total: int, exact: bool = False):
    """The rows of :func:`frame_from_sorted` as a :class:`pyarrow.Table` of one fixed schema.

    ``function`` is always ``large_string`` (whatever the number of rows), so the
    slices of one table can be written as row groups of one Parquet file.

    Examples
    --------
    >>> t = arrow_from_sorted(np.array([[7, 0]], dtype=np.uint64), np.array([3]), 2, 4)
    >>> t.column_names, t.column("function").to_pylist(), str(t.schema.field("function").type)
    (['function', 'probability', 'probability_low', 'probability_high', 'count'], ['1110'], 'large_string')
    """
    import pyarrow as pa

    words = np.ascontiguousarray(words, dtype=np.uint64).reshape(-1, 2)
    counts = np.ascontiguousarray(counts, dtype=np.int64)
    m = words.shape[0]
    length = 1 << n
    raw = words.astype("<u8", copy=False).view(np.uint8).reshape(m, 16)
    chars = np.unpackbits(raw, axis=1, bitorder="little")[:, :length]
    chars += ord("0")
    offsets = np.arange(0, (m + 1) * length, length, dtype=np.int64)
    function = pa.LargeStringArray.from_buffers(m, pa.py_buffer(offsets), pa.py_buffer(np.ascontiguousarray(chars)))
    probability = counts / float(total) if total > 0 else np.zeros(m)
    if exact or total <= 0:
        lo, hi = probability, probability
    else:
        lo, hi = wilson_interval(counts, total)
    return pa.table({"function": function, "probability": probability, "probability_low": lo,
                     "probability_high": hi, "count": counts})
