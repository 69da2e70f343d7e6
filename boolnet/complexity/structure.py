"""Structural measures: relevant variables, linear separability (threshold) and the NPN class.

The NPN class is shown by its canonical representative under boolnet's one convention
(:mod:`boolnet.functions`): the lexicographically smallest truth-table string of the
class (AND's class, which holds OR, NAND, NOR and the functions with one negated input,
is shown as ``0001``).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from boolnet.complexity import _npn_kernels
from boolnet.complexity._words import bits_of, check_words
from boolnet.complexity.base import check_n_limit, measure_kernel
from boolnet.functions import inputs, strings_from_packed, symmetry_input_maps

#: Largest n for which npn_class (and the NPN cache of threshold) is computed.
NPN_MAX_N = 5


@measure_kernel("relevant_vars", definition="number of inputs f depends on",
                reference="Wegener, The Complexity of Boolean Functions (1987)")
def relevant_vars(words: np.ndarray, n: int) -> np.ndarray:
    """Number of inputs the function depends on (x_k with some x where flipping x_k changes f).

    Examples
    --------
    >>> from boolnet.functions import pack_strings
    >>> relevant_vars(pack_strings(["0000", "0011", "0001"]), 2).tolist()
    [0, 1, 2]
    """
    bits = bits_of(words, n)
    idx = np.arange(1 << n)
    count = np.zeros(bits.shape[0], dtype=np.int64)
    for j in range(n):
        count += (bits != bits[:, idx ^ (1 << j)]).any(axis=1)
    return count


def _np_maps(n: int) -> np.ndarray:
    # Input permutations and negations: the hyperoctahedral group, as index maps.
    return np.ascontiguousarray(symmetry_input_maps(n, "pm1"), dtype=np.int64)


def npn_keys(words: np.ndarray, n: int, output_negation: bool = True) -> np.ndarray:
    """An internal search key of the NPN class (NP class if not ``output_negation``): equal keys, same class.

    The key is the smallest integer form (bit i = f(input i)) over the class: a fast
    number for grouping, not a representative shown to users (:func:`npn_class` is).

    Examples
    --------
    >>> from boolnet.functions import pack_strings
    >>> npn_keys(pack_strings(["0111", "0010"]), 2).tolist()   # OR ~ AND
    [1, 1]
    """
    words = check_words(words, n)
    check_n_limit("NPN classes", NPN_MAX_N, n)
    return _npn_kernels.min_image(words[:, 0].copy(), _np_maps(n), output_negation, 1 << n)


@measure_kernel("npn_class", max_n=NPN_MAX_N,
                definition="lexicographically smallest truth table of f's class under input permutations, "
                           "input negations and output negation",
                reference="Knuth, TAOCP Vol. 4A, Sec. 7.1.1-7.1.2 (2011)", rows_per_call=1 << 12)
def npn_class(words: np.ndarray, n: int) -> np.ndarray:
    """Canonical representative of the NPN class: its lexicographically smallest truth-table string.

    The class of f is every function obtained from f by permuting inputs, negating
    inputs and negating the output. Negating every input reverses the truth-table
    string, so the class is closed under reversal, and its lexicographically
    smallest string is the reverse of the string of its smallest integer form
    (:func:`npn_keys`; an integer compares its bits from ``f(input 2**n - 1)`` down).

    Examples
    --------
    >>> from boolnet.functions import pack_strings
    >>> npn_class(pack_strings(["0111", "1000", "0110"]), 2).tolist()   # OR and NOR: AND's class
    ['0001', '0001', '0110']
    """
    keys = npn_keys(words, n)
    return np.array([s[::-1] for s in strings_from_packed(keys[:, None], n)], dtype=object)


def is_unate(words: np.ndarray, n: int) -> np.ndarray:
    """True where f is monotone (increasing or decreasing) in every input separately.

    Every threshold function is unate, so this is a cheap filter before the LP.

    Examples
    --------
    >>> from boolnet.functions import pack_strings
    >>> is_unate(pack_strings(["0001", "0110", "1011"]), 2).tolist()
    [True, False, True]
    """
    words = check_words(words, n)
    bits = bits_of(words, n).astype(np.int8)
    idx = np.arange(1 << n)
    ok = np.ones(bits.shape[0], dtype=bool)
    for j in range(n):
        low = idx[(idx >> j) & 1 == 0]
        diff = bits[:, low | (1 << j)] - bits[:, low]
        ok &= ~((diff > 0).any(axis=1) & (diff < 0).any(axis=1))
    return ok


def _separable(bits: np.ndarray, n: int) -> bool:
    """Exact linear separability of one 0/1 truth table.

    LP feasibility of ``F(x) (w.x + b) >= 1`` (F = +-1) with HiGHS; a feasible answer
    is checked on every input, so a "yes" is always verified. A "no" is an
    infeasibility certificate of an LP with small integer data.
    """
    from scipy.optimize import linprog

    if bits.min() == bits.max():
        return True
    x = inputs(n, "pm1", dtype=np.float64)
    sign = 2.0 * bits.astype(np.float64) - 1.0
    a_ub = -sign[:, None] * np.hstack([x, np.ones((x.shape[0], 1))])
    res = linprog(np.zeros(n + 1), A_ub=a_ub, b_ub=-np.ones(x.shape[0]), bounds=[(None, None)] * (n + 1),
                  method="highs")
    if res.status == 2:
        return False
    if res.status != 0:
        raise RuntimeError(f"linear program for threshold failed: {res.message}")
    margin = sign * (x @ res.x[:n] + res.x[n])
    if not np.all(margin > 0.5):
        raise RuntimeError("linear program for threshold returned an unverified separator")
    return True


@lru_cache(maxsize=1 << 16)
def _separable_cached(key: bytes, n: int) -> bool:
    bits = np.frombuffer(key, dtype=np.uint8)
    return _separable(bits, n)


@measure_kernel("threshold", definition="1 if f(x) = [w.x + b > 0] for some real w, b (exact LP check), else 0",
                reference="Muroga, Threshold Logic and its Applications (1971); OEIS A000609", rows_per_call=1 << 12)
def threshold(words: np.ndarray, n: int) -> np.ndarray:
    """1 if f is a threshold function (a perceptron with bias computes it), else 0.

    ``f(x) = [w.x + b > 0]`` for some real w, b; the same set in the 01 and pm1
    encodings. Non-unate functions are rejected at once; the rest get an exact
    linear-programming check, once per NPN class for n <= 5 (threshold functions
    are closed under NPN) and once per distinct function above.

    Examples
    --------
    >>> from boolnet.functions import pack_strings
    >>> threshold(pack_strings(["0001", "0110", "0111", "0000"]), 2).tolist()
    [1, 0, 1, 1]
    """
    out = np.zeros(words.shape[0], dtype=np.int64)
    unate = is_unate(words, n)
    if not unate.any():
        return out
    candidates = words[unate]
    if n <= NPN_MAX_N:
        keys = npn_keys(candidates, n)[:, None]
    else:
        keys = candidates
    unique, inverse = np.unique(keys, axis=0, return_inverse=True)
    unique_bits = bits_of(unique, n)
    answers = np.array([_separable_cached(row.tobytes(), n) for row in unique_bits], dtype=np.int64)
    out[unate] = answers[inverse.reshape(-1)]
    return out
