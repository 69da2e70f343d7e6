"""From counts to tables: the rows of a volume table built from packed truth tables and their counts.

Every producer of counted tables (the sampler, the grid enumerator, merged runs, the
trainer) builds its rows here, in one row order (count descending, then the truth
table's integer value) and with one interval (Wilson's, 95%), as a DataFrame or as
Arrow slices for streamed files. Big arrays are made by :func:`fresh_array` and
:func:`zeroed_array`, which touch their pages from one thread per core: on a machine
whose memory is backed lazily, that first touch costs more than the work.
"""

from __future__ import annotations

import os
import sys
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
from scipy.special import ndtri

from boolnet.functions import truth_table_chars
from boolnet.table import _table_kernels as TK


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

    Why: on a virtual machine whose host backs memory lazily and takes freed pages back,
    the first write to each page of a new array costs far more than the write itself, and
    two threads touching at once take half the time (docs/sampling.md has the figures).
    Kernels that then fill the array single-threaded find its pages ready. Elsewhere this
    costs one cheap pass.

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

    Small tables use the codec of :func:`boolnet.functions.truth_table_chars`; tables of many rows
    with ``n >= 3`` are written by :func:`_table_kernels.write_truth_tables` on one thread per core
    (the same characters: fresh memory is touched from all cores at once, see :func:`fresh_array`).
    """
    m = words.shape[0]
    length = 1 << n
    if n < 3 or m <= ARROW_STRINGS_ABOVE or sys.byteorder != "little":
        return truth_table_chars(words, n)
    words = np.ascontiguousarray(words, dtype=np.uint64)
    chars = np.empty(m * length, np.uint8)
    out = chars.view(np.uint64)
    _over_cores(m, lambda lo, hi: TK.write_truth_tables(words, length, out, lo, hi))
    return chars


def row_order(words: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Indices sorting rows by count (descending), then word 1, then word 0 (ascending).

    Same order as ``np.lexsort((w0, w1, -counts))``, by a radix sort in numba (lexsort
    is several times slower on millions of rows).

    Examples
    --------
    >>> row_order(np.array([[8, 0], [7, 0], [1, 0]], dtype=np.uint64), np.array([1, 3, 1])).tolist()
    [1, 2, 0]
    """
    words = np.ascontiguousarray(words, dtype=np.uint64).reshape(-1, 2)
    counts = np.ascontiguousarray(counts, dtype=np.int64)
    order = fresh_array(counts.shape[0], np.int64)
    TK.row_order(words, counts, order, fresh_array((3, counts.shape[0]), np.int64))  # the scratch is freed here
    return order


def frame_from_counts(words: np.ndarray, counts: np.ndarray, n: int, total: int, exact: bool = False) -> pd.DataFrame:
    """The volume table of counts: ``function, probability, probability_low, probability_high, count``.

    The columns of :mod:`boolnet.table.schema`; ``probability = count / total``. Rows are
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
    order = row_order(words, counts)
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
    # cost as much as building them.
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
    chars = truth_table_chars(words, n)
    offsets = np.arange(0, (m + 1) * length, length, dtype=np.int64)
    function = pa.LargeStringArray.from_buffers(m, pa.py_buffer(offsets), pa.py_buffer(np.ascontiguousarray(chars)))
    probability = counts / float(total) if total > 0 else np.zeros(m)
    if exact or total <= 0:
        lo, hi = probability, probability
    else:
        lo, hi = wilson_interval(counts, total)
    return pa.table({"function": function, "probability": probability, "probability_low": lo,
                     "probability_high": hi, "count": counts})
