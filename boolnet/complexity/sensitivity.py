"""Sensitivity-type measures: critical sample ratio, sensitivity, block sensitivity, certificate complexity.

All are computed from the neighbours of each input in the Boolean cube and are
unchanged by input permutations, input negations and output negation.
References: Arpit et al. (2017) for the critical sample ratio; Nisan (1991) and
Buhrman & de Wolf (2002) for sensitivity, block sensitivity and certificates.
"""

from __future__ import annotations

import numpy as np

from boolnet.complexity import _cube_kernels
from boolnet.complexity._words import bits_of, check_words, popcount_table
from boolnet.complexity.base import measure_kernel


def sensitive_counts(words: np.ndarray, n: int) -> np.ndarray:
    """``s(f, x)``: for every input x, how many single-bit flips change the output.

    Returns
    -------
    ndarray of int16, shape (m, 2**n)

    Examples
    --------
    >>> from boolnet.functions import pack_strings
    >>> sensitive_counts(pack_strings(["0001"]), 2).tolist()   # AND
    [[0, 1, 1, 2]]
    """
    words = check_words(words, n)
    bits = bits_of(words, n)
    idx = np.arange(1 << n)
    counts = np.zeros(bits.shape, dtype=np.int16)
    for j in range(n):
        counts += bits != bits[:, idx ^ (1 << j)]
    return counts


@measure_kernel("csr", definition="critical sample ratio: share of inputs with a Hamming-1 neighbour of different output",
                reference="Arpit et al., ICML (2017); Valle-Perez, Camargo & Louis, ICLR (2019)")
def csr(words: np.ndarray, n: int) -> np.ndarray:
    """Critical sample ratio: share of inputs with a Hamming-1 neighbour of different output.

    Examples
    --------
    >>> from boolnet.functions import pack_strings
    >>> csr(pack_strings(["0001", "0000", "0110"]), 2).tolist()
    [0.75, 0.0, 1.0]
    """
    return (sensitive_counts(words, n) > 0).mean(axis=1)


@measure_kernel("sensitivity_avg",
                definition="average over inputs x of the number of single-bit flips that change f(x) (total influence)",
                reference="O'Donnell, Analysis of Boolean Functions (2014), Sec. 2.3")
def sensitivity_avg(words: np.ndarray, n: int) -> np.ndarray:
    """Average sensitivity (total influence): mean over inputs x of ``s(f, x)``.

    Examples
    --------
    >>> from boolnet.functions import pack_strings
    >>> sensitivity_avg(pack_strings(["0001", "0110"]), 2).tolist()
    [1.0, 2.0]
    """
    return sensitive_counts(words, n).mean(axis=1)


@measure_kernel("sensitivity_max",
                definition="sensitivity s(f): max over inputs x of the number of single-bit flips that change f(x)",
                reference="Cook, Dwork & Reischuk (1986); Nisan (1991)")
def sensitivity_max(words: np.ndarray, n: int) -> np.ndarray:
    """Sensitivity ``s(f) = max_x s(f, x)``.

    Examples
    --------
    >>> from boolnet.functions import pack_strings
    >>> sensitivity_max(pack_strings(["0001", "0000"]), 2).tolist()
    [2, 0]
    """
    return sensitive_counts(words, n).max(axis=1).astype(np.int64)


@measure_kernel("block_sensitivity", max_n=8,
                definition="max over x of the most disjoint blocks of coordinates whose flip changes f(x)",
                reference="Nisan, SIAM J. Comput. 20, 999 (1991); Buhrman & de Wolf, TCS 288, 21 (2002)",
                rows_per_call=1 << 12)
def block_sensitivity(words: np.ndarray, n: int) -> np.ndarray:
    """Block sensitivity: max over x of the most disjoint blocks B with ``f(x ^ B) != f(x)``.

    Exact, by dynamic programming over subsets for each input (about ``3**n / 2`` steps per
    input), skipping inputs whose certificate size ``C(f, x) >= bs(f, x)`` cannot beat the
    best so far; the search starts from ``s(f)``, a lower bound.

    Examples
    --------
    >>> from boolnet.functions import pack_strings
    >>> block_sensitivity(pack_strings(["0001", "0110", "0000"]), 2).tolist()
    [2, 2, 0]
    """
    return _cube_kernels.block_sensitivity(words, n, popcount_table(n))


@measure_kernel("certificate", max_n=10, definition="max over x of the fewest coordinates whose values at x force f(x)",
                reference="Buhrman & de Wolf, TCS 288, 21 (2002)", rows_per_call=1 << 13)
def certificate(words: np.ndarray, n: int) -> np.ndarray:
    """Certificate complexity: max over x of the fewest coordinates whose values at x fix f.

    ``C(f, x)`` is the size of the smallest set S of coordinates such that every y
    agreeing with x on S has ``f(y) = f(x)``; ``C(f) = max_x C(f, x)``.

    Examples
    --------
    >>> from boolnet.functions import pack_strings
    >>> certificate(pack_strings(["0001", "0110", "0000"]), 2).tolist()
    [2, 2, 0]
    """
    return _cube_kernels.certificate(words, n, popcount_table(n))
