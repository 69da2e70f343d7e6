"""Exact minimal formula length in the full binary basis, for n <= 4 inputs."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from boolnet.complexity import _formula_kernels
from boolnet.complexity.base import check_n_limit, measure_kernel

#: Largest n: the table over all 2**(2**n) functions is built once (n = 4: 65,536 entries).
MAX_N = 4


@lru_cache(maxsize=None)
def formula_length_table(n: int) -> np.ndarray:
    """Minimal formula length of every function of ``n <= 4`` inputs, indexed by its integer form.

    Examples
    --------
    >>> np.bincount(formula_length_table(2)).tolist()   # 2 constants, 4 literals, 10 gates
    [6, 10]
    """
    check_n_limit("formula_length", MAX_N, n)
    size = 1 << n
    full = (1 << size) - 1
    variables = []
    for k in range(n):  # x_{k+1} is bit n-1-k of the input index
        variables.append(sum(1 << i for i in range(size) if (i >> (n - 1 - k)) & 1))
    leaves = [0, full] + variables + [v ^ full for v in variables]
    table = _formula_kernels.formula_length_table(n, np.array(leaves, dtype=np.int64))
    table.setflags(write=False)
    return table


@measure_kernel("formula_length", max_n=MAX_N,
                definition="fewest binary operators of a formula over all 16 two-input operations (complements free)",
                reference="Knuth, TAOCP Vol. 4A, Sec. 7.1.2 (2011)")
def formula_length(words: np.ndarray, n: int) -> np.ndarray:
    """Fewest binary operators in a formula (a tree) that computes f, for n <= 4.

    Operators are any of the 16 two-input Boolean operations; leaves are the
    constants, the inputs and their complements at no cost (complementation is
    free, as in Knuth, TAOCP 7.1.2).

    Examples
    --------
    >>> from boolnet.functions import pack_strings
    >>> formula_length(pack_strings(["0101", "0001", "0110"]), 2).tolist()
    [0, 1, 1]
    >>> formula_length(pack_strings(["01101001"]), 3).tolist()   # 3-input parity
    [2]
    """
    return formula_length_table(n)[words[:, 0].astype(np.int64)].astype(np.int64)
